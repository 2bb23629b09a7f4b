"""Dates of a series, computed in local time so 10:00 stays 10:00 across clock changes."""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from django.conf import settings
from django.utils import timezone

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class Occurrence(NamedTuple):
    """One date of a series: its local date, and its start and end in UTC."""

    date: date
    starts_at: datetime
    ends_at: datetime


def series_occurrences(series, *, until: date | None = None) -> list[Occurrence]:
    """Every occurrence of the series from `starts_on` up to `until`, oldest first.

    `until` defaults to `generate_months_ahead` months from today, capped by `ends_on`.
    "Today" is the service's today (TIME_ZONE), not the server clock's: near midnight the
    two differ by a day. The pattern runs on the local wall clock, so a 10:00 session is
    10:00 in London in winter and in summer (its UTC time moves by an hour); the end is the
    start plus the duration, so a session spanning a clock change still lasts as long.
    """
    zone = _zone()
    horizon = until or (
        timezone.localdate(timezone=zone) + relativedelta(months=series.generate_months_ahead)
    )
    if series.ends_on:
        horizon = min(horizon, series.ends_on)
    dtstart = datetime.combine(series.starts_on, series.start_time)
    if series.frequency == "weekly":
        rule = rrule(WEEKLY, interval=series.interval, byweekday=series.weekday, dtstart=dtstart)
    else:
        nth = series.week_of_month or 1
        rule = rrule(
            MONTHLY,
            interval=series.interval,
            byweekday=weekday(series.weekday)(nth),
            dtstart=dtstart,
        )
    duration = timedelta(minutes=series.duration_minutes)
    result = []
    for naive in rule.between(dtstart, datetime.combine(horizon, series.start_time), inc=True):
        starts = naive.replace(tzinfo=zone).astimezone(UTC)
        result.append(Occurrence(naive.date(), starts, starts + duration))
    return result


def series_dates(series, *, until: date | None = None) -> list[tuple[datetime, datetime]]:
    """(starts_at, ends_at) in UTC for every occurrence up to `until` (see series_occurrences)."""
    return [(o.starts_at, o.ends_at) for o in series_occurrences(series, until=until)]


def describe_series(series) -> str:
    day = WEEKDAY_NAMES[series.weekday]
    at = series.start_time.strftime("%H:%M")
    if series.frequency == "weekly":
        every = "every" if series.interval == 1 else f"every {series.interval} weeks on"
        if series.interval == 2:
            every = "every other"
        return f"{every} {day} at {at}"
    nth = ORDINALS.get(series.week_of_month or 1, "first")
    period = {1: "every month", 2: "every other month"}.get(
        series.interval, f"every {series.interval} months"
    )
    return f"the {nth} {day} of {period} at {at}"
