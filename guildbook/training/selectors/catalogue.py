"""The catalogue: visible courses with their upcoming sessions, and its cache version."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import (
    F,
    Window,
)
from django.db.models.functions import RowNumber

from guildbook.core.search import with_every_word
from guildbook.training.models import Booking, Course, Session
from guildbook.training.selectors.courses import courses_visible_to
from guildbook.training.selectors.sessions import (
    open_to,
    session_filter,
    sessions_with_counts,
    upcoming_sessions,
)


def catalogue(
    user,
    *,
    query: str = "",
    category: str = "",
    level: str = "",
    delivery: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "",
    sessions_per_course: int = 3,
) -> list[Course]:
    """Courses for the catalogue, each with `next_sessions` (the next few, with counts),
    soonest next date first (courses with no date last), or by title with sort="title".

    Three queries whatever the size of the catalogue: courses, their categories (joined),
    and the upcoming sessions of all listed courses at once.
    """
    courses = courses_visible_to(user).select_related("category")
    courses = with_every_word(
        courses, query, ("title", "summary", "description", "tags", "audience"), most=8
    )
    if category:
        courses = courses.filter(category__slug=category)
    if level:
        courses = courses.filter(level=level)
    if delivery:
        courses = courses.filter(delivery__in=[delivery, Course.Delivery.BOTH])
    sessions = upcoming_sessions().filter(open_to(user))
    sessions = sessions.filter(session_filter(course=None, date_from=date_from, date_to=date_to))
    if date_from or date_to:
        courses = courses.filter(pk__in=sessions.values("course_id"))
    courses = list(courses.order_by("title"))
    by_course: dict[int, list[Session]] = {c.pk: [] for c in courses}
    if courses:
        # Only the first few sessions of each course leave the database, however many
        # years of sessions are planned.
        listed = (
            sessions_with_counts(sessions.filter(course_id__in=by_course))
            .annotate(
                nth=Window(
                    RowNumber(), partition_by=F("course_id"), order_by=[F("starts_at"), F("id")]
                )
            )
            .filter(nth__lte=sessions_per_course)
            .order_by("starts_at", "id")
        )
        for s in listed:
            by_course[s.course_id].append(s)
    for c in courses:
        c.next_sessions = by_course[c.pk]
        for s in c.next_sessions:
            s.course = c  # the page asks each when its booking opens
    if sort != "title":
        # Already in title order, and the sort is stable: dateless courses keep it, last.
        far = datetime.max.replace(tzinfo=UTC)
        courses.sort(key=lambda c: c.next_sessions[0].starts_at if c.next_sessions else far)
    return courses


def catalogue_version() -> str:
    """A value that changes whenever anything shown in the catalogue changes.

    The latest change time of courses, sessions and bookings, read in one query through
    their updated_at indexes. Cached catalogue pages are keyed by it, so every server process
    sees a booking made by any other the next time it renders the page.
    """
    from django.db import connection

    tables = [m._meta.db_table for m in (Course, Session, Booking)]
    # Table names come from our own models, never from input.
    sql = "SELECT " + ", ".join(f"(SELECT MAX(updated_at) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "|".join(str(v) for v in row)
