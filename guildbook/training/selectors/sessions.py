"""Reads of sessions: for booking, for trainers, a course's and the upcoming ones."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.core.fast_paths import fast_paths_on
from guildbook.core.timefmt import day_end, day_start
from guildbook.training import sql
from guildbook.training.models import Booking, Course, Session
from guildbook.training.selectors.courses import course_visible


def open_to(user, prefix: str = "") -> Q:
    """Sessions this person may see listed: every session but the closed ones of other
    teams (trainers see those too)."""
    if roles.is_trainer(user):
        return Q()
    team = getattr(user, "directory_team_id", None)
    mine = Q(**{f"{prefix}for_team_id": team}) if team else Q(pk__in=[])
    return Q(**{f"{prefix}for_team__isnull": True}) | mine


def session_filter(
    prefix: str = "", *, course: Course | None, date_from: date | None, date_to: date | None
) -> Q:
    """Sessions of `course` (of any, for None) that start between `date_from` and `date_to`
    (both days included; either may be None), as a filter on `<prefix>`."""
    q = Q()
    if course is not None:
        q &= Q(**{f"{prefix}course": course})
    if date_from:
        q &= Q(**{f"{prefix}starts_at__gte": day_start(date_from)})
    if date_to:
        q &= Q(**{f"{prefix}starts_at__lte": day_end(date_to)})
    return q


def session_visible(user, session: Session, *, invitation: str | None = None) -> bool:
    """The course's visibility, and for a closed session: its team's people, trainers, and
    anyone who holds or held a booking on it (e.g. from their training record)."""
    if not course_visible(user, session.course, invitation=invitation):
        return False
    if not session.for_team_id or getattr(user, "directory_team_id", None) == session.for_team_id:
        return True
    if roles.is_trainer(user):
        return True
    return user.is_authenticated and Booking.objects.filter(session=session, person=user).exists()


def session_for_booking(user, *, pk: int, invitation: str | None = None) -> Session:
    """The session someone is about to book, with its course: one query, no counts."""
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None or not session_visible(user, session, invitation=invitation):
        raise Http404("No such session")
    return session


def session_to_book(user, *, pk: int) -> Session:
    """The session someone books through the API, with its course and only the fields
    booking reads: one query (training/sql.py, session_to_book), which on PostgreSQL also
    draws the new booking's id for booking_create. The ORM twin, when the fast paths are
    off, is session_for_booking."""
    if not fast_paths_on():
        return session_for_booking(user, pk=pk)
    session = sql.session_to_book(transaction.get_connection(), pk)
    if session is None or not session_visible(user, session):
        raise Http404("No such session")
    return session


def sessions_with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with their course and `waiting_list_length`.

    The count is a correlated subquery rather than a join with GROUP BY, so it combines with
    window functions and slicing, and uses the (session, status, …) index.
    """
    waiting = (
        Booking.objects.filter(session=OuterRef("pk"), status=Booking.Status.WAITING)
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.select_related("course").annotate(
        waiting_list_length=Coalesce(Subquery(waiting, output_field=IntegerField()), 0)
    )


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[Session]:
    now = now or timezone.now()
    return Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)


def session_get_for_user(user, *, pk: int, invitation: str | None = None) -> Session:
    session = (
        sessions_with_counts(Session.objects.filter(pk=pk))
        .select_related("course__category", "series")
        .prefetch_related("trainers")
        .first()
    )
    if session is None or not session_visible(user, session, invitation=invitation):
        raise Http404("No such session")
    return session


def session_for_trainer(user, *, pk: int) -> Session:
    if not roles.is_trainer(user):
        raise Http404("No such session")
    return session_get_for_user(user, pk=pk)


def sessions_of_course(course: Course, *, upcoming: bool = True, user=None) -> QuerySet[Session]:
    """A course's sessions; given `user`, only those listed for them (`open_to`)."""
    qs = sessions_with_counts(course.sessions.all())
    if user is not None:
        qs = qs.filter(open_to(user))
    if upcoming:
        qs = qs.filter(starts_at__gt=timezone.now(), status=Session.Status.SCHEDULED)
    return qs.order_by("starts_at", "id")


def other_sessions(session: Session, *, limit: int = 4, user=None) -> list[Session]:
    """Later dates of the same course still to come, for a session that is full or gone
    (given `user`, only those listed for them)."""
    qs = upcoming_sessions().filter(course_id=session.course_id).exclude(pk=session.pk)
    if user is not None:
        qs = qs.filter(open_to(user))
    others = list(sessions_with_counts(qs).order_by("starts_at", "id")[:limit])
    for other in others:
        other.course = session.course
    return others
