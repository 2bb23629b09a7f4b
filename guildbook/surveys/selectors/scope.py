"""What results are counted over (sessions, dates), and loading what a trainer asks for."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.surveys.models import Invitation, SurveyMoment
from guildbook.training.models import Course, Session
from guildbook.training.selectors.sessions import session_filter

# --- Scope --------------------------------------------------------------------------------


def session_scope(
    prefix: str,
    *,
    course: Course | None,
    session: Session | None,
    date_from: date | None,
    date_to: date | None,
) -> Q:
    """Sessions in scope, as a filter on `<prefix>session`."""
    if session is not None:
        return Q(**{f"{prefix}session": session}) & session_filter(
            f"{prefix}session__", course=None, date_from=date_from, date_to=date_to
        )
    return session_filter(f"{prefix}session__", course=course, date_from=date_from, date_to=date_to)


def due_invitations(*, now: datetime | None = None) -> QuerySet[Invitation]:
    """Invitations that count in results: scheduled (not withdrawn) and due by `now`."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.SCHEDULED, due_at__lte=now)


# --- Loading what a trainer asks for ------------------------------------------------------


def _require_trainer(user) -> None:
    if not roles.is_trainer(user):
        raise Http404("Not found")


def course_for_results(user, *, slug: str) -> Course:
    """A course whose results a trainer may see (any course, archived included); else 404."""
    _require_trainer(user)
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise Http404("No such course")
    return course


def session_for_results(user, *, pk: int) -> Session:
    _require_trainer(user)
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def moments_of_course(course: Course) -> list[SurveyMoment]:
    """The course's survey moments, the latest after the session first (the follow-up)."""
    return list(
        SurveyMoment.objects.filter(course=course)
        .select_related("template")
        .order_by("-days_after", "id")
    )


def pick_moment(moments: list[SurveyMoment], wanted: str | int | None) -> SurveyMoment | None:
    """The moment asked for by id, else the first (the latest after the session)."""
    if wanted not in (None, ""):
        for m in moments:
            if str(m.pk) == str(wanted):
                return m
    return moments[0] if moments else None
