"""Training's e-mails: the message kinds, and the functions the services call to queue them.

Every message is an outbox row written by a service INSIDE the transaction of the change
that makes it due (`on_booked`, `on_promoted`, `on_ended`, `on_moved`,
`on_session_rescheduled`, `on_session_cancelled`, `on_session_created` below), so a booking
that rolls back leaves no e-mail behind and a cancelled booking's reminder is voided in the
cancelling transaction. Each kind's `still_due` checks the state again just before sending:
nothing goes out for a cancelled session, a cancelled booking's reminder, or a session that
is already over (which also keeps the demo's two years of history out of people's inboxes).

Dedupe keys are "<kind>:<booking>" with the booking's calendar sequence where a kind may
rightly be sent again for the same booking (a second reschedule, a reminder after a move).

The links in a reminder ("Still coming?", "I can't come") carry a signed token for one
purpose and one booking, so they work without signing in; the page they open changes
nothing until its one button is pressed, because mail scanners follow links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_span, format_time
from guildbook.notifications.due_work import due_work
from guildbook.notifications.kinds import MessageKind, is_registered, message_kind
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import (
    outbox_pending_recipients,
    outbox_reschedule,
    outbox_schedule,
    outbox_void,
)
from guildbook.training import calendar
from guildbook.training.models import Booking, Session

CONFIRMED = "training.place_confirmed"
WAITING_JOINED = "training.waiting_joined"
WAITING_LEFT = "training.waiting_left"
PROMOTED = "training.promoted"
CANCELLED = "training.place_cancelled"
RESCHEDULED = "training.session_rescheduled"
PLACE_CHANGED = "training.session_place_changed"
BOOKING_MOVED = "training.booking_moved"
SESSION_CANCELLED = "training.session_cancelled"
REMINDER = "training.reminder"
ROSTER = "training.roster"
LATE_RELEASE = "training.late_release"
OFFERED = "training.place_offered"
OPEN_OFFER = "training.place_open"
OFFER_LAPSED = "training.offer_lapsed"

ROSTER_HOURS_BEFORE = 24


# --- Links that work without signing in ------------------------------------------------

LINK_PURPOSES = ("coming", "release", "claim", "decline")
LINK_MAX_AGE = timedelta(days=60)


class BadLink(Exception):
    """The link was altered, is for something else, or is too old."""


def booking_link_token(booking: Booking, purpose: str) -> str:
    """A signed token naming `booking` for one purpose ("coming" or "release"). The HMAC
    is SHA-256 (256 bits); the salt differs per purpose, so a "Still coming?" token can
    never release a place."""
    if purpose not in LINK_PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    return signing.dumps(booking.pk, salt=f"guildbook.training.booking-link.{purpose}")


def booking_from_link_token(token: str, purpose: str) -> Booking:
    if purpose not in LINK_PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    try:
        pk = signing.loads(
            token, salt=f"guildbook.training.booking-link.{purpose}", max_age=LINK_MAX_AGE
        )
        return Booking.objects.select_related("session__course", "person").get(pk=int(pk))
    except (signing.BadSignature, Booking.DoesNotExist, TypeError, ValueError):
        raise BadLink from None


def booking_link_url(booking: Booking, purpose: str) -> str:
    name = f"training:booking_link_{purpose}"
    return settings.SITE_URL + reverse(name, args=[booking_link_token(booking, purpose)])


# --- A trainer's own paragraph ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
NOTE_PLACEHOLDERS = ("first_name", "course", "start", "venue")
# A word in single braces, perhaps with spaces or a dot: meant as a placeholder.
_MEANT_AS_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*[A-Za-z_][\w.]*\s*\}(?!\})")


def note_mistakes(text: str) -> list[str]:
    """What in a trainer's paragraph looks meant as a placeholder but is not one we fill
    in ("{firstname}", "{ venue }", "{Course}"), so the course page can say so before it
    reaches everyone who books. Other braces ("{0}", "{{", a phrase in braces) are text."""
    return [
        m.group(0)
        for m in _MEANT_AS_PLACEHOLDER.finditer(text or "")
        if m.group(0)[1:-1] not in NOTE_PLACEHOLDERS
    ]


def note_values(booking: Booking) -> dict[str, str]:
    session = booking.session
    return {
        "first_name": booking.person.first_name,
        "course": session.course.title,
        "start": f"{format_date(session.starts_at)} at {format_time(session.starts_at)}",
        "venue": session.venue or ("online" if session.online_link else ""),
    }


def render_note(text: str, values: dict[str, str]) -> str:
    """Fill {first_name}, {course}, {start} and {venue} in a trainer's paragraph.

    Deliberately tiny: a placeholder is a plain name in braces and nothing else. Unknown
    names, attribute or index look-ups ("{course.__class__}"), format specs and stray braces
    are left as typed, so a paragraph can never fail to render or reach into the program.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


