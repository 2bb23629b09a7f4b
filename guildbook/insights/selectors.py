"""Who may see insights, and loading what they ask for.

Insights are for trainers and staff development officers. Pages answer others 404 (as for
any object a person may not see); the API answers 403 before loading anything.
"""

from collections.abc import Callable
from datetime import date

from django.http import Http404

from guildbook.core import roles
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.training.models import Course


def require_insights(user, *, doing: str = "see training insights") -> None:
    if not roles.can_see_insights(user):
        raise NotAllowed(f"Only trainers and staff development officers can {doing}.")


def course_for_insights(user, *, pk: int | str) -> Course:
    """Any course (retired ones too) for someone who may see insights; else 404."""
    if not roles.can_see_insights(user):
        raise Http404("Not found")
    ref = str(pk).strip()
    qs = Course.objects.all()
    course = (qs.filter(pk=int(ref)) if ref.isdigit() else qs.filter(slug=ref)).first()
    if course is None:
        raise Http404("No such course")
    return course


def check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ServiceError("The period's start is after its end.", field="from")


def figures(*, course: Course | None, date_from: date | None, date_to: date | None):
    """course_figures, kept while the data is unchanged (cache.py). Check access first."""
    from guildbook.insights.cache import remembered
    from guildbook.insights.figures import course_figures

    return remembered(
        "figures",
        (course.pk if course else None, date_from, date_to),
        lambda: course_figures(course=course, date_from=date_from, date_to=date_to),
    )


def plan(course: Course, *, capacity: int | None, cadences: list[float], targets):
    """plan_for_course, kept while the data is unchanged (cache.py). Check access first."""
    from guildbook.insights.cache import remembered
    from guildbook.insights.planner import plan_for_course

    return remembered(
        "plan",
        (course.pk, capacity, tuple(cadences), targets),
        lambda: plan_for_course(course, capacity=capacity, cadences=cadences, targets=targets),
    )


def kept_page(what: str, key: tuple, render: Callable[[], str]) -> str:
    """A page's rendered content, kept with the figures it shows while the data is unchanged
    (cache.py): only for content that is the same for everyone who may see the page. Check
    access first."""
    from guildbook.insights.cache import remembered

    return remembered(f"page:{what}", key, render)
