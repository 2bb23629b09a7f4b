"""Schemas shared by the routers: errors, pages, rates, and the short forms of courses and
people.

Times are answered in the service's time zone with their offset (ISO 8601), so a website can
print them as they are; times sent without an offset are read in the service's time zone.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from django.conf import settings
from django.utils import timezone
from ninja import Field, Query, Schema

from guildbook.core import limits
from guildbook.surveys.selectors import Rate
from guildbook.training.models import Booking, Course, Session


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words for a person.")
    field: str | None = Field(None, description="The input it is about, when there is one.")
    code: str = Field(description="A stable word for programs, e.g. already_booked.")


# Every operation can answer these; each adds its own.
COMMON_ERRORS = {401: ErrorOut, 405: ErrorOut, 422: ErrorOut}


def errors(*statuses: int) -> dict:
    return {**COMMON_ERRORS, **dict.fromkeys(statuses, ErrorOut)}


def named_enum(name: str, choices) -> type[StrEnum]:
    """A model's choices as an enum with a name of its own in the OpenAPI document: courses,
    sessions and bookings each call theirs `Status`, which the document would merge."""
    return StrEnum(name, {member.name: member.value for member in choices})


CourseStatus = named_enum("CourseStatus", Course.Status)
SessionStatus = named_enum("SessionStatus", Session.Status)
BookingStatus = named_enum("BookingStatus", Booking.Status)


class RateOut(Schema):
    count: int
    total: int
    percent: int | None = Field(description="Rounded; null when there is nothing to divide by.")


def rate_out(rate: Rate) -> dict:
    """A rate (`count` of `total`: attendance, responses, impact…) as RateOut answers it."""
    return {"count": rate.count, "total": rate.total, "percent": rate.percent}


class PageMeta(Schema):
    count: int = Field(description="How many items match, across all pages.")
    limit: int
    offset: int


class CourseRef(Schema):
    id: int
    slug: str
    title: str


class PersonRef(Schema):
    id: int
    email: str
    name: str


def local_iso(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def aware(value: datetime) -> datetime:
    """Read a time without an offset in the service's time zone."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def absolute_url(obj) -> str:
    return settings.SITE_URL + obj.get_absolute_url()


class SessionResolvers(Schema):
    """What every schema of a session answers the same way: its times in the service's time
    zone and its page's full address. A base with resolvers only: the fields, and their order
    in the OpenAPI document, stay the subclass's own."""

    @staticmethod
    def resolve_starts_at(obj):
        return local_iso(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj):
        return local_iso(obj.ends_at)

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj)


MAX_PAGE = 200
MAX_OFFSET = limits.MAX_OFFSET
DEFAULT_PAGE = 50

# Every list's paging parameters: an offset past any table (beyond the 64-bit integers the
# databases take) is a 422 on `offset`, never a database error.
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageOffset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def page(qs, *, limit: int, offset: int) -> dict:
    """One page of a queryset: two queries (the count and the slice) whatever the size."""
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": list(qs[offset : offset + limit]),
    }