# --- Who runs a session ----------------------------------------------------------------


def session_trainers(session: Session) -> list:
    """The session's own trainers, or the course's when the session names none."""
    return list(session.trainers.all()) or list(session.course.trainers.all())


# --- Queuing: called by services inside their transaction ------------------------------


def _key(kind: str, obj, *parts) -> str:
    return ":".join([kind, str(obj.pk), *(str(p) for p in parts)])


def _schedule(kind: str, booking: Booking, due_at: datetime, *, key: str, **context):
    return outbox_schedule(
        kind=kind,
        about=booking,
        recipient=booking.person,
        due_at=due_at,
        key=key,
        context=context or None,
    )


def _reminder_due(booking: Booking, session: Session) -> datetime:
    return session.starts_at - timedelta(hours=session.course.reminder_hours)


def _schedule_reminder(booking: Booking, session: Session, now: datetime) -> None:
    due = _reminder_due(booking, session)
    # Booked inside the reminder window: the confirmation itself is the reminder.
    if due > now:
        _schedule(
            REMINDER,
            booking,
            due,
            key=_key(REMINDER, booking, booking.calendar_sequence),
        )


def on_booked(booking: Booking, session: Session, *, now: datetime) -> list[OutboxMessage]:
    """A new booking's messages: a confirmed place's confirmation (with its invite) and
    reminder, or the waiting list's welcome.

    Returned as unsaved outbox rows, which the booking service writes in the booking's own
    statement (services._book): booking is the hottest write there is. The rows are what
    `outbox_schedule(..., about_is_new=True)` would write — the booking was created in this
    transaction, so no row can hold their keys yet, and the unique index refuses a clash.
    """
    if booking.status == Booking.Status.CONFIRMED:
        rows = [_new_row(CONFIRMED, booking, now, _key(CONFIRMED, booking))]
        due = _reminder_due(booking, session)
        # Booked inside the reminder window: the confirmation itself is the reminder.
        if due > now:
            key = _key(REMINDER, booking, booking.calendar_sequence)
            rows.append(_new_row(REMINDER, booking, due, key))
        return rows
    if booking.status == Booking.Status.WAITING:
        position = getattr(booking, "position_when_joined", None)
        key = _key(WAITING_JOINED, booking)
        return [_new_row(WAITING_JOINED, booking, now, key, position=position)]
    return []


def _new_row(kind: str, booking: Booking, due_at: datetime, key: str, **context) -> OutboxMessage:
    if not is_registered(kind):
        raise ServiceError(f"Unknown message kind {kind!r}.", field="kind")
    return OutboxMessage(
        kind=kind,
        content_type=ContentType.objects.get_for_model(Booking),
        object_id=booking.pk,
        recipient=booking.person,
        dedupe_key=key,
        context=context,
        due_at=due_at,
        next_attempt_at=due_at,
    )


def on_promoted(booking: Booking, session: Session, *, now: datetime) -> None:
    _schedule(PROMOTED, booking, now, key=_key(PROMOTED, booking))
    _schedule_reminder(booking, session, now)


