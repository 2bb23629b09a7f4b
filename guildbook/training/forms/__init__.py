"""Training's forms, by audience as its views: public.py and manage.py."""
