"""How often should we run this course? The frequency planner.

The model, in words a trainer can check:

* People who want the course arrive at a steady rate, `demand` a month. A session gathers
  those who arrived since the one before, so a session every `m` months meets about
  `demand × m` people (a Poisson number). Each month's demand is the people who booked or
  joined a waiting list for that month's sessions, or who registered interest in the course
  ("tell me when there's a date") since the sessions before, each person once.
* A session that filled with no waiting list open (none was offered, or it was closed) only
  shows that demand was *at least* what it took: such months are censored, and the estimate
  uses the probability of "at least that many", not "exactly that many".
* Of the people who take a place, some give it up early (it goes to someone else), some
  late (it stays empty), and some do not come: three rates from the history.
* For each cadence and capacity the planner works out the expected places taken, fill
  (places held at the start ÷ capacity), attendance (÷ capacity), empty seats and the share
  of people left without a place. Uncertainty comes from the history being finite: the
  demand's likely values (a grid over the rate, with Jeffreys' prior) and each attrition
  rate's (a Beta distribution) are drawn 400 times with a fixed seed, and each projection's
  80% interval is the 10th to 90th percentile of its expected value over those draws. So the
  interval says where the *average* session's figure lies, not the spread between sessions.

The recommendation is the cadence whose means meet the targets, the one with the fewest
sessions a year when several do. The core (`estimate_demand`, `project`, `recommend`) works on
plain numbers so it can be checked on simulated demand; `plan_for_course` reads the history.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.training import selectors
from guildbook.training.models import Booking, Course, Session

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


# --- Demand --------------------------------------------------------------------------------


def _log_poisson(k: int, mu: float) -> float:
    if mu <= 0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(mu) - mu - math.lgamma(k + 1)


def _log_at_least(k: int, mu: float) -> float:
    """log P(X >= k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 0.0
    if mu <= 0:
        return -math.inf
    below = 0.0
    term = math.exp(-mu)
    for i in range(k):
        if i:
            term *= mu / i
        below += term
    rest = 1.0 - below
    if rest > 1e-12:
        return math.log(rest)
    # Far in the tail: the first term of the sum dominates.
    return _log_poisson(k, mu) - math.log1p(-min(mu / (k + 1), 0.999))


def estimate_demand(observations: list[Observation]) -> Demand:
    """The rate of demand a month, as a grid posterior (Jeffreys' prior), censoring included."""
    exposure = sum(o.exposure for o in observations)
    if not observations or exposure <= 0:
        return Demand(Band(0, 0, 0), [0.0], [1.0], 0, 0)
    top = max(o.demand / o.exposure for o in observations)
    upper = 3 * top + 10 / exposure + 1
    grid = [upper * (i + 0.5) / GRID for i in range(GRID)]
    # Uncensored months enter only through their totals (the Poisson likelihood's sufficient
    # statistics); each censored month through P(X >= its demand).
    seen = sum(o.demand for o in observations if not o.censored)
    seen_exposure = sum(o.exposure for o in observations if not o.censored)
    censored = [(o.demand, o.exposure) for o in observations if o.censored]
    logs = []
    for lam in grid:
        total = (seen - 0.5) * math.log(lam) - lam * seen_exposure
        for demand, months in censored:
            total += _log_at_least(demand, lam * months)
        logs.append(total)
    peak = max(logs)
    weights = [math.exp(x - peak) for x in logs]
    norm = sum(weights)
    cdf, running = [], 0.0
    for w in weights:
        running += w / norm
        cdf.append(running)
    mean = sum(lam * w for lam, w in zip(grid, weights, strict=True)) / norm
    demand = Demand(
        Band(mean, 0, 0), grid, cdf, len(observations), sum(o.censored for o in observations)
    )
    demand.per_month = Band(mean, demand.draw(LOW_Q), demand.draw(HIGH_Q))
    return demand


def attrition_of(observations: list[Observation]) -> Attrition:
    bookings = sum(o.bookings for o in observations)
    return Attrition(
        early=(sum(o.early_cancellations for o in observations), bookings),
        late=(sum(o.late_cancellations for o in observations), bookings),
        no_show=(sum(o.no_shows for o in observations), sum(o.held_at_start for o in observations)),
    )


# --- Projection ----------------------------------------------------------------------------


def expected_taken(mu: float, capacity: int) -> float:
    """E[min(N, capacity)] for N ~ Poisson(mu)."""
    if mu <= 0:
        return 0.0
    if mu > 600:
        return float(capacity) if mu > capacity else mu
    pmf = math.exp(-mu)
    below = 0.0
    mass = 0.0
    for k in range(capacity):
        if k:
            pmf *= mu / k
        below += k * pmf
        mass += pmf
    return below + capacity * max(0.0, 1.0 - mass)


def expected_figures(lam, months, capacity, early, late, no_show) -> tuple[float, ...]:
    wanting = lam * months
    mu = wanting * (1 - early)
    taken = expected_taken(mu, capacity)
    held = taken * (1 - late)
    came = held * (1 - no_show)
    unmet = (mu - taken) / wanting if wanting > 0 else 0.0
    return taken, held / capacity, came / capacity, unmet, capacity - came


def _draws(demand: Demand, attrition: Attrition, seed: int = SEED) -> list[tuple[float, ...]]:
    rng = random.Random(seed)
    out = []
    for _i in range(DRAWS):
        lam = demand.draw(rng.random())
        ps = []
        for which in ("early", "late", "no_show"):
            k, n = getattr(attrition, which)
            ps.append(rng.betavariate(k + 0.5, n - k + 0.5))
        out.append((lam, *ps))
    return out


def _band(values: list[float]) -> Band:
    ordered = sorted(values)
    n = len(ordered)
    low = ordered[int(LOW_Q * (n - 1))]
    high = ordered[math.ceil(HIGH_Q * (n - 1))]
    mean = min(max(statistics.fmean(ordered), low), high)
    return Band(mean, low, high)


def project(
    demand: Demand,
    attrition: Attrition,
    *,
    capacity: int,
    cadences: list[float],
    session_hours: float = 1.5,
    trainers: int = 1,
    draws: list[tuple[float, ...]] | None = None,
) -> list[Projection]:
    draws = draws if draws is not None else _draws(demand, attrition)
    out = []
    for months in cadences:
        figures = [expected_figures(lam, months, capacity, e, lt, ns) for lam, e, lt, ns in draws]
        columns = list(zip(*figures, strict=True))
        per_year = 12 / months
        out.append(
            Projection(
                months=months,
                capacity=capacity,
                sessions_per_year=per_year,
                bookings_per_session=_band(list(columns[0])),
                fill_rate=_band(list(columns[1])),
                attendance_rate=_band(list(columns[2])),
                unmet_demand_rate=_band(list(columns[3])),
                empty_seats=_band(list(columns[4])),
                trainer_hours_per_year=round(per_year * session_hours * max(trainers, 1), 1),
            )
        )
    return out


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


# --- Reading a course's history ------------------------------------------------------------


def _month_of(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _interest_demand(course, sessions, live, booked, until) -> dict[date, int]:
    """People whose registered interest the month's sessions answered (the first session
    on or after they asked), and who did not also book or join a waiting list that month:
    each is one more person of that month's demand. Interest no session has answered yet is
    not counted: no month has gathered it. One query, and one more when there is interest."""
    starts = [(starts_at, _month_of(starts_at).replace(day=1)) for _pk, starts_at, _c in sessions]
    answered: dict[date, set[int]] = {}
    for person_id, asked_at in selectors.interest_times(course):
        if asked_at >= until:
            continue
        i = bisect.bisect_left(starts, asked_at, key=lambda s: s[0])
        if i < len(starts):
            answered.setdefault(starts[i][1], set()).add(person_id)
    if not answered:
        return {}
    people = set().union(*answered.values())
    counted = set()
    for month, person_id in (
        Booking.objects.filter(live & booked, person_id__in=people)
        .annotate(month=TruncMonth("session__starts_at"))
        .values_list("month", "person_id")
        .distinct()
        .order_by()
    ):
        counted.add((_month_of(month), person_id))
    return {month: sum((month, p) not in counted for p in who) for month, who in answered.items()}


def observations_for(course: Course, *, until: datetime | None = None) -> list[Observation]:
    """The course's past sessions (not cancelled), a line per calendar month. Four queries,
    five when people registered interest in the course."""
    until = until or timezone.now()
    live = Q(session__course=course, session__status=Session.Status.SCHEDULED)
    live &= Q(session__starts_at__lt=until)
    counted = ~Q(ending=Booking.Ending.MOVED)
    placed = Q(confirmed_at__isnull=False) & counted
    cancelled = Q(ending=Booking.Ending.CANCELLED, confirmed_at__isnull=False)
    per_session = {
        r["session_id"]: r
        for r in Booking.objects.filter(live)
        .values("session_id")
        .annotate(
            bookings=Count("id", filter=placed),
            joins=Count("id", filter=Q(waiting_since__isnull=False) & counted),
            early=Count("id", filter=cancelled & Q(late_cancellation=False)),
            late=Count("id", filter=cancelled & Q(late_cancellation=True)),
            held=Count("id", filter=Q(status=Booking.Status.CONFIRMED)),
            no_shows=Count("id", filter=Q(attendance=Booking.Attendance.NO_SHOW)),
            attended=Count("id", filter=Q(attendance=Booking.Attendance.ATTENDED)),
        )
        .order_by()
    }
    booked = placed | (Q(waiting_since__isnull=False) & counted)
    people = {
        _month_of(r["month"]): r["n"]
        for r in Booking.objects.filter(live)
        .filter(booked)
        .annotate(month=TruncMonth("session__starts_at"))
        .values("month")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    }
    sessions = list(
        Session.objects.filter(course=course, status=Session.Status.SCHEDULED, starts_at__lt=until)
        .values_list("id", "starts_at", "capacity")
        .order_by("starts_at", "id")
    )
    for month, extra in _interest_demand(course, sessions, live, booked, until).items():
        people[month] = people.get(month, 0) + extra
    months: dict[date, dict] = {}
    for pk, starts_at, capacity in sessions:
        month = timezone.localtime(starts_at).date().replace(day=1)
        m = months.setdefault(
            month, {"first": starts_at, "capacity": 0, "censored": False, "counts": {}}
        )
        m["capacity"] += capacity
        r = per_session.get(pk, {})
        full = r.get("bookings", 0) >= capacity
        if full and (r.get("joins", 0) == 0 or not course.waiting_list_enabled):
            m["censored"] = True
        for key in ("bookings", "early", "late", "held", "no_shows", "attended"):
            m["counts"][key] = m["counts"].get(key, 0) + r.get(key, 0)
    firsts = [m["first"] for m in months.values()]
    gaps = [(b - a).days / DAYS_A_MONTH for a, b in itertools.pairwise(firsts)]
    typical = statistics.median(gaps) if gaps else 1.0
    out = []
    previous = None
    for month, m in months.items():
        gap = (m["first"] - previous).days / DAYS_A_MONTH if previous else typical
        previous = m["first"]
        c = m["counts"]
        out.append(
            Observation(
                month=month,
                exposure=min(max(gap, 0.25), 6.0),
                capacity=m["capacity"],
                demand=people.get(month, 0),
                censored=m["censored"],
                bookings=c["bookings"],
                early_cancellations=c["early"],
                late_cancellations=c["late"],
                held_at_start=c["held"],
                no_shows=c["no_shows"],
                attended=c["attended"],
            )
        )
    return out


def extra_sessions(course: Course, *, now: datetime | None = None) -> list[ExtraSession]:
    """Coming sessions with a long waiting list (a third of the places, at least 3)."""
    now = now or timezone.now()
    rows = (
        Session.objects.filter(course=course, status=Session.Status.SCHEDULED, starts_at__gt=now)
        .annotate(waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)))
        .order_by("starts_at")
    )
    return [
        ExtraSession(s, s.waiting) for s in rows if s.waiting >= max(3, math.ceil(s.capacity / 3))
    ]


def plan_for_course(
    course: Course,
    *,
    capacity: int | None = None,
    cadences: list[float] | None = None,
    targets: Targets | None = None,
    now: datetime | None = None,
) -> Plan:
    """The planner for a course from its history (check who may see it first)."""
    now = now or timezone.now()
    observations = observations_for(course, until=now)
    if capacity is None:
        latest = course.sessions.order_by("-starts_at").values_list("capacity", flat=True)
        capacity = latest.first() or course.default_capacity
    targets = targets or Targets()
    result = plan(
        observations,
        capacity=capacity,
        cadences=cadences,
        targets=targets,
        session_hours=course.duration_minutes / 60,
        trainers=max(course.trainers.count(), 1),
        course=course,
    )
    result.backtest = backtest(observations, capacity=capacity, targets=targets)
    result.extra_sessions = extra_sessions(course, now=now)
    return result