def on_offered(booking: Booking, session: Session, *, now: datetime) -> None:
    """Offer mode: a place is held for this person until `booking.offer_expires_at`. When
    it lapses, `services.offer_expire` ends the booking and `on_ended` tells them."""
    _schedule(OFFERED, booking, now, key=_key(OFFERED, booking))


def on_open_offer(session: Session, waiting: list[Booking], *, now: datetime) -> None:
    """Offer mode, last 24 hours: a free place that everyone waiting may claim, first come.
    The key carries the time, as more places may come free later and each is news."""
    stamp = int(now.timestamp() * 1_000_000)
    for booking in waiting:
        _schedule(OPEN_OFFER, booking, now, key=_key(OPEN_OFFER, booking, stamp))


def on_ended(booking: Booking, session: Session, *, now: datetime) -> None:
    """A booking stopped being active. Its pending messages (the reminder, a confirmation
    not yet sent) are voided here; the person is told, unless the booking was moved or its
    session cancelled, which `on_moved` and `on_session_cancelled` tell in their own words."""
    outbox_void(about=booking)
    ending = booking.ending
    was_place = booking.confirmed_at is not None and ending != Booking.Ending.LEFT_WAITING_LIST
    if ending in (Booking.Ending.CANCELLED, Booking.Ending.REMOVED):
        Booking.objects.filter(pk=booking.pk).update(
            calendar_sequence=booking.calendar_sequence + 1
        )
        booking.calendar_sequence += 1
        _schedule(CANCELLED, booking, now, key=_key(CANCELLED, booking), had_place=was_place)
    elif ending == Booking.Ending.LEFT_WAITING_LIST:
        _schedule(WAITING_LEFT, booking, now, key=_key(WAITING_LEFT, booking))
    elif ending == Booking.Ending.OFFER_EXPIRED:
        _schedule(OFFER_LAPSED, booking, now, key=_key(OFFER_LAPSED, booking))
    if booking.late_cancellation:
        for trainer in session_trainers(session):
            outbox_schedule(
                kind=LATE_RELEASE,
                about=booking,
                recipient=trainer,
                due_at=now,
                key=_key(LATE_RELEASE, booking, trainer.pk),
            )


def on_moved(old: Booking, new: Booking, *, now: datetime, notify: bool = True) -> None:
    """`old` was moved to `new` (another session of the course). The new booking keeps the
    old one's calendar event, one version on, so calendars move the event they have."""
    new.calendar_uid = calendar.booking_uid(old)
    new.calendar_sequence = old.calendar_sequence + 1
    Booking.objects.filter(pk=new.pk).update(
        calendar_uid=new.calendar_uid, calendar_sequence=new.calendar_sequence
    )
    if notify:
        _schedule(
            BOOKING_MOVED,
            new,
            now,
            key=_key(BOOKING_MOVED, new),
            from_booking=old.pk,
            had_place=old.confirmed_at is not None,
        )
    if new.status == Booking.Status.CONFIRMED:
        _schedule_reminder(new, new.session, now)


def on_session_cancelled(
    session: Session, endings: list[tuple[Booking, Booking | None]], *, now: datetime
) -> None:
    """Tell everyone on a cancelled session, with the session they were moved to if any.
    Voids the session's own pending messages (the trainers' roster)."""
    outbox_void(about=session)
    for old, new in endings:
        was_confirmed = (
            old.confirmed_at is not None and old.ending != Booking.Ending.LEFT_WAITING_LIST
        )
        if new is None:
            Booking.objects.filter(pk=old.pk).update(calendar_sequence=old.calendar_sequence + 1)
            old.calendar_sequence += 1
        _schedule(
            SESSION_CANCELLED,
            old,
            now,
            key=_key(SESSION_CANCELLED, old),
            replacement=new.pk if new is not None else None,
            had_place=was_confirmed,
        )


