"""/api/v1/insights and /api/v1/planner: a course's figures and how often to run it.

Trainers and staff development officers only (403 for everyone else, before anything is
loaded). The figures are those of the dashboard (guildbook.insights.figures), the planner's
those of the planner page (guildbook.insights.planner).
"""

from datetime import date
from typing import Annotated

from ninja import Field, Query, Router, Schema

from guildbook.api.schemas import CourseRef, errors
from guildbook.insights import selectors
from guildbook.insights.figures import course_figures
from guildbook.surveys.selectors import Rate

router = Router(tags=["insights"])


class RateOut(Schema):
    count: int
    total: int
    percent: int | None = Field(description="Rounded; null when there is nothing to divide by.")


class ReachOut(Schema):
    organisation: str
    department: str
    team: str
    people: int = Field(description="People who attended, each once.")
    first_time: int = Field(description="Of them, those whose first attended session this was.")


class FiguresOut(Schema):
    course: CourseRef
    date_from: date | None = Field(alias="from")
    date_to: date | None = Field(alias="to")
    sessions: int = Field(description="Sessions run (not cancelled) starting in the dates.")
    cancelled_sessions: int
    places_offered: int
    bookings: int = Field(description="Places taken, whether later cancelled or not.")
    held_at_start: int
    attended: int
    no_shows: int
    cancellations: int = Field(description="Places people gave up, early or late.")
    late_cancellations: int
    waiting_list_joins: int
    waiting_list_placed: int = Field(description="Waiting-list entries later given a place.")
    waiting_list_peak: int = Field(description="The longest any session's waiting list was.")
    waiting_at_start: int = Field(description="People still waiting when sessions began.")
    days_to_fill: float | None = Field(
        description="Median days from a session's first booking to it being full."
    )
    fill_rate: RateOut
    attendance_rate: RateOut
    no_show_rate: RateOut
    waiting_list_conversion: RateOut
    response_rate: RateOut
    impact_rate: RateOut
    reach: list[ReachOut]


def rate(r: Rate) -> dict:
    return {"count": r.count, "total": r.total, "percent": r.percent}


@router.get(
    "/insights/courses/{course_id}",
    response={200: FiguresOut, **errors(400, 403, 404)},
    by_alias=True,
    summary="A course's figures over a period",
)
def course_insights(
    request,
    course_id: str,
    date_from: Annotated[
        date | None, Query(alias="from", description="Sessions from this day (local), inclusive.")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="Sessions up to this day (local), inclusive.")
    ] = None,
):
    """Trainers and staff development officers only."""
    selectors.require_insights(request.auth)
    selectors.check_period(date_from, date_to)
    course = selectors.course_for_insights(request.auth, pk=course_id)
    f = course_figures(course=course, date_from=date_from, date_to=date_to)
    return {
        "course": course,
        "from": date_from,
        "to": date_to,
        "sessions": f.sessions,
        "cancelled_sessions": f.cancelled_sessions,
        "places_offered": f.places_offered,
        "bookings": f.bookings,
        "held_at_start": f.held_at_start,
        "attended": f.attended,
        "no_shows": f.no_shows,
        "cancellations": f.cancellations,
        "late_cancellations": f.late_cancellations,
        "waiting_list_joins": f.waiting_list_joins,
        "waiting_list_placed": f.waiting_list_placed,
        "waiting_list_peak": f.waiting_peak,
        "waiting_at_start": f.waiting_at_start,
        "days_to_fill": f.days_to_fill,
        "fill_rate": rate(f.fill_rate),
        "attendance_rate": rate(f.attendance_rate),
        "no_show_rate": rate(f.no_show_rate),
        "waiting_list_conversion": rate(f.waiting_list_conversion),
        "response_rate": rate(f.response_rate),
        "impact_rate": rate(f.impact_rate),
        "reach": [vars(r) for r in f.reach],
    }
