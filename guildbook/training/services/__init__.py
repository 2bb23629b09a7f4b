"""Every write to the training offer: one function per operation, one transaction each.

Where is what:

| behaviour                                              | module                          |
|--------------------------------------------------------|---------------------------------|
| courses, their trainers, invitation link and plan      | services/courses.py             |
| sessions and series: create, change, move, cancel      | services/sessions.py            |
| capacity changes                                       | services/sessions.py            |
| the session lock, taking and freeing a place           | services/places.py              |
| the waiting list's end, promotion after a freed place  | services/places.py              |
| booking, cancelling, moving, removing, "still coming"  | services/bookings.py            |
| the booking path's hand-written SQL (twin: _book_orm)  | training/sql.py                 |
| claiming, declining and expiring offers (offer mode)   | services/offers.py              |
| the offer window (how long an offer is held)           | training/offers.py              |
| attendance and no-shows                                | services/attendance.py          |
| "tell me when there's a date": interest, telling first | services/interest.py            |
| the outreach log, closed sessions for a team           | services/outreach.py            |
| a person leaving: places, waiting lists, interest      | services/people.py              |
| why a session cannot be booked, waiting-list position  | training/selectors/bookings.py  |
| the e-mails each change queues                         | training/messages/queue.py      |
| what else happens when a course is created             | training/hooks.py               |

`from guildbook.training import services; services.booking_create(...)` and
`from guildbook.training.services import booking_create` both work: every public name is
re-exported here.
"""

from guildbook.core.errors import ServiceError
from guildbook.training.selectors.bookings import booking_refusal, waiting_position
from guildbook.training.services.attendance import attendance_mark_all, attendance_record
from guildbook.training.services.bookings import (
    AlreadyBooked,
    BookingRefused,
    booking_add_person,
    booking_answers_clean,
    booking_cancel,
    booking_confirm_coming,
    booking_create,
    booking_move,
    booking_remove,
)
from guildbook.training.services.courses import (
    COURSE_FIELDS,
    PLAN_PARTS,
    course_create,
    course_invitation_renew,
    course_plan_row_check,
    course_plan_set,
    course_save,
    course_trainers_set,
    course_update,
)
from guildbook.training.services.interest import (
    interest_register,
    interest_tell,
    interest_withdraw,
    interests_settle,
)
from guildbook.training.services.offers import (
    OfferGone,
    offer_claim,
    offer_decline,
    offer_expire,
    offers_expire,
)
from guildbook.training.services.outreach import (
    outreach_create,
    outreach_delete,
    outreach_follow_up_add,
    outreach_follow_up_delete,
    outreach_follow_up_set_done,
    outreach_session_create,
    outreach_update,
    session_open_to_all,
)
from guildbook.training.services.people import person_places_release
from guildbook.training.services.sessions import (
    SERIES_EDITABLE,
    SESSION_EDITABLE,
    series_create,
    series_extend,
    series_extend_due,
    series_update,
    series_update_check,
    session_cancel,
    session_change,
    session_change_check,
    session_create,
    session_reschedule,
    session_set_capacity,
    session_trainers_set,
    session_update,
)
from guildbook.training.sql import DRAW_BOOKING_ID, db_value

__all__ = [
    "COURSE_FIELDS",
    "DRAW_BOOKING_ID",
    "PLAN_PARTS",
    "SERIES_EDITABLE",
    "SESSION_EDITABLE",
    "AlreadyBooked",
    "BookingRefused",
    "OfferGone",
    "ServiceError",
    "attendance_mark_all",
    "attendance_record",
    "booking_add_person",
    "booking_answers_clean",
    "booking_cancel",
    "booking_confirm_coming",
    "booking_create",
    "booking_move",
    "booking_refusal",
    "booking_remove",
    "course_create",
    "course_invitation_renew",
    "course_plan_row_check",
    "course_plan_set",
    "course_save",
    "course_trainers_set",
    "course_update",
    "db_value",
    "interest_register",
    "interest_tell",
    "interest_withdraw",
    "interests_settle",
    "offer_claim",
    "offer_decline",
    "offer_expire",
    "offers_expire",
    "outreach_create",
    "outreach_delete",
    "outreach_follow_up_add",
    "outreach_follow_up_delete",
    "outreach_follow_up_set_done",
    "outreach_session_create",
    "outreach_update",
    "person_places_release",
    "series_create",
    "series_extend",
    "series_extend_due",
    "series_update",
    "series_update_check",
    "session_cancel",
    "session_change",
    "session_change_check",
    "session_create",
    "session_open_to_all",
    "session_reschedule",
    "session_set_capacity",
    "session_trainers_set",
    "session_update",
    "waiting_position",
]
