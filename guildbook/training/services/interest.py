""" "Tell me when there's a date": registering interest in a course, and telling it first.

A person who finds a course with no date to book may register their interest (one open
CourseInterest per person and course, a partial unique index). When sessions are made for
the course, in the same transaction, each open interest not already told of a date to come
becomes an early BookingAlert on the earliest of the new sessions (training/alerts.py): its
e-mail is due the course's head start before booking opens, and from then that person may
book (the booking service checks, selectors/bookings.py). The e-mail moves with the opening
and is voided when the session is cancelled, like every alert. Booking any session of the
course since asking answers the interest: it is recorded as fulfilled (`interests_settle`)
and kept as history, and insights counts it as demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.services import outbox_schedule, outbox_void
from guildbook.training.alerts import BOOKING_OPENS, alert_due_at
from guildbook.training.models import Booking, BookingAlert, Course, CourseInterest, Session
from guildbook.training.selectors.interest import booked_since_asking, course_has_upcoming_date


def interest_register(*, course: Course, person: User, actor: User | None) -> CourseInterest:
    """Ask to be told when `course` has a date. Asking twice keeps the one interest.
    Refused for a course that is no longer running, or that has a date to come (whose page
    offers booking, or "tell me when booking opens")."""
    if course.status == Course.Status.ARCHIVED:
        raise ServiceError("This course is no longer running.", field="course")
    with transaction.atomic():
        interests_settle(course_id=course.pk)
        existing = CourseInterest.objects.filter(
            course=course, person=person, fulfilled_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        if course_has_upcoming_date(course):
            raise ServiceError(
                "This course has a date to come: choose it on the course page.", field="course"
            )
        try:
            with transaction.atomic():
                interest = CourseInterest.objects.create(course=course, person=person)
        except IntegrityError:  # asked twice at once: the other request's interest stands
            return CourseInterest.objects.get(
                course=course, person=person, fulfilled_at__isnull=True
            )
        audit_record(actor=actor, action="course_interest_registered", subject=course)
    return interest


def interest_withdraw(*, interest: CourseInterest, actor: User | None) -> None:
    """Stop telling the person: the interest goes, and with it any early alert it made and
    that alert's e-mail if not sent yet."""
    with transaction.atomic():
        for alert in BookingAlert.objects.filter(interest=interest):
            outbox_void(about=alert)
            alert.delete()
        audit_record(actor=actor, action="course_interest_withdrawn", subject=interest.course)
        interest.delete()


def interest_tell(sessions: Sequence[Session], *, now: datetime | None = None) -> int:
    """Called inside the transaction that made `sessions` (one course's, a single session or
    a series' new dates, a closed session opened to everyone): each open interest in the
    course that has no early alert on a date still to come gets one on the earliest new
    session, with its e-mail due at that session's early opening. A closed session (for one
    team) is told only to that team's people. Returns how many people will be told."""
    sessions = [s for s in sessions if s.status == Session.Status.SCHEDULED and not s.imported]
    if not sessions:
        return 0
    now = now or timezone.now()
    first = min(sessions, key=lambda s: (s.starts_at, s.pk))
    if first.starts_at <= now:
        return 0
    interests_settle(course_id=first.course_id)
    told_already = BookingAlert.objects.filter(
        interest__isnull=False,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gt=now,
    ).values("interest_id")
    open_interest = CourseInterest.objects.filter(
        course_id=first.course_id, fulfilled_at__isnull=True
    ).exclude(pk__in=told_already)
    if first.for_team_id is not None:  # a closed session: only its team can see and book it
        open_interest = open_interest.filter(person__directory_team_id=first.for_team_id)
    interests = list(open_interest.select_related("person"))
    told = 0
    for interest in interests:
        alert = BookingAlert.objects.filter(session=first, person=interest.person).first()
        if alert is None:
            alert = BookingAlert.objects.create(
                session=first, person=interest.person, interest=interest
            )
        else:  # already asked to hear when booking opens: the same alert, now early
            outbox_void(about=alert, kinds=[BOOKING_OPENS])
            alert.interest = interest
            alert.save(update_fields=["interest"])
        outbox_schedule(
            kind=BOOKING_OPENS,
            about=alert,
            recipient=interest.person,
            due_at=max(alert_due_at(alert, first), now),
            key=f"{BOOKING_OPENS}:alert:{alert.pk}:early",
        )
        told += 1
    return told


def interests_settle(*, course_id: int) -> int:
    """Record as fulfilled, at the time of the booking, each open interest in the course
    whose person has booked a session of it since asking (kept as history). Booking itself
    does not write to interests, so the busiest write stays as short as it is; readers apply
    the same rule (selectors.interest), and this runs before interest is told or registered
    again. Returns how many were settled."""
    first_booking = (
        Booking.objects.filter(
            person_id=OuterRef("person_id"),
            session__course_id=OuterRef("course_id"),
            created_at__gte=OuterRef("created_at"),
        )
        .order_by()
        .values("person_id")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    with transaction.atomic():
        return (
            CourseInterest.objects.filter(course_id=course_id, fulfilled_at__isnull=True)
            .filter(booked_since_asking())
            .update(fulfilled_at=Subquery(first_booking))
        )
