"""Reads of sessions: for booking, for trainers, a course's and the upcoming ones."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.core.fast_paths import fast_paths_on
from guildbook.training import sql
from guildbook.training.models import Booking, Course, Session
from guildbook.training.selectors.courses import course_visible


def session_for_booking(user, *, pk: int, invitation: str | None = None) -> Session:
    """The session someone is about to book, with its course: one query, no counts."""
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None or not course_visible(user, session.course, invitation=invitation):
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
    if session is None or not course_visible(user, session.course):
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
    if session is None or not course_visible(user, session.course, invitation=invitation):
        raise Http404("No such session")
    return session


def session_for_trainer(user, *, pk: int) -> Session:
    if not roles.is_trainer(user):
        raise Http404("No such session")
    return session_get_for_user(user, pk=pk)


def sessions_of_course(course: Course, *, upcoming: bool = True) -> QuerySet[Session]:
    qs = sessions_with_counts(course.sessions.all())
    if upcoming:
        qs = qs.filter(starts_at__gt=timezone.now(), status=Session.Status.SCHEDULED)
    return qs.order_by("starts_at", "id")


def other_sessions(session: Session, *, limit: int = 4) -> list[Session]:
    """Later dates of the same course still to come, for a session that is full or gone."""
    others = list(
        sessions_with_counts(
            upcoming_sessions().filter(course_id=session.course_id).exclude(pk=session.pk)
        ).order_by("starts_at", "id")[:limit]
    )
    for other in others:
        other.course = session.course
    return others
