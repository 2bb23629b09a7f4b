""" "Tell me when booking opens": alerts, their e-mail, and keeping the e-mail on time.

A person who finds a session whose booking has not opened yet may ask to be told when it
opens. The alert is a row (BookingAlert) and an outbox message about it, due at the
opening, written in the same transaction. When the opening moves (the session is
rescheduled, or the course's "booking opens N days before" changes), `alerts_follow`
moves the pending messages with it, inside the transaction of that change. A cancelled
session, or a person who already holds a place or waiting-list entry, is not e-mailed: the
worker asks `still_due` just before sending; cancelling a session voids its alerts' e-mail.

"Tell me when there's a date" (services/interest.py) extends this: when a session is made
for a course with open interest, each interested person gets an *early* alert on it (one
that points at their CourseInterest). Its e-mail is due the course's head start before the
opening (`alert_due_at`), when that person, and nobody else, may book
(selectors/bookings.py, `booking_refusal`). It moves with the opening like any alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_time
from guildbook.notifications.kinds import MessageKind, message_kind
from guildbook.notifications.services import outbox_reschedule, outbox_schedule, outbox_void
from guildbook.training.models import Booking, BookingAlert, Course, Session

BOOKING_OPENS = "training.booking_opens"


# --- Writes ------------------------------------------------------------------------------


def booking_alert_create(*, session: Session, person: User, actor: User | None) -> BookingAlert:
    """Ask for an e-mail when booking for `session` opens. Asking twice keeps the one alert.
    Refused when booking is already open, or the session is cancelled or has started."""
    now = timezone.now()
    if session.is_cancelled or session.starts_at <= now:
        raise ServiceError("This session can no longer be booked.")
    opens = session.booking_opens_at()
    if opens <= now:
        raise ServiceError("Booking for this session is already open: you can book now.")
    with transaction.atomic():
        alert = BookingAlert.objects.filter(session=session, person=person).first()
        if alert is not None:
            return alert
        try:
            with transaction.atomic():
                alert = BookingAlert.objects.create(session=session, person=person)
        except IntegrityError:  # asked twice at once: the other request's alert stands
            return BookingAlert.objects.get(session=session, person=person)
        outbox_schedule(
            kind=BOOKING_OPENS, about=alert, recipient=person, due_at=opens, about_is_new=True
        )
        audit_record(actor=actor, action="booking_alert_created", subject=session)
    return alert


def booking_alert_remove(*, alert: BookingAlert, actor: User | None) -> None:
    """Stop the alert: its e-mail, if not sent yet, is voided with it."""
    with transaction.atomic():
        outbox_void(about=alert)
        audit_record(actor=actor, action="booking_alert_removed", subject=alert.session)
        alert.delete()


def alert_due_at(alert: BookingAlert, session: Session):
    """When the alert's e-mail is due: the opening, or for an early alert (made from the
    person's interest in the course) the head start before it."""
    if alert.interest_id is not None:
        return session.early_booking_opens_at()
    return session.booking_opens_at()


def alerts_follow(sessions: Iterable[Session]) -> int:
    """Called inside the transaction that moved these sessions' opening (a reschedule, or a
    course's booking window or head start changed): each pending alert e-mail moves to the
    new opening (or early opening). Returns how many moved."""
    moved = 0
    for session in sessions:
        for alert in BookingAlert.objects.filter(session=session):
            due = alert_due_at(alert, session)
            moved += outbox_reschedule(about=alert, kinds=[BOOKING_OPENS], due_at=due)
    return moved


def alerts_withdraw(session: Session) -> int:
    """Called inside the transaction that cancels `session`: its alerts' pending e-mails
    are voided (the alerts stay, as a record of who asked). Returns how many."""
    return sum(
        outbox_void(about=alert, kinds=[BOOKING_OPENS])
        for alert in BookingAlert.objects.filter(session=session)
    )


def alerts_follow_course(course: Course) -> int:
    """The course's booking window or head start changed: move the alerts of all its
    sessions to come."""
    sessions = Session.objects.filter(
        course=course, status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
    ).filter(alerts__isnull=False)
    sessions = list(sessions.distinct())
    for s in sessions:
        s.course = course
    return alerts_follow(sessions)


# --- Reads -------------------------------------------------------------------------------


def booking_alert_for(user, session: Session) -> BookingAlert | None:
    """The signed-in person's own alert for this session, if any."""
    if not user.is_authenticated:
        return None
    return BookingAlert.objects.filter(session=session, person=user).first()


def booking_alert_get_for_user(user, *, pk: int) -> BookingAlert:
    """One of the person's own alerts; anyone else's is a 404."""
    from django.http import Http404

    alert = BookingAlert.objects.filter(pk=pk, person=user).select_related("session").first()
    if alert is None:
        raise Http404("No such alert")
    return alert


# --- The e-mail ----------------------------------------------------------------------------


@message_kind(BOOKING_OPENS)
class BookingOpens(MessageKind):
    """ "Booking is open": sent at the opening to the person who asked."""

    label = "Booking is open"
    related = ("session__course", "person")

    def still_due(self, message) -> bool:
        alert = message.about
        if alert is None:
            return False
        session = alert.session
        return (
            session.status == Session.Status.SCHEDULED
            and session.starts_at > timezone.now()
            and not Booking.objects.filter(
                session=session, person_id=alert.person_id, status__in=Booking.ACTIVE
            ).exists()
        )

    def get_context(self, message) -> dict[str, Any]:
        from guildbook.training.messages import session_facts

        context = super().get_context(message)
        alert = message.about
        context.update(session_facts(alert.session))
        session = alert.session
        early = alert.interest_id is not None and timezone.now() < session.booking_opens_at()
        context.update(
            person=alert.person,
            first_name=alert.person.first_name,
            my_bookings_url=settings.SITE_URL + reverse("training:my_bookings"),
            early=early,
            from_interest=alert.interest_id is not None,
            general_opening=format_date(session.booking_opens_at())
            + " at "
            + format_time(session.booking_opens_at()),
        )
        return context

    def headers(self, message, context) -> dict[str, str]:
        return {"Auto-Submitted": "auto-generated"}
