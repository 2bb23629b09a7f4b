""" "Tell me when there's a date": reads of people's interest in courses (services/interest.py
writes it). Insights reads interest as demand through `interest_times`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.training.models import Booking, Course, CourseInterest, Session


def booked_since_asking() -> Exists:
    """The person has booked (or joined the waiting list of) a session of the course since
    they asked: their interest is answered. Booking does not write to the interest (the
    booking path stays as short as it is); `interests_settle` records it later."""
    return Exists(
        Booking.objects.filter(
            person_id=OuterRef("person_id"),
            session__course_id=OuterRef("course_id"),
            created_at__gte=OuterRef("created_at"),
        )
    )


def open_interest() -> QuerySet[CourseInterest]:
    """Interest still waiting for a date: not fulfilled, and not answered by a booking."""
    return CourseInterest.objects.filter(fulfilled_at__isnull=True).exclude(booked_since_asking())


def course_has_upcoming_date(course: Course, *, now: datetime | None = None) -> bool:
    """The course has a scheduled session still to come (its page offers that instead)."""
    now = now or timezone.now()
    return Session.objects.filter(
        course=course, status=Session.Status.SCHEDULED, starts_at__gt=now
    ).exists()


def interest_for(user, course: Course) -> CourseInterest | None:
    """The signed-in person's own open interest in the course, if any."""
    if not user.is_authenticated:
        return None
    return open_interest().filter(course=course, person=user).first()


def interest_get_for_user(user, course: Course) -> CourseInterest:
    """The person's own open interest in the course; none is a 404."""
    interest = interest_for(user, course)
    if interest is None:
        raise Http404("No such interest")
    return interest


@dataclass(frozen=True)
class InterestRow:
    person: User
    since: datetime
    team: str
    department: str
    organisation: str


def course_interest(course: Course) -> list[InterestRow]:
    """For the course's trainers: the people waiting to hear of a date, longest waiting
    first, with their team, department and organisation from the organisation directory
    (or, for someone not linked to it, the team and organisation they typed). One query."""
    rows = []
    for interest in (
        open_interest()
        .filter(course=course)
        .select_related("person__directory_team__department__organisation")
        .order_by("created_at", "id")
    ):
        person = interest.person
        team = person.directory_team
        if team is not None:
            department = team.department
            where = (team.name, department.name, department.organisation.name)
        else:
            where = (person.team, "", person.organisation)
        rows.append(InterestRow(person, interest.created_at, *where))
    return rows


def interest_times(course: Course) -> list[tuple[int, datetime]]:
    """Every interest registered in the course, open or fulfilled, as (person id, when
    registered): demand for the frequency planner. One query."""
    return list(
        CourseInterest.objects.filter(course=course)
        .order_by("created_at", "id")
        .values_list("person_id", "created_at")
    )
