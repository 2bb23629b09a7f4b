"""Limits every way in (pages, the API, the CLI, imports) applies alike, so that input the
database cannot store, or that no real use needs, is refused with a message rather than
failing in the database or being cut short silently.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from guildbook.core.errors import ServiceError

# The largest id or offset a database integer column holds (64-bit, signed).
MAX_ID = 2**63 - 1
# The furthest into a list a page may start.
MAX_OFFSET = 2**31 - 1
# Sessions and other events are planned within these years; outside them a date is a typo
# (and near year 1 or 9999, time-zone arithmetic runs off the calendar).
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100


def check_when(value: datetime | None, *, field: str) -> None:
    """Refuse a time outside EARLIEST_YEAR–LATEST_YEAR."""
    if value is None:
        return
    year = value.year
    if timezone.is_aware(value) and EARLIEST_YEAR < year < LATEST_YEAR:
        year = timezone.localtime(value).year
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ServiceError(
            f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", field=field
        )


def storable_text(value: str) -> bool:
    """False for text no database column can hold: PostgreSQL refuses the NUL character."""
    return "\x00" not in value


def check_text(value: str, *, field: str, limit: int | None = None, what: str = "This") -> str:
    """Refuse text with a NUL character, or longer than `limit` characters."""
    if not storable_text(value):
        raise ServiceError(
            f"{what} contains a character that cannot be saved (a null character); remove it.",
            field=field,
        )
    if limit is not None and len(value) > limit:
        raise ServiceError(f"{what} is too long: at most {limit} characters.", field=field)
    return value


def id_or_slug(ref: str) -> dict:
    """A lookup for "an id or a slug" given as text: an id when it is ASCII digits that fit
    a database integer, else a slug (so `³` or a 30-digit number simply matches nothing)."""
    ref = ref.strip()
    if not storable_text(ref):
        return {"pk__in": []}
    if ref.isascii() and ref.isdigit() and int(ref) <= MAX_ID:
        return {"pk": int(ref)}
    return {"slug": ref}
