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
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from guildbook.core.fast_paths import fast_paths_on
from guildbook.notifications import sql
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("guildbook.notifications")


Status = OutboxMessage.Status


Outcome = DeliveryAttempt.Outcome


DEFAULT_MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt, at most six hours
    (`OUTBOX_RETRY_BASE_SECONDS` and `OUTBOX_RETRY_MAX_SECONDS` change both)."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


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


def _recorded(row: OutboxMessage, worker: str, recorded: int) -> None:
    if recorded:
        row.status = Status.SENT
    else:
        # Our lease ran out and another worker took the row: it owns the outcome now.
        log.warning("Outbox message %s was reclaimed before %s finished", row.pk, worker)


def _start_sent(row: OutboxMessage, worker: str, now: datetime, subject: str):
    """Record `row` as sent; on PostgreSQL outside a transaction, only start to (returns a
    PendingSent to wait for)."""
    if fast_paths_on() and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return sql.PendingSent(row, worker, now, subject, on_answer=_recorded)
    _record_sent(row, worker, now, subject)
    return None


def _record_sent(row: OutboxMessage, worker: str, now: datetime, subject: str) -> None:
    """Record that the server accepted `row`, only if this worker still holds it: the row
    and its open attempt together. The hot path, so plain SQL (sql.record_sent) unless the
    fast paths are off."""
    if fast_paths_on():
        recorded = sql.record_sent(row.pk, worker=worker, now=now, subject=subject)
    else:
        recorded = record_sent_orm(row.pk, worker=worker, now=now, subject=subject)
    _recorded(row, worker, recorded)


def record_sent_orm(pk: int, *, worker: str, now: datetime, subject: str) -> int:
    """The ORM twin of sql.record_sent: the reference for what it means. Answers 1 when
    this worker still held the row (and it is now `sent`), else 0."""
    with transaction.atomic():
        recorded = OutboxMessage.objects.filter(
            pk=pk, status=Status.SENDING, claimed_by=worker
        ).update(
            status=Status.SENT,
            sent_at=now,
            subject=subject[:255],
            last_error="",
            lease_expires_at=None,
            updated_at=now,
        )
        if recorded:
            DeliveryAttempt.objects.filter(message_id=pk, worker=worker, outcome="").update(
                outcome=Outcome.SENT, finished_at=now, error=""
            )
    return recorded


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
