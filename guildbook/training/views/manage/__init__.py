"""Pages for trainers, by topic: courses.py (the dashboard, courses and their plans),
scheduling.py (sessions and series), bookings.py (a session's bookings, capacity, messages,
the CSV), register.py (attendance and the sign-in sheet); common.py holds what they share.

Thin: objects are loaded through selectors (anyone but a trainer gets a 404), every POST goes
through a service, and a ServiceError is shown beside the field it names. GET never changes
anything.
"""

from guildbook.training.views.manage.bookings import (
    booking_add,
    booking_move,
    booking_remove,
    booking_restore,
    session,
    session_capacity,
    session_csv,
    session_message,
)
from guildbook.training.views.manage.courses import (
    course,
    course_create,
    course_edit,
    course_interest_csv,
    course_invitation_renew,
    manage,
)
from guildbook.training.views.manage.register import (
    attendance,
    register,
    register_mark_all,
    sign_in_sheet,
)
from guildbook.training.views.manage.scheduling import (
    series_create,
    session_cancel,
    session_create,
    session_edit,
    session_open,
    session_reschedule,
)

__all__ = [
    "attendance",
    "booking_add",
    "booking_move",
    "booking_remove",
    "booking_restore",
    "course",
    "course_create",
    "course_edit",
    "course_interest_csv",
    "course_invitation_renew",
    "manage",
    "register",
    "register_mark_all",
    "series_create",
    "session",
    "session_cancel",
    "session_capacity",
    "session_create",
    "session_csv",
    "session_edit",
    "session_message",
    "session_open",
    "session_reschedule",
    "sign_in_sheet",
]
