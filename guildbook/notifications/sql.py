"""Notifications' hand-written SQL, and nothing else in notifications writes SQL by hand.

Claiming and recording run once per message; the statements here do in one round trip what
the ORM does in several. Each has an ORM twin beside its caller (claim.open_attempts_orm,
record.record_sent_orm), the reference for what it means, and the tests run both
(`GUILDBOOK_FAST_PATHS`).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import connection, transaction

from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

_OPEN_ATTEMPTS = f"""
INSERT INTO {DeliveryAttempt._meta.db_table}
    (message_id, number, worker, claimed_at, lease_expires_at, finished_at, outcome, error)
SELECT id, attempts, %s, %s, %s, NULL, '', '' FROM {OutboxMessage._meta.db_table}
WHERE id IN ({{ids}})
"""  # noqa: S608 (the table names come from the models)


def open_attempts(ids: list[int], *, worker: str, now: datetime, lease: datetime) -> None:
    """A DeliveryAttempt for each claimed row, numbered by its (already raised) attempts:
    one INSERT … SELECT per 500 rows rather than a model instance each."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                _OPEN_ATTEMPTS.format(ids=", ".join(["%s"] * len(chunk))),
                [worker, adapt(now), adapt(lease), *chunk],
            )


_OUTBOX = OutboxMessage._meta.db_table


def claim_in_index_order() -> None:
    """On PostgreSQL, for the rest of the claim's transaction: read the claim's partial
    indexes in order (stopping at the batch's size) rather than as a bitmap. Every message
    sent leaves a dead entry in the index of pending rows until the table is vacuumed; an
    ordered index scan marks each one dead as it passes, so the next claim skips it, while
    a bitmap scan (which the planner picks when its statistics say the table is small, as
    after a burst) visits every one again, every claim: 20 ms a claim after 5,000 messages
    against 1 ms in order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")


_ATTEMPT = DeliveryAttempt._meta.db_table


# "Sent", in one statement on PostgreSQL: the row (only if this worker still holds it) and
# its open attempt together, committed as the server is configured to commit (durably, by
# default: `synchronous_commit` is left alone). A record that a crash of the database
# server could lose would let that crash repeat every message recorded in the last few
# hundred milliseconds; see docs/subsystems/notifications.md, "Why 'sent' waits for the
# disk".
_SENT_POSTGRESQL = f"""
WITH row AS (
    UPDATE {_OUTBOX}
    SET status = 'sent', sent_at = %(now)s, subject = %(subject)s, last_error = '',
        lease_expires_at = NULL, updated_at = %(now)s
    WHERE id = %(id)s AND status = 'sending' AND claimed_by = %(worker)s
    RETURNING id
), attempt AS (
    UPDATE {_ATTEMPT} SET outcome = 'sent', finished_at = %(now)s, error = ''
    WHERE message_id IN (SELECT id FROM row) AND worker = %(worker)s AND outcome = ''
    RETURNING 1
)
SELECT count(*) FROM row
"""  # noqa: S608 (the table names come from the models)


_SENT_ROW = f"""
UPDATE {_OUTBOX}
SET status = 'sent', sent_at = %(now)s, subject = %(subject)s, last_error = '',
    lease_expires_at = NULL, updated_at = %(now)s
WHERE id = %(id)s AND status = 'sending' AND claimed_by = %(worker)s
"""  # noqa: S608


_SENT_ATTEMPT = f"""
UPDATE {_ATTEMPT} SET outcome = 'sent', finished_at = %(now)s, error = ''
WHERE message_id = %(id)s AND worker = %(worker)s AND outcome = ''
"""  # noqa: S608


_SENT_ROW_SQLITE = re.sub(r"%\((\w+)\)s", r":\1", _SENT_ROW)


_SENT_ATTEMPT_SQLITE = re.sub(r"%\((\w+)\)s", r":\1", _SENT_ATTEMPT)


_SENT_LIBPQ = (
    _SENT_POSTGRESQL.replace("%(id)s", "$1::bigint")
    .replace("%(worker)s", "$2::text")
    .replace("%(now)s", "$3::timestamptz")
    .replace("%(subject)s", "$4::text")
    .encode()
)


def record_sent(pk: int, *, worker: str, now: datetime, subject: str) -> int:
    """Record outbox row `pk` as sent, and its open attempt, only if `worker` still holds
    it. Answers 1 when it did, else 0."""
    params = {
        "id": pk,
        "worker": worker,
        "now": connection.ops.adapt_datetimefield_value(now),
        "subject": subject[:255],
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one statement is one transaction
            cursor.execute(_SENT_POSTGRESQL, params)
            return cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        # The driver's own connection inside Django's transaction (which takes the write
        # lock): Django's cursor wrapper rewrites the placeholders on every call.
        with transaction.atomic():
            sqlite = connection.connection
            recorded = sqlite.execute(_SENT_ROW_SQLITE, params).rowcount
            if recorded:
                sqlite.execute(_SENT_ATTEMPT_SQLITE, params)
        return recorded
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SENT_ROW, params)
        recorded = cursor.rowcount
        if recorded:
            cursor.execute(_SENT_ATTEMPT, params)
    return recorded


_SENT_NAME = b"guildbook_outbox_sent"

# The database connections (libpq's, by identity) that have the "sent" statement prepared:
# it is parsed and planned once per connection rather than once per message.
_prepared_on: dict[int, object] = {}


def _prepared(pgconn) -> bool:
    """Prepare the "sent" statement on this connection once; False if the server refused
    (the statement is then sent whole each time)."""
    if _prepared_on.get(id(pgconn)) is pgconn:
        return True
    from psycopg import pq

    result = pgconn.prepare(_SENT_NAME, _SENT_LIBPQ)
    if result.status != pq.ExecStatus.COMMAND_OK:
        return False
    _prepared_on.clear()  # (one live connection per worker thread is all there is)
    _prepared_on[id(pgconn)] = pgconn
    return True


class PendingSent:
    """A "sent" record whose statement is on its way to PostgreSQL: `wait()` reads its
    answer. Sending the statement and reading the answer apart lets the database work while
    the mail server answers the next message's MAIL, RCPT and DATA; the answer is read
    before that message's content goes, so the rule "at most one accepted message is
    unrecorded" still holds. Nothing else uses the connection in between."""

    def __init__(self, row, worker: str, now: datetime, subject: str, *, on_answer):
        self.row, self.worker, self.on_answer = row, worker, on_answer
        connection.ensure_connection()
        self.pgconn = pgconn = connection.connection.pgconn
        params = [
            str(row.pk).encode(),
            worker.encode(),
            now.isoformat().encode(),
            subject[:255].encode(),
        ]
        if _prepared(pgconn):
            pgconn.send_query_prepared(_SENT_NAME, params)
        else:
            pgconn.send_query_params(_SENT_LIBPQ, params)

    def wait(self) -> None:
        from psycopg import DatabaseError, pq

        recorded, error = 0, None
        while (result := self.pgconn.get_result()) is not None:
            if result.status == pq.ExecStatus.TUPLES_OK:
                recorded = int(result.get_value(0, 0))
            else:
                error = (result.error_message or b"").decode("utf-8", "replace")
        if error is not None:
            raise DatabaseError(f"Recording outbox message {self.row.pk} as sent: {error}")
        self.on_answer(self.row, self.worker, recorded)
