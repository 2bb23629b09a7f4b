"""What each cadence would give: expected places taken, fill, attendance, unmet demand and
empty seats, each with its 80% interval over draws of the demand and attrition rates."""

from __future__ import annotations

import math
import random
import statistics

from guildbook.insights.planner.model import (
    DRAWS,
    HIGH_Q,
    LOW_Q,
    SEED,
    Attrition,
    Band,
    Demand,
    Projection,
)


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
