"""Training's pages, by audience: public.py (the catalogue, booking, a person's own bookings
and the links in e-mails), manage/ (trainers: courses, scheduling, bookings, the register)
and record.py (training records)."""
