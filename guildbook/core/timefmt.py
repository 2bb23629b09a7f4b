"""Dates and times as people in the service write them: "Tuesday 14 January 2025, 10:00";
and where a day begins and ends in the service's zone, for filters by date."""

from datetime import date, datetime, time

from django.utils import timezone


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def day_start(day: date) -> datetime:
    """The first moment of `day` in the service's zone (a "from" date)."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def day_end(day: date) -> datetime:
    """The last moment of `day` in the service's zone (a "to" date, which is included)."""
    return datetime.combine(day, time.max, timezone.get_current_timezone())


def format_date(value: date | datetime, *, weekday: bool = True) -> str:
    if isinstance(value, datetime):
        value = local(value).date()
    text = f"{value.day} {value:%B %Y}"
    return f"{value:%A} {text}" if weekday else text


def format_time(dt: datetime) -> str:
    return f"{local(dt):%H:%M}"


def format_span(starts_at: datetime, ends_at: datetime) -> str:
    """'Tuesday 14 January 2025, 10:00 to 11:30' (end date shown only when it differs)."""
    s, e = local(starts_at), local(ends_at)
    if s.date() == e.date():
        return f"{format_date(s)}, {format_time(s)} to {format_time(e)}"
    return f"{format_date(s)}, {format_time(s)} to {format_date(e)}, {format_time(e)}"


def format_duration(minutes: int) -> str:
    hours, mins = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if mins:
        parts.append(f"{mins} minutes")
    return " ".join(parts) or "0 minutes"
