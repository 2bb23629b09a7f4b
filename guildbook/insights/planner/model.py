"""The planner's figures and answers as plain values: targets, a month of history, a band
(a mean and its 80% interval), the demand and attrition estimates, a projection per cadence
and the plan that gathers them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from guildbook.training.models import Course, Session

DEFAULT_CADENCES = (1.0, 1.5, 2.0, 3.0)
DRAWS = 400
SEED = 20261206
GRID = 600
LOW_Q, HIGH_Q = 0.10, 0.90
DAYS_A_MONTH = 30.44


@dataclass(frozen=True)
class Targets:
    fill: float = 0.80
    unmet: float = 0.10
    attendance: float = 0.75


@dataclass(frozen=True)
class Observation:
    """One calendar month with sessions of the course."""

    month: date
    exposure: float  # months of demand the month's sessions gathered
    capacity: int
    demand: int  # people who booked or joined a waiting list, each once
    censored: bool  # full with no waiting list: demand was at least this
    bookings: int = 0
    early_cancellations: int = 0
    late_cancellations: int = 0
    held_at_start: int = 0
    no_shows: int = 0
    attended: int = 0


@dataclass(frozen=True)
class Band:
    mean: float
    low: float
    high: float

    def as_dict(self, digits: int = 3) -> dict:
        return {k: round(v, digits) for k, v in vars(self).items()}


@dataclass
class Demand:
    per_month: Band
    grid: list[float]
    cdf: list[float]
    months: int
    censored: int

    def draw(self, u: float) -> float:
        lo, hi = 0, len(self.cdf) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cdf[mid] < u:
                lo = mid + 1
            else:
                hi = mid
        return self.grid[lo]


@dataclass(frozen=True)
class Attrition:
    early: tuple[int, int]  # (cancelled early, bookings)
    late: tuple[int, int]  # (cancelled late, bookings)
    no_show: tuple[int, int]  # (no-shows, held at the start)

    def band(self, which: str) -> Band:
        k, n = getattr(self, which)
        a, b = k + 0.5, n - k + 0.5
        mean = a / (a + b)
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        return Band(mean, max(0.0, mean - 1.2816 * sd), min(1.0, mean + 1.2816 * sd))


@dataclass
class Projection:
    months: float
    capacity: int
    sessions_per_year: float
    bookings_per_session: Band
    fill_rate: Band
    attendance_rate: Band
    unmet_demand_rate: Band
    empty_seats: Band
    trainer_hours_per_year: float
    meets_targets: bool = False

    @property
    def label(self) -> str:
        return cadence_label(self.months)


@dataclass
class Backtest:
    months: float  # the cadence actually run in the last year
    sessions: int
    projected_fill: Band
    actual_fill: float | None
    projected_attendance: Band
    actual_attendance: float | None
    recommended_then: float | None


@dataclass
class ExtraSession:
    session: Session
    waiting: int


@dataclass
class Plan:
    course: Course | None
    capacity: int
    targets: Targets
    demand: Demand
    attrition: Attrition
    projections: list[Projection]
    recommended: Projection | None
    reason: str
    backtest: Backtest | None = None
    extra_sessions: list[ExtraSession] = field(default_factory=list)


def cadence_label(months: float) -> str:
    names = {
        1.0: _("monthly"),
        1.5: _("every six weeks"),
        2.0: _("every other month"),
        3.0: _("quarterly"),
        6.0: _("twice a year"),
        12.0: _("once a year"),
    }
    if months in names:
        return names[months]
    if months < 1:
        return _("every %(weeks)s weeks") % {"weeks": round(months * 52 / 12)}
    return _("every %(months)s months") % {"months": f"{months:g}"}