def on_session_created(session: Session, *, now: datetime) -> None:
    """Queue the trainers' roster for the day before."""
    _schedule_rosters(session, now)


def _roster_due(session: Session) -> datetime:
    return session.starts_at - timedelta(hours=ROSTER_HOURS_BEFORE)


def _schedule_rosters(session: Session, now: datetime) -> None:
    due = _roster_due(session)
    if due <= now:
        return
    for trainer in session_trainers(session):
        _schedule_to_trainer(
            ROSTER, session, trainer, due, _key(ROSTER, session, trainer.pk, _stamp(session))
        )


def _stamp(session: Session) -> int:
    return int(session.starts_at.timestamp())


def _schedule_to_trainer(kind: str, about, trainer, due: datetime, key: str) -> None:
    """Queue `kind` for one trainer. A trainer taken off and put back finds their earlier
    row void under the same key: the new row gets the next free version of the key."""
    version = 1
    while True:
        row = outbox_schedule(kind=kind, about=about, recipient=trainer, due_at=due, key=key)
        if row.status != OutboxMessage.Status.VOID:
            return
        version += 1
        key = f"{key.rsplit('~', 1)[0]}~{version}"


def on_trainers_changed(sessions: Iterable[Session], *, now: datetime) -> None:
    """Who runs these sessions changed (their own trainers, or the course's for a session
    without its own). Each session's roster is queued for every trainer now running it and
    voided for anyone no longer running it; a late-release note not yet sent goes to the
    trainers as they now are. Called inside the transaction of the change."""
    for session in sessions:
        trainers = {t.pk: t for t in session_trainers(session)}
        _sync_rosters(session, now, trainers)
        _sync_late_release_notes(session, now, trainers)


def _sync_rosters(session: Session, now: datetime, trainers: dict | None = None) -> None:
    """One pending roster per trainer of the session while its time is still to come,
    and none for anyone else. Rows already pending keep their due time."""
    due = _roster_due(session)
    if trainers is None:
        trainers = {t.pk: t for t in session_trainers(session)}
    if due <= now or session.status != Session.Status.SCHEDULED:
        trainers = {}
    holding = outbox_pending_recipients(about=session, kinds=[ROSTER])
    if holding - trainers.keys():
        outbox_void(about=session, kinds=[ROSTER], recipients=holding - trainers.keys())
    for pk, trainer in trainers.items():
        if pk not in holding:
            _schedule_to_trainer(
                ROSTER, session, trainer, due, _key(ROSTER, session, pk, _stamp(session))
            )


def _sync_late_release_notes(session: Session, now: datetime, trainers: dict) -> None:
    """A note about a late release that is still waiting to go out is for whoever runs the
    session now; one already sent is not sent again to a newcomer."""
    for booking in session.bookings.filter(late_cancellation=True).only("pk"):
        holding = outbox_pending_recipients(about=booking, kinds=[LATE_RELEASE])
        if not holding:
            continue
        if holding - trainers.keys():
            outbox_void(about=booking, kinds=[LATE_RELEASE], recipients=holding - trainers.keys())
        for pk, trainer in trainers.items():
            if pk not in holding:
                _schedule_to_trainer(
                    LATE_RELEASE, booking, trainer, now, _key(LATE_RELEASE, booking, pk)
                )


def _next_calendar_version(bookings: list[Booking]) -> None:
    """One calendar version on for each booking, in the database and in hand, so the next
    invite updates the event people's calendars already hold."""
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        calendar_sequence=F("calendar_sequence") + 1
    )
    for booking in bookings:
        booking.calendar_sequence += 1


