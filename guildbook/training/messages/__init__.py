"""Training's e-mails.

Where is what:

| what                                                         | module                  |
|--------------------------------------------------------------|-------------------------|
| the message kinds: what each e-mail says, whether still due  | messages/kinds.py       |
| queuing them inside a service's transaction (`on_booked`…)   | messages/queue.py       |
| when a reminder is due ("booked inside the reminder window") | training/reminders.py   |
| signed links that work without signing in                    | training/links.py       |
| a trainer's paragraph and its placeholders                   | training/notes.py       |
| expiring lapsed offers before each batch (due work)          | messages/kinds.py       |

Every message is an outbox row written by a service INSIDE the transaction of the change
that makes it due, so a booking that rolls back leaves no e-mail behind. The names below are
re-exported so `from guildbook.training import messages; messages.REMINDER` keeps working.
"""

from guildbook.training.links import (
    LINK_MAX_AGE,
    LINK_PURPOSES,
    BadLink,
    booking_from_link_token,
    booking_link_token,
    booking_link_url,
)
from guildbook.training.messages.kinds import (
    BOOKING_MOVED,
    CANCELLED,
    CONFIRMED,
    LATE_RELEASE,
    OFFER_DECLINED,
    OFFER_LAPSED,
    OFFERED,
    OPEN_OFFER,
    PLACE_CHANGED,
    PROMOTED,
    REMINDER,
    RESCHEDULED,
    ROSTER,
    SESSION_CANCELLED,
    WAITING_JOINED,
    WAITING_LEFT,
    BookingMoved,
    LateRelease,
    OfferLapsed,
    PlaceCancelled,
    PlaceConfirmed,
    PlaceOffered,
    PlaceOpen,
    Promoted,
    Reminder,
    Roster,
    SessionCancelled,
    SessionPlaceChanged,
    SessionRescheduled,
    TrainerMessage,
    TrainingMessage,
    WaitingJoined,
    WaitingLeft,
    offers_expire,
    session_facts,
    session_trainers,
)
from guildbook.training.messages.queue import (
    ROSTER_HOURS_BEFORE,
    on_booked,
    on_ended,
    on_moved,
    on_offered,
    on_open_offer,
    on_promoted,
    on_reminder_hours_changed,
    on_session_cancelled,
    on_session_created,
    on_session_place_changed,
    on_session_rescheduled,
    on_trainers_changed,
)
from guildbook.training.notes import (
    NOTE_PLACEHOLDERS,
    note_mistakes,
    note_values,
    render_note,
)

__all__ = [
    "BOOKING_MOVED",
    "CANCELLED",
    "CONFIRMED",
    "LATE_RELEASE",
    "LINK_MAX_AGE",
    "LINK_PURPOSES",
    "NOTE_PLACEHOLDERS",
    "OFFERED",
    "OFFER_DECLINED",
    "OFFER_LAPSED",
    "OPEN_OFFER",
    "PLACE_CHANGED",
    "PROMOTED",
    "REMINDER",
    "RESCHEDULED",
    "ROSTER",
    "ROSTER_HOURS_BEFORE",
    "SESSION_CANCELLED",
    "WAITING_JOINED",
    "WAITING_LEFT",
    "BadLink",
    "BookingMoved",
    "LateRelease",
    "OfferLapsed",
    "PlaceCancelled",
    "PlaceConfirmed",
    "PlaceOffered",
    "PlaceOpen",
    "Promoted",
    "Reminder",
    "Roster",
    "SessionCancelled",
    "SessionPlaceChanged",
    "SessionRescheduled",
    "TrainerMessage",
    "TrainingMessage",
    "WaitingJoined",
    "WaitingLeft",
    "booking_from_link_token",
    "booking_link_token",
    "booking_link_url",
    "note_mistakes",
    "note_values",
    "offers_expire",
    "on_booked",
    "on_ended",
    "on_moved",
    "on_offered",
    "on_open_offer",
    "on_promoted",
    "on_reminder_hours_changed",
    "on_session_cancelled",
    "on_session_created",
    "on_session_place_changed",
    "on_session_rescheduled",
    "on_trainers_changed",
    "render_note",
    "session_facts",
    "session_trainers",
]

# Kinds that live in their own modules ("tell me when booking opens", a trainer's own
# e-mail to a session): importing them registers them.
from guildbook.training import alerts, announcements  # noqa: F401
