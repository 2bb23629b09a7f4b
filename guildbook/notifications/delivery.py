"""Delivering the outbox: claim due rows with a lease, send outside the transaction, record.

The steps, and why each is there:

1. Claim (one short transaction). Due pending rows, and rows whose lease ran out because
   their worker died, are locked — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so
   several workers take disjoint batches; SQLite's IMMEDIATE transactions let one writer in
   at a time — then the kind's `still_due` is asked under that lock (False: the row is made
   void), and the rest are marked `sending` with this worker's id and a lease.
2. Send (no transaction open: a slow mail server must not hold database locks). One SMTP
   connection is reused for the batch. Each message carries `Message-ID:
   <outbox-<id>@<site host>>`, so a repeat after a crash can be recognised downstream.
3. Record each message as soon as the server has accepted it (one small transaction per
   message), only if this worker still holds the row. A worker killed between the server's
   acceptance and that commit is the one way a message can be sent twice: its lease runs
   out and another worker sends it again.

Temporary failures (SMTP 4xx, refused or dropped connections, time-outs) go back to
`pending` with a growing back-off; permanent ones (SMTP 5xx, a message that cannot be
built) are `failed` with the reason, as are messages still failing after `max_attempts`.
Every claim is also a DeliveryAttempt row, so the admin shows the history of a message.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy as email_policy

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import close_old_connections, connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from guildbook.notifications.kinds import UnknownKind, get_kind, message_id_domain
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("guildbook.notifications")
Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 60 * 60
DEFAULT_BATCH = 50
DEFAULT_LEASE_SECONDS = 300
DEFAULT_MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt, at most six hours."""
    seconds = RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def message_id(message: OutboxMessage) -> str:
    return f"<outbox-{message.pk}@{message_id_domain()}>"


# --- What kind of failure is it? -----------------------------------------------------


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


# --- Claiming --------------------------------------------------------------------------