def on_session_rescheduled(session: Session, *, now: datetime) -> None:
    """A session moved to a new time: everyone on it gets an updated invite (one calendar
    version on), and the reminders and rosters move with it."""
    if session.ends_at <= now:
        return
    active = list(
        session.bookings.filter(status__in=Booking.ACTIVE).select_related("person", "session")
    )
    if not active and not session_trainers(session):
        return
    _next_calendar_version(active)
    for booking in active:
        # A change of place not yet sent is folded into this notice: one e-mail says both.
        place_changed = outbox_void(about=booking, kinds=[PLACE_CHANGED]) > 0
        _schedule(
            RESCHEDULED,
            booking,
            now,
            key=_key(RESCHEDULED, booking, booking.calendar_sequence),
            sequence=booking.calendar_sequence,
            **({"place_changed": True} if place_changed else {}),
        )
        if booking.status != Booking.Status.CONFIRMED:
            continue
        due = _reminder_due(booking, session)
        if due <= now:
            outbox_void(about=booking, kinds=[REMINDER])
        elif not outbox_reschedule(about=booking, kinds=[REMINDER], due_at=due):
            _schedule_reminder(booking, session, now)
    roster_due = _roster_due(session)
    if roster_due > now:
        outbox_reschedule(about=session, kinds=[ROSTER], due_at=roster_due)
    _sync_rosters(session, now)


def on_session_place_changed(session: Session, changed: list[str], *, now: datetime) -> None:
    """The venue or the online link (`changed` names which) of a session to come changed.
    Everyone with a place gets an updated invite, one calendar version on, with a short
    note; a time change still waiting to go out is folded into it, so one e-mail says
    both. The waiting list is not told: they learn the place with a place."""
    if session.ends_at <= now or session.status != Session.Status.SCHEDULED:
        return
    places = list(session.bookings.filter(status=Booking.Status.CONFIRMED).select_related("person"))
    _next_calendar_version(places)
    for booking in places:
        time_changed = outbox_void(about=booking, kinds=[RESCHEDULED]) > 0
        _schedule(
            PLACE_CHANGED,
            booking,
            now,
            key=_key(PLACE_CHANGED, booking, booking.calendar_sequence),
            sequence=booking.calendar_sequence,
            changed=sorted(changed),
            time_changed=time_changed,
        )


def on_reminder_hours_changed(course, *, now: datetime) -> None:
    """The course's reminder time changed: move the pending reminders of its places to come
    (void those whose new time has passed), and queue one for a place that had none because
    it was booked inside the old reminder time."""
    upcoming = Booking.objects.filter(
        session__course=course,
        session__starts_at__gt=now,
        status=Booking.Status.CONFIRMED,
    ).select_related("session__course")
    for booking in upcoming:
        due = _reminder_due(booking, booking.session)
        if due <= now:
            outbox_void(about=booking, kinds=[REMINDER])
        elif not outbox_reschedule(about=booking, kinds=[REMINDER], due_at=due):
            # None pending: booked inside the old reminder time, or its reminder was
            # withdrawn by an earlier change whose time had passed, so the new time may be
            # worth a reminder again (never a second one after one was sent).
            key = _reminder_key_again(booking)
            if key is not None:
                _schedule(REMINDER, booking, due, key=key)


def _reminder_key_again(booking: Booking) -> str | None:
    """The key for queuing this place's reminder (at its calendar sequence) once more: the
    plain key when there was none, a numbered one ("…~2") after withdrawn ones, and None
    when one was sent or is being sent."""
    base = _key(REMINDER, booking, booking.calendar_sequence)
    earlier = [
        status
        for key, status in OutboxMessage.objects.filter(
            content_type=ContentType.objects.get_for_model(Booking),
            object_id=booking.pk,
            kind=REMINDER,
        ).values_list("dedupe_key", "status")
        if key == base or key.startswith(f"{base}~")
    ]
    if any(status != OutboxMessage.Status.VOID for status in earlier):
        return None
    return f"{base}~{len(earlier) + 1}" if earlier else base


# --- The kinds -------------------------------------------------------------------------


def _live(session: Session | None, *, until: str = "ends_at") -> bool:
    """Scheduled, and not yet over (or, with until="starts_at", not yet started)."""
    return (
        session is not None
        and session.status == Session.Status.SCHEDULED
        and not session.imported
        and getattr(session, until) > timezone.now()
    )


