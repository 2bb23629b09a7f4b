from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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


@register.filter
def number_cells(values):
    """A row's figures as `<td class="num">` cells, each escaped. One step a row: a long
    table (ten years of months) spent most of its time on a template node a cell."""
    return mark_safe(  # noqa: S308 (every value is escaped)
        "".join(f'<td class="num">{conditional_escape(v)}</td>' for v in values)
    )
