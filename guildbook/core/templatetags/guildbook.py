from django import template

from guildbook.core import timefmt

register = template.Library()


@register.filter
def nice_date(value, weekday=True):
    return timefmt.format_date(value, weekday=bool(weekday)) if value else ""


@register.filter
def nice_time(value):
    return timefmt.format_time(value) if value else ""


@register.filter
def nice_datetime(value):
    return f"{timefmt.format_date(value)}, {timefmt.format_time(value)}" if value else ""


@register.simple_tag
def span(starts_at, ends_at):
    return timefmt.format_span(starts_at, ends_at)


@register.filter
def duration(minutes):
    return timefmt.format_duration(minutes or 0)


@register.filter
def plural_places(n):
    return f"{n} place" + ("" if n == 1 else "s")