def session_facts(session: Session, *, booking: Booking | None = None) -> dict[str, Any]:
    """What every message says about a session: when, where, and the joining link only for
    a confirmed place."""
    confirmed = booking is not None and booking.status == Booking.Status.CONFIRMED
    return {
        "session": session,
        "course": session.course,
        "when": format_span(session.starts_at, session.ends_at),
        "start_text": f"{format_date(session.starts_at)} at {format_time(session.starts_at)}",
        "venue": session.venue,
        "online": bool(session.online_link),
        "online_link": session.online_link if confirmed else "",
        "session_url": settings.SITE_URL + session.get_absolute_url(),
    }


class TrainingMessage(MessageKind):
    """A message to a person about their booking (`about` is the Booking)."""

    attach_invite: str | None = None  # calendar.REQUEST or calendar.CANCEL
    related = ("session__course", "person")  # what every message reads (see MessageKind)

    def still_due(self, message) -> bool:
        booking = message.about
        return booking is not None and self.booking_due(booking)

    def booking_due(self, booking: Booking) -> bool:
        return _live(booking.session)

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        booking = message.about
        context.update(session_facts(booking.session, booking=booking))
        context.update(
            booking=booking,
            person=booking.person,
            first_name=booking.person.first_name,
            manage_url=settings.SITE_URL + booking.get_absolute_url(),
            my_bookings_url=settings.SITE_URL + reverse("training:my_bookings"),
            messages_url=settings.SITE_URL + reverse("notifications:sent"),
        )
        return context

    def invite_method(self, message, context) -> str | None:
        return self.attach_invite

    def attachments(self, message, context) -> list:
        method = self.invite_method(message, context)
        return [calendar.invite_attachment(message.about, method=method)] if method else []

    def headers(self, message, context) -> dict[str, str]:
        # Tells mail systems not to send out-of-office replies to an automatic message.
        return {"Auto-Submitted": "auto-generated"}


def _confirmed(booking: Booking) -> bool:
    return booking.status == Booking.Status.CONFIRMED and _live(booking.session)


@message_kind(CONFIRMED)
class PlaceConfirmed(TrainingMessage):
    label = "Place confirmed"
    attach_invite = calendar.REQUEST

    def booking_due(self, booking):
        return _confirmed(booking)

    def get_context(self, message):
        context = super().get_context(message)
        booking = message.about
        context["note"] = render_note(
            booking.session.course.confirmation_note, note_values(booking)
        )
        return context


@message_kind(PROMOTED)
class Promoted(PlaceConfirmed):
    label = "Place from the waiting list"


@message_kind(WAITING_JOINED)
class WaitingJoined(TrainingMessage):
    label = "Joined the waiting list"

    def booking_due(self, booking):
        # Promoted before this went out: the "you have a place" message says it all.
        return booking.status == Booking.Status.WAITING and _live(booking.session)


@message_kind(WAITING_LEFT)
class WaitingLeft(TrainingMessage):
    label = "Left the waiting list"


@message_kind(CANCELLED)
class PlaceCancelled(TrainingMessage):
    label = "Booking cancelled"

    def booking_due(self, booking):
        return booking.status == Booking.Status.CANCELLED and _live(booking.session)

    def invite_method(self, message, context):
        return calendar.CANCEL if context.get("had_place") else None


@message_kind(RESCHEDULED)
class SessionRescheduled(TrainingMessage):
    label = "Session moved to a new time"

    def booking_due(self, booking):
        return booking.is_active and _live(booking.session)

    def still_due(self, message):
        booking = message.about
        # A later reschedule queued its own notice: only the newest goes out.
        return (
            super().still_due(message)
            and (message.context or {}).get("sequence") == booking.calendar_sequence
        )

    def invite_method(self, message, context):
        return calendar.REQUEST if message.about.status == Booking.Status.CONFIRMED else None


