"""Training's pages, by audience: public.py (the catalogue, booking, a person's own bookings
and the links in e-mails), manage.py (trainers: courses, sessions, bookings, the register)
and record.py (training records)."""
