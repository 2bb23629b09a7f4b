"""The cadence to recommend against the targets, the words that explain it, the plan for a
history given as observations, and the backtest of the last year."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.utils.translation import gettext as _

from guildbook.insights.planner.demand import attrition_of, estimate_demand
from guildbook.insights.planner.model import (
    DEFAULT_CADENCES,
    Backtest,
    Band,
    Demand,
    Observation,
    Plan,
    Projection,
    Targets,
)
from guildbook.insights.planner.projection import project
from guildbook.training.models import Course


def recommend(projections: list[Projection], targets: Targets) -> Projection | None:
    """The cadence whose means meet every target; of several, the fewest sessions a year."""
    for p in projections:
        p.meets_targets = (
            p.fill_rate.mean >= targets.fill
            and p.unmet_demand_rate.mean < targets.unmet
            and p.attendance_rate.mean >= targets.attendance
        )
    meeting = [p for p in projections if p.meets_targets]
    return min(meeting, key=lambda p: p.sessions_per_year) if meeting else None


def _pc(x: float) -> str:
    return f"{round(100 * x)}%"


def _range(b: Band) -> str:
    return _("%(low)s to %(high)s") % {"low": _pc(b.low), "high": _pc(b.high)}


def explain(plan_demand: Demand, projections, chosen, targets: Targets, capacity: int) -> str:
    d = plan_demand.per_month
    if plan_demand.months == 0:
        return _(
            "There is no history for this course yet, so there is nothing to estimate demand "
            "from. Run it for a few months, or import past sessions, and look again."
        )
    words = [
        _(
            "From %(months)s months with sessions, about %(rate)s people a month want this "
            "course (likely between %(low)s and %(high)s)."
        )
        % {
            "months": plan_demand.months,
            "rate": f"{d.mean:.1f}",
            "low": f"{d.low:.1f}",
            "high": f"{d.high:.1f}",
        }
    ]
    if plan_demand.censored:
        words.append(
            _(
                "%(n)s of those months filled with no waiting list, so their demand is only "
                "known to be at least what they took."
            )
            % {"n": plan_demand.censored}
        )
    if chosen is not None:
        words.append(
            _(
                "Running it %(label)s with %(cap)s places should fill about %(fill)s of places "
                "(%(fill_range)s), with about %(att)s attended (%(att_range)s) and %(unmet)s of "
                "people left without a place (%(unmet_range)s)."
            )
            % {
                "label": chosen.label,
                "cap": capacity,
                "fill": _pc(chosen.fill_rate.mean),
                "fill_range": _range(chosen.fill_rate),
                "att": _pc(chosen.attendance_rate.mean),
                "att_range": _range(chosen.attendance_rate),
                "unmet": _pc(chosen.unmet_demand_rate.mean),
                "unmet_range": _range(chosen.unmet_demand_rate),
            }
        )
        more = [p for p in projections if p.sessions_per_year > chosen.sessions_per_year]
        fewer = [p for p in projections if p.sessions_per_year < chosen.sessions_per_year]
        if more:
            closest = max(more, key=lambda p: p.months)
            words.append(
                _("Running it %(label)s would leave sessions about %(fill)s full.")
                % {"label": closest.label, "fill": _pc(closest.fill_rate.mean)}
            )
        if fewer:
            closest = min(fewer, key=lambda p: p.months)
            if not closest.meets_targets:
                words.append(
                    _("Running it %(label)s would leave about %(unmet)s of people waiting.")
                    % {"label": closest.label, "unmet": _pc(closest.unmet_demand_rate.mean)}
                )
        if chosen.fill_rate.low < targets.fill or chosen.unmet_demand_rate.high >= targets.unmet:
            words.append(
                _(
                    "The ranges cross your targets, so keep an eye on the next few sessions "
                    "and look again."
                )
            )
    else:
        words.append(
            _(
                "No cadence meets all your targets with %(cap)s places (fill at least "
                "%(fill)s, fewer than %(unmet)s left without a place, attendance at least "
                "%(att)s). Try another number of places, or change the targets."
            )
            % {
                "cap": capacity,
                "fill": _pc(targets.fill),
                "unmet": _pc(targets.unmet),
                "att": _pc(targets.attendance),
            }
        )
    return " ".join(words)


def plan(
    observations: list[Observation],
    *,
    capacity: int,
    cadences: list[float] | None = None,
    targets: Targets | None = None,
    session_hours: float = 1.5,
    trainers: int = 1,
    course: Course | None = None,
) -> Plan:
    """The planner's answer for a history given as plain observations."""
    targets = targets or Targets()
    cadences = sorted(set(DEFAULT_CADENCES) | set(cadences or ()))
    demand = estimate_demand(observations)
    attrition = attrition_of(observations)
    projections = project(
        demand,
        attrition,
        capacity=capacity,
        cadences=cadences,
        session_hours=session_hours,
        trainers=trainers,
    )
    chosen = recommend(projections, targets) if demand.months else None
    return Plan(
        course=course,
        capacity=capacity,
        targets=targets,
        demand=demand,
        attrition=attrition,
        projections=projections,
        recommended=chosen,
        reason=explain(demand, projections, chosen, targets, capacity),
    )


def backtest(
    observations: list[Observation], *, capacity: int, targets: Targets
) -> Backtest | None:
    """Estimate from all but the last year, project the cadence actually run in it, and
    compare with what happened."""
    if len(observations) < 4:
        return None
    cut = observations[-1].month - timedelta(days=365)
    before = [o for o in observations if o.month <= cut]
    last = [o for o in observations if o.month > cut]
    if len(before) < 3 or not last:
        return None
    months = round(2 * statistics.median(o.exposure for o in last)) / 2 or 1.0
    earlier = plan(before, capacity=capacity, cadences=[months], targets=targets)
    p = next(p for p in earlier.projections if p.months == months)
    offered = sum(o.capacity for o in last)
    return Backtest(
        months=months,
        sessions=len(last),
        projected_fill=p.fill_rate,
        actual_fill=sum(o.held_at_start for o in last) / offered if offered else None,
        projected_attendance=p.attendance_rate,
        actual_attendance=sum(o.attended for o in last) / offered if offered else None,
        recommended_then=earlier.recommended.months if earlier.recommended else None,
    )
