"""Keeping computed figures and plans while nothing they read has changed.

A dashboard over a year of every course reads thousands of bookings; people reload it and
page back to it. Results are cached under a key that includes the data's version — the
latest change of courses, sessions, bookings and survey invitations, and the number of
responses, read in one query, as the catalogue does — so a booking, a register or an answer
made by any server process shows at the next request. What changes without a write (an invitation
falling due, a person's team edited) shows within `SECONDS`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from guildbook.surveys.models import Invitation, Response
from guildbook.training.models import Booking, Course, Session

SECONDS = 600
T = TypeVar("T")


def data_version() -> str:
    # Table names come from our own models, never from input.
    latest = [f"(SELECT MAX(updated_at) FROM {m._meta.db_table})"  # noqa: S608
              for m in (Course, Session, Booking, Invitation)]  # fmt: skip
    # Responses have no time or ordered id (anonymous ones must not): their number will do.
    newest = [
        f"(SELECT MAX(id) FROM {Booking._meta.db_table})",  # noqa: S608
        f"(SELECT COUNT(*) FROM {Response._meta.db_table})",  # noqa: S608
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(latest + newest))
        return "|".join(str(v) for v in cursor.fetchone())


def remembered(what: str, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s result, kept under `key` for as long as the data has not changed."""
    digest = hashlib.sha256(repr((key, data_version())).encode()).hexdigest()[:32]
    name = f"insights:{what}:{digest}"
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, SECONDS)
    return value
