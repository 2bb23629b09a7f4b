"""How long a place offered from the waiting list is held (offer mode). Pure: no database.

The nearer the session, the shorter the window, so an unclaimed place still reaches someone
who can use it; in the last 24 hours a freed place is not held for one person at all:
everyone waiting is told, and the first to claim it gets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

OPEN_CLAIM_BEFORE = timedelta(hours=24)

# (session at least this far away, hold the place this long), from the furthest.
WINDOWS = (
    (timedelta(days=7), timedelta(hours=48)),
    (timedelta(days=2), timedelta(hours=24)),
    (OPEN_CLAIM_BEFORE, timedelta(hours=4)),
)


def offer_window(starts_at: datetime, now: datetime) -> timedelta | None:
    """How long a place offered at `now` is held, or None when the session is within the
    last 24 hours (or has started) and the place goes to whoever claims it first."""
    ahead = starts_at - now
    for far, window in WINDOWS:
        if ahead > far:
            return window
    return None


def offer_expires_at(starts_at: datetime, now: datetime) -> datetime | None:
    """When a place offered at `now` goes to the next person: never after the start."""
    window = offer_window(starts_at, now)
    return None if window is None else min(now + window, starts_at)


def is_open_claim(starts_at: datetime, now: datetime) -> bool:
    """In the last 24 hours before the start a free place is anyone's on the list to claim."""
    return now < starts_at and offer_window(starts_at, now) is None