def _locking(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs  # SQLite: the IMMEDIATE transaction already holds the write lock


def claim_due(
    *,
    worker: str,
    batch: int = DEFAULT_BATCH,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> tuple[list[OutboxMessage], Counter]:
    """Claim up to `batch` due rows for `worker`. Returns the rows to send now and a count
    of the rows settled without sending (void, failed)."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=lease_seconds)
    settled: Counter = Counter()
    with transaction.atomic():
        # Rows whose worker died first: they have waited longest.
        rows = list(
            _locking(
                OutboxMessage.objects.filter(status=Status.SENDING, lease_expires_at__lte=now)
            ).order_by("lease_expires_at", "id")[:batch]
        )
        if len(rows) < batch:
            rows += _locking(
                OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            ).order_by("next_attempt_at", "id")[: batch - len(rows)]
        if not rows:
            return [], settled
        prefetch_related_objects(rows, "about", "recipient")
        to_send, to_void = [], []
        for row in rows:
            if row.status == Status.SENDING and row.attempts >= max_attempts:
                _fail(row, now, f"Gave up after {row.attempts} attempts: the worker stopped.")
                settled["failed"] += 1
                continue
            try:
                due = get_kind(row.kind).still_due(row)
            except UnknownKind as exc:
                _fail(row, now, str(exc))
                settled["failed"] += 1
                continue
            except Exception as exc:
                log.exception("still_due failed for outbox message %s", row.pk)
                _fail(row, now, f"Could not check whether it is still due: {describe(exc)}")
                settled["failed"] += 1
                continue
            (to_send if due else to_void).append(row)
        if to_void:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in to_void]).update(
                status=Status.VOID, lease_expires_at=None, updated_at=now
            )
            settled["void"] += len(to_void)
        if to_send:
            ids = [r.pk for r in to_send]
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=Status.SENDING,
                attempts=F("attempts") + 1,
                claimed_by=worker,
                lease_expires_at=lease,
                updated_at=now,
            )
            for row in to_send:
                row.status, row.claimed_by, row.lease_expires_at = Status.SENDING, worker, lease
                row.attempts += 1
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(
                    message_id=row.pk,
                    number=row.attempts,
                    worker=worker,
                    claimed_at=now,
                    lease_expires_at=lease,
                )
                for row in to_send
            )
    return to_send, settled


def _fail(row: OutboxMessage, now: datetime, error: str) -> None:
    row.status, row.last_error, row.lease_expires_at = Status.FAILED, error, None
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=Status.FAILED, last_error=error, lease_expires_at=None, updated_at=now
    )


# --- Recording the outcome --------------------------------------------------------------


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
    changes: dict = {"lease_expires_at": None, "updated_at": now}
    if outcome == Outcome.SENT:
        changes.update(status=Status.SENT, sent_at=now, subject=subject[:255], last_error="")
    elif outcome == Outcome.RELEASED:
        changes.update(status=Status.PENDING, next_attempt_at=now)
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
        if connection.vendor == "postgresql":
            # Don't wait for this commit to reach the disk. A worker that dies after it
            # loses nothing (PostgreSQL flushes it within a fraction of a second); only a
            # crash of the database server itself could lose the last few records, and then
            # the worst case is a repeat, never a lost message. It doubles the send rate.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        mine = OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, claimed_by=worker)
        if not mine.update(**changes):
            # Our lease ran out and another worker took the row: it owns the outcome now.
            log.warning("Outbox message %s was reclaimed before %s finished", row.pk, worker)
            return row.status
        DeliveryAttempt.objects.filter(message_id=row.pk, worker=worker, outcome="").update(
            outcome=outcome, finished_at=now, error=error[:2000]
        )
    row.status = changes["status"]
    return row.status


# --- Sending ----------------------------------------------------------------------------


class _QuickFolding(type(email_policy.compat32)):
    """compat32 (what Django's messages use) with a shortcut for the common header: short,
    plain ASCII, one line — written as it is, which is what folding would produce anyway.
    Folding every header through email.header.Header was a third of the cost of a send."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= 78
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_QUICK_FOLDING = _QuickFolding()


class OutboxEmail(EmailMultiAlternatives):
    def message(self):
        mime = super().message()
        mime.policy = _QUICK_FOLDING
        return mime


def build_email(row: OutboxMessage, mail_connection=None) -> EmailMultiAlternatives:
    email = get_kind(row.kind).build(row)
    headers = {**email.headers, "Message-ID": message_id(row)}
    message = OutboxEmail(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        headers=headers,
        connection=mail_connection,
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for filename, content, mimetype in email.attachments:
        message.attach(filename, content, mimetype)
    return message


def deliver(
    rows: list[OutboxMessage],
    *,
    worker: str,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    clock: Callable[[], datetime] = timezone.now,
    should_stop: Callable[[], bool] = lambda: False,
) -> Counter:
    """Send claimed rows over one mail connection and record each outcome."""
    counts: Counter = Counter()
    if not rows:
        return counts
    # Stop sending once the lease is nearly out: a reclaimed row must not be in flight here.
    margin = timedelta(seconds=settings.EMAIL_TIMEOUT or 30)
    mail = get_connection(fail_silently=False)
    is_open = False
    try:
        for index, row in enumerate(rows):
            now = clock()
            if should_stop() or now + margin >= row.lease_expires_at:
                for rest in rows[index:]:
                    _finish(rest, worker, Outcome.RELEASED, now)
                    counts["released"] += 1
                break
            if not row.address:
                _finish(row, worker, Outcome.FAILED, now, error="No e-mail address to send to.")
                counts["failed"] += 1
                continue
            try:
                message = build_email(row, mail)
            except Exception as exc:
                log.exception("Could not build outbox message %s", row.pk)
                error = f"Could not build the message: {describe(exc)}"
                _finish(row, worker, Outcome.FAILED, now, error=error)
                counts["failed"] += 1
                continue
            if not is_open:
                try:
                    mail.open()
                    is_open = True
                except Exception as exc:
                    # The server cannot be reached at all: the rest of the batch would fail
                    # the same way, so all of it waits for the back-off.
                    error, now = describe(exc), clock()
                    log.warning("Mail server unreachable: %s", error)
                    for rest in rows[index:]:
                        status = _finish(
                            rest,
                            worker,
                            Outcome.RETRY,
                            now,
                            error=error,
                            max_attempts=max_attempts,
                        )
                        counts["retry" if status == Status.PENDING else "failed"] += 1
                    break
            try:
                mail.send_messages([message])
            except Exception as exc:
                permanent, broken = classify(exc)
                error, now = describe(exc), clock()
                outcome = Outcome.FAILED if permanent else Outcome.RETRY
                status = _finish(row, worker, outcome, now, error=error, max_attempts=max_attempts)
                counts["retry" if status == Status.PENDING else "failed"] += 1
                log.warning("Outbox message %s: %s", row.pk, error)
                if broken:  # the next message gets a new connection
                    _close(mail)
                    is_open = False
                continue
            _finish(row, worker, Outcome.SENT, clock(), subject=message.subject)
            counts["sent"] += 1
    finally:
        if is_open:
            _close(mail)
    return counts


def _close(mail) -> None:
    try:
        mail.close()
    except Exception:  # a dead connection may fail to say goodbye
        log.debug("Closing the mail connection failed", exc_info=True)


# --- The worker -----------------------------------------------------------------------


class Worker:
    """Claims and delivers batches until stopped. `step(now=...)` does one batch, which is
    what tests drive; `run()` loops, sleeping `poll_seconds` when nothing is due."""

    def __init__(
        self,
        *,
        batch: int = DEFAULT_BATCH,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        poll_seconds: float = 5.0,
        clock: Callable[[], datetime] = timezone.now,
        worker_id: str | None = None,
    ):
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.id = worker_id or new_worker_id()
        self.totals: Counter = Counter()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Finish the message in flight, hand the rest of the batch back, then return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def step(self, *, now: datetime | None = None) -> Counter:
        clock = (lambda: now) if now is not None else self.clock
        rows, counts = claim_due(
            worker=self.id,
            batch=self.batch,
            lease_seconds=self.lease_seconds,
            max_attempts=self.max_attempts,
            now=clock(),
        )
        counts["claimed"] = len(rows)
        counts += deliver(
            rows,
            worker=self.id,
            max_attempts=self.max_attempts,
            clock=clock,
            should_stop=self._stop.is_set,
        )
        self.totals += counts
        return counts

    def run(self, *, once: bool = False) -> Counter:
        while not self._stop.is_set():
            if not connection.in_atomic_block:  # (tests run the command inside one)
                close_old_connections()  # a long-running process must drop dead connections
            counts = self.step()
            if counts["claimed"] or counts["void"] or counts["failed"]:
                continue
            if once:
                break
            self._stop.wait(self.poll_seconds)
        return self.totals
