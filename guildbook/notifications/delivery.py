"""Delivering the outbox: claim due rows with a lease, send outside the transaction, record.

The steps, and why each is there:

1. Claim (one short transaction). Due pending rows, and rows whose lease ran out because
   their worker died, are locked — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so
   several workers take disjoint batches; SQLite's IMMEDIATE transactions let one writer in
   at a time — then the kind's `still_due` is asked under that lock (False: the row is made
   void), and the rest are marked `sending` with this worker's id and a lease.
2. Send (no transaction open: a slow mail server must not hold database locks). One SMTP
   connection carries the batch, and the next batches while work remains (checked with
   NOOP before reuse). Each message carries `Message-ID: <outbox-<id>@<site host>>`, so a
   repeat after a crash can be recognised downstream. Just before each message after the
   first of a batch, `still_due` is asked again with the object read afresh (sixteen rows'
   objects per query), so a booking cancelled after the claim gets nothing.
3. Record each message as soon as the server has accepted it (one small transaction per
   message: one statement on PostgreSQL), only if this worker still holds the row, and
   always before the next message's content is handed over. A worker killed between the
   server's acceptance and that commit is the one way a message can be sent twice: its
   lease runs out and another worker sends it again.

The worker works while the mail server does: the next message is rendered and encoded
while the server decides on the current one, `still_due` is asked while it answers MAIL
FROM, and the previous one is recorded while it answers RCPT TO (on PostgreSQL the
statement goes with MAIL FROM, to give the commit's disk flush the longest time, and its
answer is read only just before the content goes, after RCPT and DATA). See `deliver`.

Temporary failures (SMTP 4xx, refused or dropped connections, time-outs) go back to
`pending` with a growing back-off; permanent ones (SMTP 5xx, a message that cannot be
built) are `failed` with the reason, as are messages still failing after `max_attempts`.
Every claim is also a DeliveryAttempt row, so the admin shows the history of a message.

All of this is the fast path, for Django's SMTP backend: the worker speaks SMTP itself with
its settings (`Mailer`). Any other e-mail backend is called through its `send_messages`, one
message at a time and in the same order (backend_mailer.py; `new_mailer` chooses).

Where is what: claiming (step 1) in claim.py; the message's bytes in mime.py; the SMTP
conversation in smtp.py; recording outcomes and back-off (step 3) in record.py; the sending
loop that joins them (`deliver`) and the worker (`Worker`) here. The public names of those
modules are re-exported here.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import close_old_connections, connection
from django.utils import timezone

from guildbook.notifications.backend_mailer import BackendMailer, speaks_smtp
from guildbook.notifications.claim import (
    DEFAULT_BATCH,
    DEFAULT_LEASE_SECONDS,
    _reread,
    _still_due,
    claim_due,
)
from guildbook.notifications.mime import OutboxEmail, Outgoing, build_email, message_id, prepare
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.record import (
    DEFAULT_MAX_ATTEMPTS,
    Outcome,
    Status,
    _finish,
    _start_sent,
    classify,
    describe,
    log,
    retry_delay,
)
from guildbook.notifications.smtp import Mailer
from guildbook.notifications.sql import PendingSent

# Before each send the kind's still_due is asked again; the objects messages are about are
# read afresh for this many upcoming messages at a time (one query instead of one each), so
# the answer is never older than the last few sends (tens of milliseconds at most; eight
# at a time cost a seventh of the worker's time per message, sixteen half that).
RECHECK_GROUP = 16


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def new_mailer() -> Mailer | BackendMailer:
    """The worker's own SMTP client where the backend is Django's SMTP one (the fast path),
    else the configured backend itself (see backend_mailer.py)."""
    backend = get_connection(fail_silently=False)
    return Mailer(backend) if speaks_smtp(backend) else BackendMailer(backend)


def deliver(
    rows: list[OutboxMessage],
    *,
    worker: str,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    clock: Callable[[], datetime] = timezone.now,
    should_stop: Callable[[], bool] = lambda: False,
    mailer: Mailer | BackendMailer | None = None,
) -> Counter:
    """Send claimed rows over one mail connection and record each outcome.

    The order that makes a crash repeat at most one message: message N is recorded as sent
    (committed) before message N+1 is handed over — its MAIL FROM may already be on the
    wire, its content is not. Each message after the first of a batch is asked `still_due`
    again just before it goes (the claim asked the first, a moment ago), with the object it
    is about read afresh. The next message is rendered and encoded while the server is
    busy with the current one."""
    counts: Counter = Counter()
    if not rows:
        return counts
    own_mailer = mailer is None
    mailer = mailer or new_mailer()
    # Stop sending once the lease is nearly out: a reclaimed row must not be in flight here.
    margin = timedelta(seconds=settings.EMAIL_TIMEOUT or 30)
    checked = False  # a connection kept from an earlier batch is checked once per batch
    ready: dict[int, Outgoing] = {}
    accepted: list[Outgoing] = []  # accepted by the server, not yet recorded (0 or 1)

    in_flight: list[PendingSent] = []  # a record sent to the database, answer unread

    def start_recording() -> None:
        while accepted:
            out = accepted.pop()
            pending = _start_sent(out.row, worker, clock(), out.subject)
            if pending is not None:
                in_flight.append(pending)
            counts["sent"] += 1

    def record_accepted() -> None:
        """Make sure every accepted message is recorded (before any other database work)."""
        while in_flight:
            in_flight.pop().wait()
        start_recording()
        while in_flight:
            in_flight.pop().wait()

    fresh_until = 1  # rows[:fresh_until] had their objects read since the claim

    def reread_from(index: int) -> None:
        nonlocal fresh_until
        fresh_until = index + RECHECK_GROUP
        _reread(rows[index:fresh_until])

    def retry_or_fail(row, error, now) -> None:
        status = _finish(row, worker, Outcome.RETRY, now, error=error, max_attempts=max_attempts)
        counts["retry" if status == Status.PENDING else "failed"] += 1

    try:
        for index, row in enumerate(rows):
            now = clock()
            if should_stop() or now + margin >= row.lease_expires_at:
                record_accepted()
                for rest in rows[index:]:
                    _finish(rest, worker, Outcome.RELEASED, now)
                    counts["released"] += 1
                break
            out = ready.pop(index, None) or prepare(row)
            if out.error:
                record_accepted()
                _finish(row, worker, Outcome.FAILED, now, error=out.error)
                counts["failed"] += 1
                continue
            if not checked or not mailer.is_open:
                record_accepted()
                try:
                    mailer.open()
                    checked = True
                except Exception as exc:
                    # The server cannot be reached at all: the rest of the batch would fail
                    # the same way, so all of it waits for the back-off.
                    error, now = describe(exc), clock()
                    log.warning("Mail server unreachable: %s", error)
                    for rest in rows[index:]:
                        retry_or_fail(rest, error, now)
                    break
            verdict: dict = {}

            def while_mail(row=row, index=index, verdict=verdict) -> bool:
                if index > 0:  # (the claim has just asked the first)
                    if index >= fresh_until:
                        reread_from(index)
                    verdict.update(_still_due(row))
                if connection.vendor == "postgresql":
                    start_recording()  # the previous message; read back in before_content
                return verdict.get("due", True)

            def while_data(index=index) -> None:
                if index + 1 < len(rows):
                    ready[index + 1] = prepare(rows[index + 1])

            try:
                sent = mailer.send(
                    out,
                    while_mail=while_mail,
                    before_content=record_accepted,
                    while_data=while_data,
                    while_rcpt=start_recording,  # (on SQLite: there the server answers faster)
                )
            except Exception as exc:
                record_accepted()
                permanent, broken = classify(exc)
                error, now = describe(exc), clock()
                if verdict.get("due") is False:  # no longer due, and the server failed anyway
                    _finish(row, worker, Outcome.VOID, now)
                    counts["void"] += 1
                elif permanent:
                    _finish(row, worker, Outcome.FAILED, now, error=error)
                    counts["failed"] += 1
                else:
                    retry_or_fail(row, error, now)
                log.warning("Outbox message %s: %s", row.pk, error)
                if broken:  # the next message gets a new connection
                    mailer.close()
                continue
            record_accepted()  # (already done unless the message did not go)
            if sent:
                accepted.append(out)
            elif "error" in verdict:
                _finish(row, worker, Outcome.FAILED, clock(), error=verdict["error"])
                counts["failed"] += 1
            else:
                _finish(row, worker, Outcome.VOID, clock())
                counts["void"] += 1
        record_accepted()
    except BaseException:
        mailer.close()  # a reply may be outstanding: this connection is no longer usable
        for pending in in_flight:  # leave the database connection with nothing unread
            try:
                pending.wait()
            except Exception:
                log.exception("Recording outbox message %s failed", pending.row.pk)
        raise
    finally:
        if own_mailer:
            mailer.close()
    return counts


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
        self._mailer: Mailer | BackendMailer | None = None

    def stop(self) -> None:
        """Finish the message in flight, hand the rest of the batch back, then return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def step(self, *, now: datetime | None = None, keep_connection: bool = False) -> Counter:
        """Claim and deliver one batch. With `keep_connection` the mail connection stays
        open for the next batch (`run` closes it when nothing is due)."""
        clock = (lambda: now) if now is not None else self.clock
        rows, counts = claim_due(
            worker=self.id,
            batch=self.batch,
            lease_seconds=self.lease_seconds,
            max_attempts=self.max_attempts,
            now=clock(),
        )
        counts["claimed"] = len(rows)
        if rows and self._mailer is None:
            self._mailer = new_mailer()
        try:
            counts += deliver(
                rows,
                worker=self.id,
                max_attempts=self.max_attempts,
                clock=clock,
                should_stop=self._stop.is_set,
                mailer=self._mailer,
            )
        finally:
            if not keep_connection:
                self.close()
        self.totals += counts
        return counts

    def close(self) -> None:
        if self._mailer is not None:
            self._mailer.close()
            self._mailer = None

    def run(self, *, once: bool = False) -> Counter:
        try:
            while not self._stop.is_set():
                if not connection.in_atomic_block:  # (tests run the command inside one)
                    close_old_connections()  # a long-running process drops dead connections
                counts = self.step(keep_connection=True)
                if counts["claimed"] or counts["void"] or counts["failed"] or counts["tasks"]:
                    continue
                self.close()  # nothing due: don't hold the mail server's connection idle
                if once:
                    break
                self._stop.wait(self.poll_seconds)
        finally:
            self.close()
        return self.totals


__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_MAX_ATTEMPTS",
    "RECHECK_GROUP",
    "Mailer",
    "OutboxEmail",
    "Outgoing",
    "Worker",
    "build_email",
    "claim_due",
    "classify",
    "deliver",
    "describe",
    "message_id",
    "new_worker_id",
    "prepare",
    "retry_delay",
]