@message_kind(PLACE_CHANGED)
class SessionPlaceChanged(TrainingMessage):
    """To people with a place: the venue or the joining link changed. The invite updates
    the event already in their calendar."""

    label = "Session moved to a new place or link"
    attach_invite = calendar.REQUEST

    def booking_due(self, booking):
        return _confirmed(booking)

    def still_due(self, message):
        # A later change queued its own notice: only the newest goes out.
        return (
            super().still_due(message)
            and (message.context or {}).get("sequence") == message.about.calendar_sequence
        )

    def get_context(self, message):
        context = super().get_context(message)
        changed = context.get("changed") or []
        what = "place" if "venue" in changed else "joining link"
        if context.get("time_changed"):
            context["headline"] = f"Your session has a new time and {what}."
            context["subject_start"] = f"New time and {what}"
        else:
            both = "venue" in changed and "online_link" in changed
            context["headline"] = (
                "The place and the joining link for your session have changed."
                if both
                else f"The {what} for your session has changed."
            )
            context["subject_start"] = f"New {what}"
        return context


@message_kind(BOOKING_MOVED)
class BookingMoved(TrainingMessage):
    label = "Booking moved to another session"

    def booking_due(self, booking):
        return booking.is_active and _live(booking.session)

    def get_context(self, message):
        context = super().get_context(message)
        from_id = context.get("from_booking")
        context["from_booking"] = (
            Booking.objects.select_related("session__course").filter(pk=from_id).first()
            if from_id
            else None
        )
        return context

    def invite_method(self, message, context):
        if message.about.status == Booking.Status.CONFIRMED:
            return calendar.REQUEST
        # Moved onto a waiting list: the old event leaves the calendar.
        return calendar.CANCEL if context.get("had_place") else None


@message_kind(SESSION_CANCELLED)
class SessionCancelled(TrainingMessage):
    label = "Session cancelled"

    def booking_due(self, booking):
        # The session is cancelled (that is the news); it must not be long over.
        return booking.session.ends_at > timezone.now()

    def get_context(self, message):
        context = super().get_context(message)
        replacement_id = context.get("replacement")
        replacement = (
            Booking.objects.select_related("session__course", "person")
            .filter(pk=replacement_id)
            .first()
            if replacement_id
            else None
        )
        context["replacement"] = replacement
        if replacement is not None:
            context["replacement_facts"] = session_facts(replacement.session, booking=replacement)
            context["replacement_url"] = settings.SITE_URL + replacement.get_absolute_url()
        return context

    def attachments(self, message, context):
        replacement = context.get("replacement")
        if replacement is not None and replacement.status == Booking.Status.CONFIRMED:
            # Same calendar event, moved to the replacement session.
            return [calendar.invite_attachment(replacement, method=calendar.REQUEST)]
        if context.get("had_place"):
            return [calendar.invite_attachment(message.about, method=calendar.CANCEL)]
        return []


@message_kind(REMINDER)
class Reminder(TrainingMessage):
    label = "Reminder before a session"

    def booking_due(self, booking):
        return booking.status == Booking.Status.CONFIRMED and _live(
            booking.session, until="starts_at"
        )

    def get_context(self, message):
        context = super().get_context(message)
        booking = message.about
        context.update(
            note=render_note(booking.session.course.reminder_note, note_values(booking)),
            coming_url=booking_link_url(booking, "coming"),
            release_url=booking_link_url(booking, "release"),
            late=timezone.now() >= booking.session.late_cancellation_from(),
        )
        return context


class TrainerMessage(TrainingMessage):
    related = ()  # (about a Booking or a Session, depending on the kind)

    def get_context(self, message):
        context = MessageKind.get_context(self, message)
        context["first_name"] = message.recipient.first_name if message.recipient else ""
        return context


