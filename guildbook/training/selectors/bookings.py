"""Reads of bookings: a person's own, a session's register and waiting list, whether a
session can be booked now and a place on the waiting list.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.core.timefmt import format_date, format_time
from guildbook.training.models import Booking, BookingAlert, Course, Session


def bookings_for_user(user, *, upcoming_only: bool = False) -> QuerySet[Booking]:
    qs = Booking.objects.filter(person=user).select_related("session__course")
    if upcoming_only:
        qs = qs.filter(session__ends_at__gt=timezone.now())
    return qs.order_by("session__starts_at", "id")


def booking_get_for_user(user, *, pk: int) -> Booking:
    """The person's own booking; trainers may open anyone's. Otherwise 404."""
    if not user.is_authenticated:
        raise Http404("No such booking")
    qs = Booking.objects.select_related("session__course", "person")
    if not roles.is_trainer(user):
        qs = qs.filter(person=user)
    booking = qs.filter(pk=pk).first()
    if booking is None:
        raise Http404("No such booking")
    return booking


def session_bookings(session: Session) -> QuerySet[Booking]:
    """Everyone on a session, for its trainer: places first, then the waiting list in order."""
    return session.bookings.select_related("person").order_by(
        "status", "confirmed_at", "waiting_since", "id"
    )


def register(session: Session) -> QuerySet[Booking]:
    return (
        session.bookings.filter(status=Booking.Status.CONFIRMED)
        .select_related("person")
        .order_by("person__name", "person__email")
    )


def waiting_list(session: Session) -> QuerySet[Booking]:
    return (
        session.bookings.filter(status=Booking.Status.WAITING)
        .select_related("person")
        .order_by("waiting_since", "id")
    )


def no_show_counts(person_ids, *, before: datetime | None = None) -> dict[int, int]:
    """How many sessions each person missed; `before` counts only sessions starting earlier."""
    qs = Booking.objects.filter(
        person_id__in=list(person_ids), attendance=Booking.Attendance.NO_SHOW
    )
    if before is not None:
        qs = qs.filter(session__starts_at__lt=before)
    rows = qs.values("person_id").annotate(n=Count("id"))
    return {r["person_id"]: r["n"] for r in rows}


def with_waiting_positions(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotate `waiting_list_position` (1 = next in line; None unless waiting) in the same
    query, so a list of bookings does not ask the database once per row."""
    ahead = (
        Booking.objects.filter(session_id=OuterRef("session_id"), status=Booking.Status.WAITING)
        .filter(
            Q(waiting_since__lt=OuterRef("waiting_since"))
            | Q(waiting_since=OuterRef("waiting_since"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        waiting_list_position=Case(
            When(
                status=Booking.Status.WAITING,
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def active_bookings_by_session(user, session_ids) -> dict[int, Booking]:
    """The person's place or waiting-list entry on each of these sessions (one query)."""
    if not user.is_authenticated:
        return {}
    qs = with_waiting_positions(
        Booking.objects.filter(
            person=user, session_id__in=list(session_ids), status__in=Booking.ACTIVE
        )
    )
    return {b.session_id: b for b in qs}


def my_bookings(user, *, now: datetime | None = None, past_limit: int = 50) -> dict:
    """The person's bookings for the My bookings page, in three lists: places to come,
    waiting-list entries (with positions), and the history, newest first."""
    now = now or timezone.now()
    base = Booking.objects.filter(person=user).select_related("session__course")
    active = list(
        with_waiting_positions(
            base.filter(status__in=Booking.ACTIVE, session__ends_at__gt=now)
        ).order_by("session__starts_at", "id")
    )
    # The history: every booking that has ended (cancelled, left, moved…) and every place
    # whose session is over (attended, no-show or not yet marked), newest first.
    past = list(
        base.filter(
            Q(status=Booking.Status.CANCELLED)
            | Q(status=Booking.Status.CONFIRMED, session__ends_at__lte=now)
        ).order_by("-session__starts_at", "-id")[:past_limit]
    )
    return {
        "upcoming": [b for b in active if b.status == Booking.Status.CONFIRMED],
        # A place offered from the waiting list is listed with the waiting lists.
        "waiting": [
            b for b in active if b.status in (Booking.Status.WAITING, Booking.Status.OFFERED)
        ],
        "past": past,
    }


def booking_refusal(
    session: Session, *, now: datetime | None = None, by_trainer: bool = False, person=None
) -> str | None:
    """Why this session cannot be booked now, in words for the person, or None.

    A closed session (`for_team`) takes only its team's people, linked to the team in the
    directory; a trainer may still add anyone. Without `person` that rule is not applied
    (a page asking whether the session itself is bookable).

    Before booking opens, `person` may book if they were told of the session through their
    interest in the course (an early alert) and the course's head start has begun."""
    now = now or timezone.now()
    course = session.course
    if (
        session.for_team_id
        and not by_trainer
        and person is not None
        and getattr(person, "directory_team_id", None) != session.for_team_id
    ):
        return closed_session_refusal(session)
    if session.is_cancelled:
        return "This session has been cancelled."
    if session.starts_at <= now:
        return "This session has already started, so it can no longer be booked."
    if course.status == Course.Status.ARCHIVED and not by_trainer:
        return "This course is no longer running."
    if by_trainer:
        return None
    opens = session.booking_opens_at()
    if now < opens and not _early_booking(session, person, now):
        return f"Booking opens on {format_date(opens)} at {format_time(opens)}."
    closes = session.booking_closes_at()
    if now >= closes:
        return f"Booking closed on {format_date(closes)} at {format_time(closes)}."
    return None


def _early_booking(session: Session, person, now: datetime) -> bool:
    """The person may book in the head start: their interest in the course made an early
    alert on this session, and the head start has begun."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if now < session.early_booking_opens_at():
        return False
    return BookingAlert.objects.filter(
        session_id=session.pk, person_id=person.pk, interest__isnull=False
    ).exists()


def waiting_position(booking: Booking) -> int | None:
    """1 for the head of the waiting list; None when the booking is not waiting."""
    if booking.status != Booking.Status.WAITING:
        return None
    ahead = Booking.objects.filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, id__lt=booking.pk),
        session_id=booking.session_id,
        status=Booking.Status.WAITING,
    )
    return ahead.count() + 1


def late_releases_without_trainer(*, now: datetime | None = None) -> QuerySet[Booking]:
    """Places released late on sessions still to come that no trainer runs (neither the
    session nor its course names one): nobody was e-mailed about them but the training
    inbox, so the trainers' dashboard lists them. Newest first."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            late_cancellation=True,
            session__status=Session.Status.SCHEDULED,
            session__ends_at__gt=now,
            session__trainers__isnull=True,
            session__course__trainers__isnull=True,
        )
        .select_related("session__course", "person")
        .order_by("-ended_at", "-id")
    )


def closed_session_refusal(session: Session) -> str:
    from guildbook.accounts.models import Team

    team = Team.objects.filter(pk=session.for_team_id).values_list("name", flat=True).first()
    return (
        f"This is a closed session for the {team or 'one'} team, so only people in that team "
        "can book it. If you are in the team, ask the trainer to add you."
    )
