"""Every read of the training offer for a given person, with the visibility rules applied.

Loading an object someone may not see raises Http404 — never a 403 that confirms it exists.
Querysets here use select_related/prefetch_related so a page's query count does not grow
with the data.

Where is what:

| read                                                          | module                  |
|---------------------------------------------------------------|-------------------------|
| which courses a person may see, a course, its materials       | selectors/courses.py    |
| the catalogue and its cache version                           | selectors/catalogue.py  |
| a session to book or to run, a course's sessions              | selectors/sessions.py   |
| bookings, register, waiting list and positions, "can I book?" | selectors/bookings.py   |
| training records                                              | selectors/record.py     |
| "tell me when there's a date": people's interest in a course  | selectors/interest.py   |

Every public name is re-exported here: `from guildbook.training import selectors;
selectors.catalogue(...)` keeps working.
"""

from guildbook.training.selectors.bookings import (
    active_bookings_by_session,
    booking_get_for_user,
    booking_refusal,
    bookings_for_user,
    late_releases_without_trainer,
    my_bookings,
    no_show_counts,
    register,
    session_bookings,
    waiting_list,
    waiting_position,
    with_waiting_positions,
)
from guildbook.training.selectors.catalogue import (
    catalogue,
    catalogue_version,
)
from guildbook.training.selectors.courses import (
    course_get_for_user,
    course_materials,
    course_visible,
    course_with_plan,
    courses_visible_to,
    material_for_user,
)
from guildbook.training.selectors.interest import (
    course_has_upcoming_date,
    course_interest,
    interest_for,
    interest_get_for_user,
    interest_times,
)
from guildbook.training.selectors.outreach import (
    outreach_entries,
    outreach_entry_for_user,
    outreach_in_period,
)
from guildbook.training.selectors.record import (
    TrainingRecord,
    people_for_records,
    person_for_record,
    training_record_for,
)
from guildbook.training.selectors.sessions import (
    open_to,
    other_sessions,
    session_filter,
    session_for_booking,
    session_for_trainer,
    session_get_for_user,
    session_to_book,
    sessions_of_course,
    sessions_with_counts,
    upcoming_sessions,
)

__all__ = [
    "TrainingRecord",
    "active_bookings_by_session",
    "booking_get_for_user",
    "booking_refusal",
    "bookings_for_user",
    "catalogue",
    "catalogue_version",
    "course_get_for_user",
    "course_has_upcoming_date",
    "course_interest",
    "course_materials",
    "course_visible",
    "course_with_plan",
    "courses_visible_to",
    "interest_for",
    "interest_get_for_user",
    "interest_times",
    "late_releases_without_trainer",
    "material_for_user",
    "my_bookings",
    "no_show_counts",
    "open_to",
    "other_sessions",
    "outreach_entries",
    "outreach_entry_for_user",
    "outreach_in_period",
    "people_for_records",
    "person_for_record",
    "register",
    "session_bookings",
    "session_filter",
    "session_for_booking",
    "session_for_trainer",
    "session_get_for_user",
    "session_to_book",
    "sessions_of_course",
    "sessions_with_counts",
    "training_record_for",
    "upcoming_sessions",
    "waiting_list",
    "waiting_position",
    "with_waiting_positions",
]
