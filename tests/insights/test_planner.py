"""The frequency planner on simulated demand with known rates: it picks what a person who knew
the true rates would pick, and its 80% intervals hold the true figure about 80% of the time."""

import random
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from guildbook.insights.planner import (
    DEFAULT_CADENCES,
    Observation,
    Targets,
    estimate_demand,
    expected_figures,
    plan,
    plan_for_course,
)
from guildbook.training.history import history_import
from guildbook.training.history_demo import CourseHistory, history_csv, history_rows, poisson
from guildbook.training.models import Course

EARLY, LATE, NO_SHOW = 0.05, 0.02, 0.06
# Looser than the defaults, so each case below is clear of every target by a margin.
TARGETS = Targets(fill=0.70, unmet=0.20, attendance=0.60)


def binomial(rng, n, p):
    return sum(rng.random() < p for _ in range(n))


def simulate(rng, rate, *, capacity, months=24, cadence=1, censor=False):
    """Two years of sessions: the demand each gathered, who cancelled and who came."""
    out = []
    for i in range(0, months, cadence):
        demand = poisson(rng, rate * cadence)
        staying = demand - binomial(rng, demand, EARLY)
        taken = min(staying, capacity)
        late = binomial(rng, taken, LATE)
        held = taken - late
        no_shows = binomial(rng, held, NO_SHOW)
        early = demand - staying
        full = taken + early >= capacity
        hidden = censor and full
        seen = min(demand, capacity) if hidden else demand
        out.append(
            Observation(
                month=date(2024, 1, 1) + relativedelta(months=i),
                exposure=cadence,
                capacity=capacity,
                demand=seen,
                censored=hidden,
                bookings=min(demand, capacity + early),
                early_cancellations=early,
                late_cancellations=late,
                held_at_start=held,
                no_shows=no_shows,
                attended=held - no_shows,
            )
        )
    return out


def true_pick(rate, capacity, targets):
    meeting = []
    for months in DEFAULT_CADENCES:
        _taken, fill, att, unmet, _empty = expected_figures(
            rate, months, capacity, EARLY, LATE, NO_SHOW
        )
        if fill >= targets.fill and unmet < targets.unmet and att >= targets.attendance:
            meeting.append(months)
    return max(meeting) if meeting else None


@pytest.mark.parametrize(
    ("rate", "capacity", "expected"),
    [
        (12, 12, 1.0),  # plenty of people: monthly
        (6, 12, 2.0),  # every other month
        (5, 10, 2.0),
        (8, 16, 2.0),
        (4, 12, 3.0),  # quarterly
        (1, 12, None),  # too few people for any cadence to fill
    ],
)
def test_the_recommendation_is_what_a_person_would_pick(rate, capacity, expected):
    assert true_pick(rate, capacity, TARGETS) == expected
    for seed in (1, 2, 3):
        history = simulate(random.Random(seed), rate, capacity=capacity)
        result = plan(history, capacity=capacity, targets=TARGETS)
        got = result.recommended.months if result.recommended else None
        assert got == expected, (seed, result.reason)
        assert result.reason


def test_the_80_percent_intervals_hold_the_truth_about_80_percent_of_the_time():
    rng = random.Random(7)
    held = total = 0
    for _ in range(150):
        rate = rng.uniform(3, 12)
        capacity = rng.choice((10, 12, 16))
        history = simulate(rng, rate, capacity=capacity, cadence=rng.choice((1, 2)))
        result = plan(history, capacity=capacity, cadences=[], targets=TARGETS)
        for p in result.projections:
            taken, fill, att, unmet, _empty = expected_figures(
                rate, p.months, capacity, EARLY, LATE, NO_SHOW
            )
            for band, truth in (
                (p.bookings_per_session, taken),
                (p.fill_rate, fill),
                (p.attendance_rate, att),
                (p.unmet_demand_rate, unmet),
            ):
                total += 1
                held += band.low <= truth <= band.high
    coverage = held / total
    print(f"80% intervals held the truth {coverage:.1%} of {total} times")
    assert 0.72 <= coverage <= 0.90


def test_censored_months_are_a_lower_bound_not_the_demand():
    rng = random.Random(3)
    history = simulate(rng, 15, capacity=10, censor=True)
    assert sum(o.censored for o in history) >= 20
    naive = sum(o.demand for o in history) / sum(o.exposure for o in history)
    estimate = estimate_demand(history).per_month
    print(f"censored: naive {naive:.1f}, estimate {estimate}")
    assert naive <= 10.5 and estimate.mean > 12
    assert estimate.low - 1 <= 15 <= estimate.high + 1


def test_every_mean_lies_in_its_interval_and_given_cadences_are_added():
    history = simulate(random.Random(1), 6, capacity=12)
    result = plan(history, capacity=12, cadences=[4, 1.5])
    assert [p.months for p in result.projections] == [1.0, 1.5, 2.0, 3.0, 4.0]
    for p in result.projections:
        for band in (p.bookings_per_session, p.fill_rate, p.attendance_rate, p.empty_seats):
            assert band.low <= band.mean <= band.high
        assert p.fill_rate.low >= 0 and p.fill_rate.high <= 1
    assert result.projections[0].trainer_hours_per_year == 18.0


def test_no_history_recommends_nothing_and_says_why():
    result = plan([], capacity=12)
    assert result.recommended is None
    assert "no history" in result.reason


@pytest.mark.django_db
def test_a_course_from_its_imported_history():
    """The demo's story: monthly for eighteen months, then every other month."""
    story = CourseHistory(
        "Get Tweeting",
        [(date(2023, 1, 10), 1), (date(2024, 7, 9), 2)],
        date(2026, 1, 1),
        demand_per_month=7,
    )
    assert history_import(text=history_csv(history_rows([story], seed=4))).errors == []
    course = Course.objects.get(title="Get Tweeting")
    result = plan_for_course(course, capacity=12)
    assert 5 <= result.demand.per_month.mean <= 9
    assert result.backtest is not None and result.backtest.months == 2.0
    assert result.backtest.sessions == 6
    assert result.backtest.projected_fill.low <= result.backtest.actual_fill + 0.15
