"""Keeping computed figures and plans while nothing they read has changed.

A dashboard over a year of every course reads thousands of bookings; people reload it and
page back to it. Results are kept under a key that includes the data's version — the
latest change of courses, sessions, bookings and survey invitations, and the number of
responses, read in one query, as the catalogue does — so a booking, a register or an answer
made by any server process shows at the next request. What changes without a write (an invitation
falling due, a person's team edited) shows within `SECONDS`.

Because the version is in the key, any process's copy is as good as another's, so each is
kept twice: in this process's memory (`here`), as the object itself, and in the shared cache
(the database's cache table, or Redis), for the other server processes. A repeat visit
costs the version's query alone; a process that has not seen this version yet reads the
shared copy (one more query) rather than working the figures out again. The objects kept
here are handed to every request that asks, so callers must treat them as read-only.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from guildbook.surveys.models import Invitation, Response
from guildbook.training.models import Booking, Course, Session

SECONDS = 600
KEPT_HERE = 32  # results; a year of every course is a few hundred kilobytes
T = TypeVar("T")


class ProcessMemory:
    """The most recently used results, as objects, for `SECONDS` at most."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Any | None:
        with self._lock:
            item = self._items.get(name)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[name]
                return None
            self._items.move_to_end(name)
            return item[1]

    def set(self, name: str, value: Any) -> None:
        with self._lock:
            self._items[name] = (time.monotonic() + SECONDS, value)
            self._items.move_to_end(name)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


here = ProcessMemory(KEPT_HERE)


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
    value = here.get(name)
    if value is None:
        value = cache.get(name)
        if value is None:
            value = compute()
            cache.set(name, value, SECONDS)
        here.set(name, value)
    return value


def clear() -> None:
    """Forget every kept result: this process's and the whole shared cache (for tests)."""
    here.clear()
    cache.clear()
