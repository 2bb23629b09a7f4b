"""/api/v1/insights and /api/v1/planner: a course's figures and how often to run it.

Trainers and staff development officers only (403 for everyone else, before anything is
loaded). The figures are those of the dashboard (guildbook.insights.figures), the planner's
those of the planner page (guildbook.insights.planner).
"""

from datetime import date
from typing import Annotated

from ninja import Field, Query, Router, Schema

from guildbook.api.schemas import CourseRef, RateOut, errors, rate_out
from guildbook.core.errors import ServiceError
from guildbook.insights import selectors
from guildbook.insights.planner import Targets

router = Router(tags=["insights"])


class ReachOut(Schema):
    organisation: str
    department: str
    team: str
    people: int = Field(description="People who attended, each once.")
    first_time: int = Field(description="Of them, those whose first attended session this was.")
    new_question_answered: int = Field(
        description="People with a booking who answered the course's “new to the library?” "
        "booking question, each once."
    )
    said_new: int = Field(description="Of them, those who gave the answer that means new.")


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
    said_new_to_library: RateOut = Field(
        description="Bookers who said they were new to the library, of those who answered "
        "the course's “new to the library?” question."
    )
    reach: list[ReachOut]


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
    f = selectors.figures(course=course, date_from=date_from, date_to=date_to)
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
        "fill_rate": rate_out(f.fill_rate),
        "attendance_rate": rate_out(f.attendance_rate),
        "no_show_rate": rate_out(f.no_show_rate),
        "waiting_list_conversion": rate_out(f.waiting_list_conversion),
        "response_rate": rate_out(f.response_rate),
        "impact_rate": rate_out(f.impact_rate),
        "said_new_to_library": rate_out(f.said_new),
        "reach": [vars(r) for r in f.reach],
    }


class BandOut(Schema):
    mean: float
    low: float = Field(description="The 80% interval's lower end.")
    high: float = Field(description="The 80% interval's upper end.")


class CadenceOut(Schema):
    months: float = Field(description="Months between sessions: 1, 1.5, 2, 3, …")
    sessions_per_year: float
    bookings_per_session: BandOut = Field(description="Places taken a session.")
    fill_rate: BandOut = Field(description="Places held at the start ÷ capacity (0–1).")
    attendance_rate: BandOut = Field(description="Attendance as a share of capacity (0–1).")
    unmet_demand_rate: BandOut = Field(description="People left without a place ÷ demand.")
    empty_seats: BandOut
    trainer_hours_per_year: float = Field(description="Expected trainer hours a year.")
    meets_targets: bool


class TargetsOut(Schema):
    fill: float
    unmet: float
    attendance: float


class PlanOut(Schema):
    course: CourseRef
    capacity: int
    demand_per_month: BandOut
    targets: TargetsOut
    cadences: list[CadenceOut]
    recommended: float | None = Field(description="The chosen cadence's months, or null.")
    reason: str


def _cadences(text: str | None) -> list[float]:
    if not text:
        return []
    out = []
    for part in text.split(","):
        try:
            months = float(part.strip())
        except ValueError:
            months = 0
        if not 0.25 <= months <= 24:
            raise ServiceError(
                f"“{part.strip()}” is not a number of months between 0.25 and 24.",
                field="cadences",
            )
        out.append(months)
    return out


def _fraction(value: float | None, default: float, name: str) -> float:
    if value is None:
        return default
    if not 0 <= value <= 1:
        raise ServiceError("Give targets as fractions from 0 to 1.", field=name)
    return value


@router.get(
    "/planner/courses/{course_id}",
    response={200: PlanOut, **errors(400, 403, 404)},
    summary="How often to run a course",
)
def course_planner(
    request,
    course_id: str,
    capacity: Annotated[
        int | None, Query(description="Places a session; default the latest session's.")
    ] = None,
    cadences: Annotated[
        str | None, Query(description="Extra cadences in months, e.g. 4,6 (added to 1,1.5,2,3).")
    ] = None,
    fill: Annotated[float | None, Query(description="Target fill (default 0.8).")] = None,
    unmet: Annotated[float | None, Query(description="Target unmet demand (< 0.1).")] = None,
    attendance: Annotated[float | None, Query(description="Target attendance (0.75).")] = None,
):
    """Trainers and staff development officers only."""
    selectors.require_insights(request.auth, doing="use the planner")
    if capacity is not None and not 1 <= capacity <= 1000:
        raise ServiceError("Give a capacity from 1 to 1000.", field="capacity")
    extra = _cadences(cadences)
    defaults = Targets()
    targets = Targets(
        fill=_fraction(fill, defaults.fill, "fill"),
        unmet=_fraction(unmet, defaults.unmet, "unmet"),
        attendance=_fraction(attendance, defaults.attendance, "attendance"),
    )
    course = selectors.course_for_insights(request.auth, pk=course_id)
    p = selectors.plan(course, capacity=capacity, cadences=extra, targets=targets)
    return {
        "course": course,
        "capacity": p.capacity,
        "demand_per_month": p.demand.per_month.as_dict(),
        "targets": vars(targets),
        "cadences": [
            {
                "months": c.months,
                "sessions_per_year": round(c.sessions_per_year, 2),
                "bookings_per_session": c.bookings_per_session.as_dict(),
                "fill_rate": c.fill_rate.as_dict(),
                "attendance_rate": c.attendance_rate.as_dict(),
                "unmet_demand_rate": c.unmet_demand_rate.as_dict(),
                "empty_seats": c.empty_seats.as_dict(),
                "trainer_hours_per_year": c.trainer_hours_per_year,
                "meets_targets": c.meets_targets,
            }
            for c in p.projections
        ],
        "recommended": p.recommended.months if p.recommended else None,
        "reason": p.reason,
    }
