"""Surveys' pages, by audience and topic: public.py (answering, from the e-mailed link),
moments.py (a course's survey settings), templates.py (building templates) and results.py
(results and downloads), all for trainers but the first."""
