"""Demand a month (censored months included) and the three attrition rates, from a course's
history as observations."""

from __future__ import annotations

import math

from guildbook.insights.planner.model import (
    GRID,
    HIGH_Q,
    LOW_Q,
    Attrition,
    Band,
    Demand,
    Observation,
)


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
