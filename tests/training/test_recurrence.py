"""The dates a series produces, computed in the service's local time (Europe/London).

In 2025 British Summer Time runs from 30 March to 26 October: a 10:00 session is 10:00 UTC
in winter and 09:00 UTC in summer, and must read 10:00 on the wall clock in both.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guildbook.training.models import Series
from guildbook.training.recurrence import describe_series, series_dates

LONDON = ZoneInfo("Europe/London")


def make_series(**fields) -> Series:
    """An unsaved series: recurrence needs only the pattern."""
    defaults = {
        "frequency": "monthly",
        "interval": 1,
        "weekday": 1,
        "week_of_month": 2,
        "start_time": time(10, 0),
        "duration_minutes": 90,
        "starts_on": date(2025, 1, 1),
        "ends_on": None,
        "generate_months_ahead": 6,
        "capacity": 12,
    }
    return Series(**(defaults | fields))


def local(starts_ends):
    return [s.astimezone(LONDON) for s, _ in starts_ends]


def test_second_tuesday_of_every_other_month_at_ten():
    series = make_series(interval=2, weekday=1, week_of_month=2)
    dates = series_dates(series, until=date(2025, 12, 31))
    assert [d.date() for d in local(dates)] == [
        date(2025, 1, 14),
        date(2025, 3, 11),
        date(2025, 5, 13),
        date(2025, 7, 8),
        date(2025, 9, 9),
        date(2025, 11, 11),
    ]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in local(dates))
    assert describe_series(series) == "the second Tuesday of every other month at 10:00"


def test_monthly_first_monday():
    series = make_series(interval=1, weekday=0, week_of_month=1)
    dates = series_dates(series, until=date(2025, 4, 30))
    assert [d.date() for d in local(dates)] == [
        date(2025, 1, 6),
        date(2025, 2, 3),
        date(2025, 3, 3),
        date(2025, 4, 7),
    ]
    assert describe_series(series) == "the first Monday of every month at 10:00"


def test_last_friday_of_the_month():
    series = make_series(weekday=4, week_of_month=-1)
    dates = series_dates(series, until=date(2025, 6, 30))
    assert [d.date() for d in local(dates)] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 28),
        date(2025, 4, 25),
        date(2025, 5, 30),
        date(2025, 6, 27),
    ]
    assert describe_series(series) == "the last Friday of every month at 10:00"


def test_weekly_and_fortnightly():
    weekly = make_series(frequency="weekly", week_of_month=None, weekday=2)
    fortnightly = make_series(frequency="weekly", week_of_month=None, weekday=2, interval=2)
    until = date(2025, 2, 5)
    assert [d.date() for d in local(series_dates(weekly, until=until))] == [
        date(2025, 1, 1),
        date(2025, 1, 8),
        date(2025, 1, 15),
        date(2025, 1, 22),
        date(2025, 1, 29),
        date(2025, 2, 5),
    ]
    assert [d.date() for d in local(series_dates(fortnightly, until=until))] == [
        date(2025, 1, 1),
        date(2025, 1, 15),
        date(2025, 1, 29),
    ]
    assert describe_series(weekly) == "every Wednesday at 10:00"
    assert describe_series(fortnightly) == "every other Wednesday at 10:00"


@pytest.mark.parametrize(
    ("starts_on", "until"),
    [(date(2025, 3, 18), date(2025, 4, 8)), (date(2025, 10, 14), date(2025, 11, 4))],
    ids=["into-summer-time", "back-to-greenwich"],
)
def test_stays_at_ten_local_across_the_clock_change(starts_on, until):
    series = make_series(frequency="weekly", week_of_month=None, weekday=1, starts_on=starts_on)
    dates = series_dates(series, until=until)
    assert len(dates) == 4
    assert {d.time() for d in local(dates)} == {time(10, 0)}
    utc_hours = [s.astimezone(UTC).hour for s, _ in dates]
    # The stored (UTC) time moves by an hour across the change; the wall-clock time does not.
    assert utc_hours in ([10, 10, 9, 9], [9, 9, 10, 10])
    assert all(e - s == (dates[0][1] - dates[0][0]) for s, e in dates)
    assert all(s.utcoffset().total_seconds() == 0 for s, _ in dates), "stored in UTC"


def test_ends_on_is_the_last_possible_day():
    series = make_series(weekday=4, week_of_month=-1, ends_on=date(2025, 3, 28))
    dates = series_dates(series, until=date(2025, 12, 31))
    assert [d.date() for d in local(dates)][-1] == date(2025, 3, 28)
    series.ends_on = date(2025, 3, 27)
    assert [d.date() for d in local(series_dates(series, until=date(2025, 12, 31)))][-1] == (
        date(2025, 2, 28)
    )


def test_first_occurrence_is_not_before_the_start_date():
    # The second Tuesday of January 2025 is the 14th: a series starting on the 15th begins
    # in the next period.
    series = make_series(weekday=1, week_of_month=2, starts_on=date(2025, 1, 15))
    first = local(series_dates(series, until=date(2025, 3, 31)))[0]
    assert first.date() == date(2025, 2, 11)


def test_default_horizon_counts_months_from_the_local_today(monkeypatch):
    # 23:30 UTC on 31 May is already 1 June in London: the horizon is six months from
    # London's today, whatever the server's own clock zone.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 5, 31, 23, 30, tzinfo=UTC))
    series = make_series(
        frequency="weekly",
        week_of_month=None,
        weekday=0,
        starts_on=date(2025, 11, 1),
        generate_months_ahead=6,
    )
    dates = local(series_dates(series))
    assert dates[-1].date() == date(2025, 12, 1)


def test_describe_other_intervals():
    assert (
        describe_series(make_series(frequency="weekly", week_of_month=None, interval=3))
        == "every 3 weeks on Tuesday at 10:00"
    )
    assert (
        describe_series(make_series(interval=3, week_of_month=4))
        == "the fourth Tuesday of every 3 months at 10:00"
    )


def test_a_session_over_the_night_the_clocks_change_keeps_its_length():
    # On 30 March 2025 the clocks go forward at 01:00: a two-hour session from 00:30 ends at
    # 03:30 on the wall clock, two hours later.
    series = make_series(
        frequency="weekly",
        week_of_month=None,
        weekday=6,
        start_time=time(0, 30),
        duration_minutes=120,
        starts_on=date(2025, 3, 30),
    )
    ((starts, ends),) = series_dates(series, until=date(2025, 3, 30))
    assert ends - starts == timedelta(hours=2)
    assert ends.astimezone(LONDON).time() == time(3, 30)
