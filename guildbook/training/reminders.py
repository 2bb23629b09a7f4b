"""When a place's reminder is due: the one rule every path follows.

A reminder goes `course.reminder_hours` before the session starts. A place booked (or moved,
or whose session or reminder time changed) inside that window gets no reminder: its
confirmation, or the notice of the change, is the reminder. Queuing (messages/queue.py)
asks `reminder_time` whenever it writes, moves or withdraws a reminder; the booking
statement's guard (training/sql.py, GUARD) re-checks the start and the reminder time the
decision was made on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from guildbook.training.models import Session


def reminder_time(session: Session, now: datetime) -> datetime | None:
    """When a place on `session` is reminded, as seen at `now`; None when `now` is already
    inside the reminder window."""
    due = session.starts_at - timedelta(hours=session.course.reminder_hours)
    return due if due > now else None
