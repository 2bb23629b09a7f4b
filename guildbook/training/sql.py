"""SQL written by hand for speed (see DESIGN.md): the history import's bulk inserts.

Django's `bulk_create` prepares every value of every row through its field (about 40 µs a
booking); ten years of a service's bookings are 120,000 rows. These inserts send the same
columns with `executemany`, adapting only the times. The ORM twin (`bulk_create`, used with
`history_import(..., raw_sql=False)`) runs the same behavioural tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection

BOOKING_COLUMNS = (
    "created_at",
    "updated_at",
    "session_id",
    "person_id",
    "status",
    "waiting_since",
    "offer_expires_at",
    "confirmed_at",
    "ended_at",
    "ending",
    "late_cancellation",
    "moved_to_id",
    "answers",
    "attendance",
    "arrived_late",
    "attendance_recorded_at",
    "booked_by_id",
    "still_coming_at",
    "calendar_uid",
    "calendar_sequence",
)
USER_COLUMNS = (
    "password",
    "is_superuser",
    "email",
    "name",
    "job_title",
    "team",
    "organisation",
    "is_active",
    "is_staff",
    "date_joined",
)
ADDRESS_COLUMNS = ("user_id", "email", "verified", "primary")


class _Times:
    """Adapts aware datetimes for the database once per distinct value."""

    def __init__(self) -> None:
        self.adapt = connection.ops.adapt_datetimefield_value
        self.seen: dict[datetime, object] = {}

    def __call__(self, value):
        if value is None or not isinstance(value, datetime):
            return value
        got = self.seen.get(value)
        if got is None:
            got = self.seen[value] = self.adapt(value)
        return got


def _insert(table: str, columns: tuple[str, ...], rows: Iterable[tuple], batch: int) -> None:
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names are our own
        quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def bookings_insert(bookings: Iterable[dict], *, batch: int = 5000) -> None:
    """Insert bookings given as {column: value} (every column of BOOKING_COLUMNS)."""
    times = _Times()
    datetimes = {
        "created_at",
        "updated_at",
        "waiting_since",
        "offer_expires_at",
        "confirmed_at",
        "ended_at",
        "attendance_recorded_at",
        "still_coming_at",
    }
    order = [(c, c in datetimes) for c in BOOKING_COLUMNS]

    def rows():
        for b in bookings:
            yield tuple(
                times(b[c]) if is_time else ("{}" if c == "answers" else b[c])
                for c, is_time in order
            )

    _insert("training_booking", BOOKING_COLUMNS, rows(), batch)


def users_insert(people: Iterable[dict], *, batch: int = 5000) -> None:
    times = _Times()
    _insert(
        "accounts_user",
        USER_COLUMNS,
        (tuple(times(p[c]) for c in USER_COLUMNS) for p in people),
        batch,
    )


def addresses_insert(addresses: Iterable[tuple[int, str]], *, batch: int = 5000) -> None:
    """allauth's unverified, primary address record for each (user id, e-mail)."""
    _insert(
        "account_emailaddress",
        ADDRESS_COLUMNS,
        ((user_id, email, False, True) for user_id, email in addresses),
        batch,
    )