@message_kind(ROSTER)
class Roster(TrainerMessage):
    """To each trainer, the day before: everyone with a place, their answers and access
    needs, and the waiting list. `about` is the Session."""

    label = "Session roster for trainers"

    def still_due(self, message):
        session = message.about
        if not _live(session, until="starts_at") or message.recipient is None:
            return False
        return any(t.pk == message.recipient_id for t in session_trainers(session))

    def get_context(self, message):
        context = super().get_context(message)
        session = message.about
        places = list(
            session.bookings.filter(status=Booking.Status.CONFIRMED)
            .select_related("person")
            .order_by("person__name", "id")
        )
        waiting = list(
            session.bookings.filter(status=Booking.Status.WAITING)
            .select_related("person")
            .order_by("waiting_since", "id")
        )
        context.update(session_facts(session))
        context.update(
            places=places,
            waiting=waiting,
            register_url=settings.SITE_URL + reverse("training:manage_register", args=[session.pk]),
            manage_url=settings.SITE_URL + reverse("training:manage_session", args=[session.pk]),
            online_link=session.online_link,
        )
        return context

    def attachments(self, message, context):
        return []


@message_kind(LATE_RELEASE)
class LateRelease(TrainerMessage):
    """To each trainer: someone gave up their place inside the late-cancellation window."""

    label = "Place released at short notice (trainers)"
    related = ("session__course", "person")

    def still_due(self, message):
        booking = message.about
        if booking is None or not _live(booking.session) or message.recipient_id is None:
            return False
        # For the trainers as they are: someone taken off the session is not told.
        return any(t.pk == message.recipient_id for t in session_trainers(booking.session))

    def get_context(self, message):
        context = super().get_context(message)
        booking = message.about
        session = booking.session
        context.update(session_facts(session))
        context.update(
            booking=booking,
            person=booking.person,
            released_at=booking.ended_at,
            waiting_count=session.bookings.filter(status=Booking.Status.WAITING).count(),
            places_left=session.places_left,
            manage_url=settings.SITE_URL + reverse("training:manage_session", args=[session.pk]),
            online_link=session.online_link,
        )
        return context

    def attachments(self, message, context):
        return []


# --- Offer mode ------------------------------------------------------------------------


@due_work("training.expire_offers")
def expire_offers(now: datetime) -> int:
    """Run by `guildbook worker` before each batch: lapsed offers end and pass down the
    list, and their "your offer has lapsed" e-mails go out in that batch."""
    from guildbook.training.services import expire_offers as expire

    return expire(now=now)


@message_kind(OFFERED)
class PlaceOffered(TrainingMessage):
    """A place held for this person until the offer's time; a link to claim it and one to
    pass it on, each opening a page with one button."""

    label = "Place offered from the waiting list"

    def booking_due(self, booking):
        return (
            booking.status == Booking.Status.OFFERED
            and booking.offer_expires_at > timezone.now()
            and _live(booking.session, until="starts_at")
        )

    def get_context(self, message):
        context = super().get_context(message)
        booking = message.about
        context.update(
            expires_at=booking.offer_expires_at,
            expires_text=(
                f"{format_date(booking.offer_expires_at)} at "
                f"{format_time(booking.offer_expires_at)}"
            ),
            claim_url=booking_link_url(booking, "claim"),
            decline_url=booking_link_url(booking, "decline"),
        )
        return context


@message_kind(OPEN_OFFER)
class PlaceOpen(TrainingMessage):
    """Last 24 hours: a place came free and everyone waiting is told; first to claim it."""

    label = "Place free to claim (last 24 hours)"

    def booking_due(self, booking):
        session = booking.session
        return (
            booking.status == Booking.Status.WAITING
            and session.places_taken < session.capacity
            and _live(session, until="starts_at")
        )

    def get_context(self, message):
        context = super().get_context(message)
        context["claim_url"] = booking_link_url(message.about, "claim")
        return context


@message_kind(OFFER_LAPSED)
class OfferLapsed(TrainingMessage):
    label = "Offered place not claimed in time"

    def booking_due(self, booking):
        return booking.ending == Booking.Ending.OFFER_EXPIRED and _live(
            booking.session, until="starts_at"
        )
