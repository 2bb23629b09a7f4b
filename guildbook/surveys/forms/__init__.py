"""Surveys' forms, by topic as its views: moments.py and templates.py."""
