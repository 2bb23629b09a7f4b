"""Signals the training app sends after a change has committed.

Higher apps (notifications, surveys, portfolios) connect to these instead of being imported
here. Each is sent with `transaction.on_commit`, so a receiver never sees a change that was
rolled back. Arguments are listed with each signal.
"""

from django.dispatch import Signal

# booking, change ("confirmed", "waiting", "promoted", "cancelled", "moved", "removed",
# "session_cancelled"), actor, late (bool)
booking_changed = Signal()

# session, change ("created", "rescheduled", "cancelled", "updated"), actor
session_changed = Signal()

# booking, actor — attended or no-show recorded (booking.attendance says which)
attendance_recorded = Signal()
