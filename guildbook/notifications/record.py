"""Recording each message's outcome: sent, back to pending with a back-off, or failed.

A message is recorded as sent as soon as the server has accepted it (one small transaction
per message: one statement on PostgreSQL), only if this worker still holds the row, and
always before the next message's content is handed over. Temporary failures (SMTP 4xx,
refused or dropped connections, time-outs) go back to `pending` with a growing back-off;
permanent ones (SMTP 5xx, a message that cannot be built) are `failed` with the reason, as
are messages still failing after `max_attempts`.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime, timedelta

from django.db import connection, transaction

from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("guildbook.notifications")


Status = OutboxMessage.Status


Outcome = DeliveryAttempt.Outcome


RETRY_BASE_SECONDS = 60


RETRY_MAX_SECONDS = 6 * 60 * 60


DEFAULT_MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt, at most six hours."""
    seconds = RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def classify(exc: BaseException) -> tuple[bool, bool]:
    """(permanent, connection_broken) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return (bool(codes) and all(code >= 500 for code in codes), False)
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        # Our configuration, not the message: retry, so fixing the settings delivers it.
        return (False, True)
    if isinstance(exc, smtplib.SMTPResponseException):
        return (exc.smtp_code >= 500, exc.smtp_code == 421)
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        # Refused, reset or dropped connections and time-outs (socket.timeout is an OSError).
        return (False, True)
    # Anything else is about this message (a header that cannot be encoded...).
    return (True, False)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()]
        return "Recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"[:2000]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_OUTBOX = OutboxMessage._meta.db_table


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


class _PendingSent:
    """A "sent" record whose statement is on its way to PostgreSQL: `wait()` reads its
    answer. Sending the statement and reading the answer apart lets the database work while
    the mail server answers the next message's MAIL, RCPT and DATA; the answer is read
    before that message's content goes, so the rule "at most one accepted message is
    unrecorded" still holds. Nothing else uses the connection in between."""

    def __init__(self, row: OutboxMessage, worker: str, now: datetime, subject: str):
        self.row, self.worker = row, worker
        connection.ensure_connection()
        self.pgconn = connection.connection.pgconn
        params = [str(row.pk), worker, now.isoformat(), subject[:255]]
        self.pgconn.send_query_params(_SENT_LIBPQ, [p.encode() for p in params])

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
        _recorded(self.row, self.worker, recorded)


def _recorded(row: OutboxMessage, worker: str, recorded: int) -> None:
    if recorded:
        row.status = Status.SENT
    else:
        # Our lease ran out and another worker took the row: it owns the outcome now.
        log.warning("Outbox message %s was reclaimed before %s finished", row.pk, worker)


def _start_sent(row: OutboxMessage, worker: str, now: datetime, subject: str):
    """Record `row` as sent; on PostgreSQL outside a transaction, only start to (returns a
    _PendingSent to wait for)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _PendingSent(row, worker, now, subject)
    _record_sent(row, worker, now, subject)
    return None


def _record_sent(row: OutboxMessage, worker: str, now: datetime, subject: str) -> None:
    """Record that the server accepted `row`: the hot path, so plain SQL rather than the
    ORM's two updates (which cost more than the SMTP exchange itself)."""
    params = {
        "id": row.pk,
        "worker": worker,
        "now": connection.ops.adapt_datetimefield_value(now),
        "subject": subject[:255],
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one statement is one transaction
            cursor.execute(_SENT_POSTGRESQL, params)
            recorded = cursor.fetchone()[0]
    elif connection.vendor == "sqlite":
        # The driver's own connection inside Django's transaction (which takes the write
        # lock): Django's cursor wrapper rewrites the placeholders on every call.
        with transaction.atomic():
            sqlite = connection.connection
            recorded = sqlite.execute(_SENT_ROW_SQLITE, params).rowcount
            if recorded:
                sqlite.execute(_SENT_ATTEMPT_SQLITE, params)
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_SENT_ROW, params)
            recorded = cursor.rowcount
            if recorded:
                cursor.execute(_SENT_ATTEMPT, params)
    _recorded(row, worker, recorded)


def _finish(
    row: OutboxMessage,
    worker: str,
    outcome: str,
    now: datetime,
    *,
    error: str = "",
    subject: str = "",
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> str:
    """Record how this worker's attempt at `row` ended. Returns the row's new status."""
    if outcome == Outcome.SENT:
        _record_sent(row, worker, now, subject)
        return row.status
    changes: dict = {"lease_expires_at": None, "updated_at": now}
    if outcome == Outcome.RELEASED:
        changes.update(status=Status.PENDING, next_attempt_at=now)
    elif outcome == Outcome.VOID:
        changes.update(status=Status.VOID)
    elif outcome == Outcome.RETRY and row.attempts < max_attempts:
        changes.update(
            status=Status.PENDING,
            next_attempt_at=now + retry_delay(row.attempts),
            last_error=error,
        )
    else:
        if outcome == Outcome.RETRY:
            error = f"Gave up after {row.attempts} attempts. Last error: {error}"
            outcome = Outcome.FAILED
        changes.update(status=Status.FAILED, last_error=error)
    with transaction.atomic():
        mine = OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, claimed_by=worker)
        if not mine.update(**changes):
            log.warning("Outbox message %s was reclaimed before %s finished", row.pk, worker)
            return row.status
        DeliveryAttempt.objects.filter(message_id=row.pk, worker=worker, outcome="").update(
            outcome=outcome, finished_at=now, error=error[:2000]
        )
    row.status = changes["status"]
    return row.status
