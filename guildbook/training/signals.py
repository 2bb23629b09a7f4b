"""Signals the training app sends after a change has committed.

Higher apps (notifications, surveys, portfolios) connect to these instead of being imported
here. Each is sent with `transaction.on_commit`, so a receiver never sees a change that was
rolled back. Arguments are listed with each signal.
"""

from django.db import transaction
from django.dispatch import Signal

# booking, change ("confirmed", "waiting", "promoted", "cancelled", "moved", "removed",
# "session_cancelled"), actor, late (bool)
booking_changed = Signal()

# session, change ("created", "rescheduled", "cancelled", "updated"), actor
session_changed = Signal()


def session_changed_on_commit(session, *, change: str, actor) -> None:
    """Send `session_changed` for `session` once the caller's transaction commits."""
    transaction.on_commit(
        lambda: session_changed.send(
            sender=type(session), session=session, change=change, actor=actor
        )
    )


# booking, actor — attended or no-show recorded (booking.attendance says which)
attendance_recorded = Signal()


# --- Hooks sent INSIDE the service's transaction ----------------------------------------
#
# For higher apps whose own rows must commit or roll back with the change, such as the
# outbox rows of a follow-up survey (surveys), which the DESIGN's outbox invariant says are
# written in the transaction of the change that makes them due. A receiver may only write
# to the database (no e-mail, no network); an exception it raises rolls the change back.

# booking (with .session loaded), now — attendance was just set on a place
# (booking.attendance is "attended" or "no_show")
attendance_marked = Signal()

# session, now — the session's start and end just moved (session_reschedule)
session_moved = Signal()
