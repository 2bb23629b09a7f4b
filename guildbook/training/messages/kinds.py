"""Training's message kinds: what each e-mail says and whether it is still due.

Each kind's `still_due` checks the state again just before sending: nothing goes out for a
cancelled session, a cancelled booking's reminder, or a session that is already over
(which also keeps the demo's two years of history out of people's inboxes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from guildbook.core.timefmt import format_date, format_span, format_time
from guildbook.notifications.due_work import due_work
from guildbook.notifications.kinds import MessageKind, message_kind
from guildbook.training import calendar
from guildbook.training.links import booking_link_url
from guildbook.training.models import Booking, Session
from guildbook.training.notes import note_values, render_note

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
OFFER_DECLINED = "training.offer_declined"


def session_trainers(session: Session) -> list:
    """The session's own trainers, or the course's when the session names none."""
    return list(session.trainers.all()) or list(session.course.trainers.all())


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
        "where": session.where,  # the pages' and feeds' words (venues.where)
        "online_link": session.online_link if confirmed else "",
        "session_url": settings.SITE_URL + session.get_absolute_url(),
    }


class TrainingMessage(MessageKind):
    """A message to a person about their booking (`about` is the Booking)."""

    attach_invite: str | None = None  # calendar.REQUEST or calendar.CANCEL
    related = ("session__course", "person")  # what every message reads (see MessageKind)
    due_status: str | None = None  # the booking's status while the message is due; None: any

    def still_due(self, message) -> bool:
        booking = message.about
        return booking is not None and self.booking_due(booking)

    def booking_due(self, booking: Booking) -> bool:
        """Still due: the booking is in `due_status` (if the kind names one) and its session
        has not ended or been cancelled."""
        if self.due_status is not None and booking.status != self.due_status:
            return False
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


def _place_note(booking: Booking) -> str:
    """The trainer's paragraph for someone given a place (on a session they were moved to,
    too): what the confirmation would have said. Nothing for a place on a waiting list."""
    if booking.status != Booking.Status.CONFIRMED:
        return ""
    return render_note(booking.session.course.confirmation_note, note_values(booking))


@message_kind(CONFIRMED)
class PlaceConfirmed(TrainingMessage):
    label = "Place confirmed"
    attach_invite = calendar.REQUEST
    due_status = Booking.Status.CONFIRMED

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
    # Promoted before this went out: the "you have a place" message says it all.
    due_status = Booking.Status.WAITING


@message_kind(WAITING_LEFT)
class WaitingLeft(TrainingMessage):
    label = "Left the waiting list"


@message_kind(CANCELLED)
class PlaceCancelled(TrainingMessage):
    label = "Booking cancelled"
    due_status = Booking.Status.CANCELLED

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
    due_status = Booking.Status.CONFIRMED

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
        context["note"] = _place_note(message.about)
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
            context["note"] = _place_note(replacement)
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
        if booking is None or not _live(booking.session):
            return False
        trainers = session_trainers(booking.session)
        if message.recipient_id is None:  # to the training inbox, while nobody runs it
            return bool(message.to_address) and not trainers
        # For the trainers as they are: someone taken off the session is not told.
        return any(t.pk == message.recipient_id for t in trainers)

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


@due_work("training.extend_series")
def extend_series(now: datetime) -> int:
    """Run by `guildbook worker` before each batch: series stay filled their set number of
    months ahead as time passes (one query when they all are)."""
    from guildbook.training.services import series_extend_due

    return series_extend_due(now=now)


@due_work("training.offers_expire")
def offers_expire(now: datetime) -> int:
    """Run by `guildbook worker` before each batch: lapsed offers end and pass down the
    list, and their "your offer has lapsed" e-mails go out in that batch."""
    from guildbook.training.services import offers_expire as expire

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


@message_kind(OFFER_DECLINED)
class OfferDeclined(TrainingMessage):
    label = "Offered place passed on"

    def booking_due(self, booking):
        return booking.ending == Booking.Ending.DECLINED_OFFER and _live(
            booking.session, until="starts_at"
        )
