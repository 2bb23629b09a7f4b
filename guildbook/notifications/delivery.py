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

All of this is the fast path, for Django's SMTP backend: the worker speaks SMTP itself with
its settings (`Mailer`). Any other e-mail backend is called through its `send_messages`, one
message at a time and in the same order (backend_mailer.py; `new_mailer` chooses).

Temporary failures (SMTP 4xx, refused or dropped connections, time-outs) go back to
`pending` with a growing back-off; permanent ones (SMTP 5xx, a message that cannot be
built) are `failed` with the reason, as are messages still failing after `max_attempts`.
Every claim is also a DeliveryAttempt row, so the admin shows the history of a message.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import secrets
import smtplib
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy as email_policy
from email.utils import formatdate

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import close_old_connections, connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from guildbook.notifications.backend_mailer import BackendMailer, speaks_smtp
from guildbook.notifications.kinds import UnknownKind, get_kind, message_id_domain
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("guildbook.notifications")
Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 60 * 60
# Rows per claim. A claim's queries cost the same for 10 rows or 200, so a bigger batch
# costs less a message (0.12 ms of CPU at 50, 0.08 at 100, 0.06 at 200); a smaller one
# leaves fewer rows waiting for the lease when a worker dies, and shares work between
# workers more evenly at the end.
DEFAULT_BATCH = 100
DEFAULT_LEASE_SECONDS = 300
DEFAULT_MAX_ATTEMPTS = 8
# Before each send the kind's still_due is asked again; the objects messages are about are
# read afresh for this many upcoming messages at a time (one query instead of one each), so
# the answer is never older than the last few sends (tens of milliseconds at most; eight
# at a time cost a seventh of the worker's time per message, sixteen half that).
RECHECK_GROUP = 16


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
        _reread(rows)
        prefetch_related_objects(rows, "recipient")
        to_send, to_void = [], []
        for row in rows:
            if row.status == Status.SENDING and row.attempts >= max_attempts:
                _fail(row, now, f"Gave up after {row.attempts} attempts: the worker stopped.")
                settled["failed"] += 1
                continue
            try:
                due = get_kind(row.kind).due(row)
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
            _open_attempts(ids, worker=worker, now=now, lease=lease)
    return to_send, settled


_OPEN_ATTEMPTS = f"""
INSERT INTO {DeliveryAttempt._meta.db_table}
    (message_id, number, worker, claimed_at, lease_expires_at, finished_at, outcome, error)
SELECT id, attempts, %s, %s, %s, NULL, '', '' FROM {OutboxMessage._meta.db_table}
WHERE id IN ({{ids}})
"""  # noqa: S608 (the table names come from the models)


def _open_attempts(ids: list[int], *, worker: str, now: datetime, lease: datetime) -> None:
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


def _fail(row: OutboxMessage, now: datetime, error: str) -> None:
    row.status, row.last_error, row.lease_expires_at = Status.FAILED, error, None
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=Status.FAILED, last_error=error, lease_expires_at=None, updated_at=now
    )


# --- Recording the outcome --------------------------------------------------------------

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


# --- Building ---------------------------------------------------------------------------


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
    return _django_email(row, get_kind(row.kind).build(row), mail_connection)


def _django_email(row: OutboxMessage, email, mail_connection=None) -> EmailMultiAlternatives:
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


@functools.lru_cache(maxsize=1024)
def _envelope_address(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def _as_bytes(mime) -> bytes:
    """The message as sent. Each multipart gets a random boundary before it is written:
    left to itself the generator invents one and compiles a new regular expression per
    part to make sure the text does not contain it, which was a fifth of building a
    message. 128 random bits cannot be guessed by whoever wrote the text, and the result is
    still checked; on the (astronomically unlikely) clash the generator's own way is used."""
    boundaries = []
    for part in mime.walk():
        if part.is_multipart():
            boundary = f"=_{secrets.token_hex(16)}"
            part.set_boundary(boundary)
            boundaries.append((part, f"--{boundary}".encode()))
    raw = mime.as_bytes(linesep="\r\n")
    for part, delimiter in boundaries:
        # A delimiter line before each subpart and one to close, nowhere else.
        if raw.count(delimiter) != len(part.get_payload()) + 1:
            for other, _ in boundaries:
                other.del_param("boundary")
            return mime.as_bytes(linesep="\r\n")
    return raw


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_HANDLED_HEADERS = {"from", "to", "cc", "reply-to", "date", "subject", "mime-version"}


def _short_ascii(value) -> bool:
    return isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value


def _text_part(content_type: str, text: str, extra: str = "") -> str | None:
    """A text part as Django writes it (7bit or 8bit UTF-8), or None when Django would
    use quoted-printable (a line longer than 998 bytes)."""
    lines = _LINE_BREAK.split(text)
    if max(map(len, lines)) > 249 and any(len(line.encode()) > 998 for line in lines):
        return None
    cte = "7bit" if text.isascii() else "8bit"
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n{extra}\r\n" + "\r\n".join(lines)
    )


def _multipart(subtype: str, parts: list[str]) -> str:
    boundary = f"=_{secrets.token_hex(16)}"
    delimiter = f"--{boundary}"
    if any(delimiter in part for part in parts):  # cannot happen by chance; never by design
        raise _NotSimple
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\nMIME-Version: 1.0\r\n'
        f"\r\n{delimiter}\r\n" + f"\r\n{delimiter}\r\n".join(parts) + f"\r\n{delimiter}--\r\n"
    )


class _NotSimple(Exception):
    pass


def _simple_bytes(message: EmailMultiAlternatives) -> bytes | None:
    """`message` written directly (see `_direct_bytes`), or None when it is not of the
    common shape."""
    if message.encoding not in (None, "utf-8"):
        return None
    if message.cc or message.reply_to or len(message.to) != 1:
        return None
    if any(a[1] != "text/html" or not isinstance(a[0], str) for a in message.alternatives):
        return None
    if len(message.alternatives) > 1:
        return None
    return _direct_bytes(
        subject=message.subject,
        text=message.body,
        html=message.alternatives[0][0] if message.alternatives else None,
        attachments=message.attachments,
        sender=message.from_email,
        to=message.to[0],
        extra=message.extra_headers,
    )


def _direct_bytes(
    *,
    subject: str,
    text: str,
    html: str | None,
    attachments: list,
    sender: str,
    to: str,
    extra: dict[str, str],
) -> bytes | None:
    """The common message — short ASCII headers, UTF-8 text and HTML, text attachments
    with plain file names — written directly, as Django's `message().as_bytes()` would
    write it (the same parts, headers and encodings; tests compare the two). Building it
    through the email package cost more than the SMTP exchange. None for anything else,
    which then goes the general way."""
    if settings.DEFAULT_CHARSET != "utf-8" or not text:
        return None
    if any(k.lower() in _HANDLED_HEADERS or not _HEADER_NAME.match(k) for k in extra):
        return None
    headers = {"Subject": subject, "From": sender, "To": to, "Date": None, **extra}
    for name in ("From", "To"):
        if not _short_ascii(headers[name]):
            return None
        headers[name] = _envelope_address(headers[name], "utf-8")
    headers["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    lines = []
    for name, value in headers.items():
        if not _short_ascii(value) or len(name) + len(value) + 2 > 78:
            return None
        lines.append(f"{name}: {value}\r\n")
    try:
        body = _text_part("text/plain", text)
        if body is None:
            return None
        if html is not None:
            html_part = _text_part("text/html", html)
            if html_part is None:
                return None
            body = _multipart("alternative", [body, html_part])
        if attachments:
            parts = [body]
            for attachment in attachments:
                if not isinstance(attachment, tuple) or len(attachment) != 3:
                    return None
                filename, content, mimetype = attachment
                if not (
                    isinstance(content, str)
                    and isinstance(mimetype, str)
                    and mimetype.startswith("text/")
                    and isinstance(filename, str)
                    and _SAFE_FILENAME.match(filename)
                    and _short_ascii(mimetype)
                ):
                    return None
                disposition = f'Content-Disposition: attachment; filename="{filename}"\r\n'
                part = _text_part(mimetype, content, disposition)
                if part is None:
                    return None
                parts.append(part)
            body = _multipart("mixed", parts)
    except _NotSimple:
        return None
    # The outermost part's Content-Type and MIME-Version come first, as Django writes them.
    first, second, rest = body.split("\r\n", 2)
    return f"{first}\r\n{second}\r\n{''.join(lines)}{rest}".encode()


def _as_attached(attachment: tuple) -> tuple:
    """A kind's (filename, content, mimetype) as Django's `attach` would store it: text
    given as UTF-8 bytes becomes a string (anything else goes the general way)."""
    filename, content, mimetype = attachment
    if isinstance(content, bytes) and isinstance(mimetype, str) and mimetype.startswith("text/"):
        with contextlib.suppress(UnicodeDecodeError):
            content = content.decode()
    return (filename, content, mimetype)


@dataclass(slots=True)
class Outgoing:
    """A claimed row made ready to send: the envelope and the bytes, or why it can't go."""

    row: OutboxMessage
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    raw: bytes = b""
    subject: str = ""
    error: str = ""


def prepare(row: OutboxMessage) -> Outgoing:
    """Render and encode one message. Pure: nothing is written, so it can be done ahead
    (while the server is busy with the message before)."""
    if not row.address:
        return Outgoing(row, error="No e-mail address to send to.")
    try:
        email = get_kind(row.kind).build(row)
        raw = _direct_bytes(
            subject=email.subject,
            text=email.text,
            html=email.html or None,
            attachments=[_as_attached(a) for a in email.attachments],
            sender=settings.DEFAULT_FROM_EMAIL,
            to=row.address,
            extra={**email.headers, "Message-ID": message_id(row)},
        )
        if raw is not None:  # (what Django's message would say, without building it)
            return Outgoing(
                row,
                sender=_envelope_address(settings.DEFAULT_FROM_EMAIL, "utf-8"),
                recipients=[_envelope_address(row.address, "utf-8")],
                raw=raw,
                subject=email.subject,
            )
        message = _django_email(row, email)
        raw = _as_bytes(message.message())
        encoding = message.encoding or settings.DEFAULT_CHARSET
        return Outgoing(
            row,
            sender=_envelope_address(message.from_email, encoding),
            recipients=[_envelope_address(a, encoding) for a in message.recipients()],
            raw=raw,
            subject=message.subject,
        )
    except Exception as exc:
        log.exception("Could not build outbox message %s", row.pk)
        return Outgoing(row, error=f"Could not build the message: {describe(exc)}")


# --- Sending ----------------------------------------------------------------------------

_LEADING_DOT = re.compile(rb"(?m)^\.")


@functools.lru_cache(maxsize=1024)
def _quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


class Mailer:
    """One SMTP connection (from Django's SMTP settings: host, port, TLS, login), kept open
    across batches while there is work, checked with NOOP before it is used again.

    `send` is smtplib's `sendmail` taken apart so the worker can work while the server
    does: `while_mail` runs after MAIL FROM is written and before its answer is read (the
    worker asks whether this message is still due, and starts recording the previous one
    on PostgreSQL), `while_rcpt` after the first RCPT TO is written (the worker records
    the previous one there on SQLite), `before_content` just before the message itself is
    written (the worker makes sure the previous one's record has committed), `while_data`
    after the message is written and before the server's verdict (the worker builds the
    next message there). The server cannot accept this message before its content has
    gone, so recording the previous one by then keeps the rule that at most one accepted
    message is ever unrecorded. Spreading the work over the waits keeps the worker from
    sleeping through the server's answers. A callback that raises leaves a reply unread,
    so the connection is closed."""

    def __init__(self, backend=None):
        self.backend = backend or get_connection(fail_silently=False)
        self.smtp: smtplib.SMTP | None = None
        self.sends = 0

    @property
    def is_open(self) -> bool:
        return self.smtp is not None

    def open(self) -> None:
        if self.smtp is not None and self.sends:
            try:  # reused from an earlier batch: is the server still there?
                if self.smtp.noop()[0] == 250:
                    return
            except Exception:
                log.debug("The kept mail connection is gone; opening another", exc_info=True)
            self.close()
        if self.smtp is None:
            self.backend.open()
            self.smtp = self.backend.connection
            self.sends = 0

    def close(self) -> None:
        if self.smtp is None:
            return
        self.smtp = None
        try:
            self.backend.close()
        except Exception:  # a dead connection may fail to say goodbye
            log.debug("Closing the mail connection failed", exc_info=True)
        self.backend.connection = None

    def send(
        self,
        out: Outgoing,
        *,
        while_mail: Callable[[], bool],
        before_content: Callable[[], None],
        while_data: Callable[[], None],
        while_rcpt: Callable[[], None] = lambda: None,
    ) -> bool:
        """Send `out`. Returns False when `while_mail` answered False (the transaction is
        reset and nothing is sent); raises smtplib's exceptions as `sendmail` does."""
        smtp = self.smtp
        self.sends += 1
        smtp.ehlo_or_helo_if_needed()
        options = f" SIZE={len(out.raw)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
        try:
            smtp.putcmd("mail", f"FROM:{_quoted(out.sender)}{options}")
            lost = None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            lost = exc
        go_on = self._during(while_mail)  # runs even if the command could not be written
        if lost is not None:
            raise lost
        code, reply = smtp.getreply()
        if code != 250:
            self._refused(code)
            raise smtplib.SMTPSenderRefused(code, reply, out.sender)
        if not go_on:
            smtp.rset()
            return False
        refused = {}
        for number, recipient in enumerate(out.recipients):
            smtp.putcmd("rcpt", f"TO:{_quoted(recipient)}")  # smtp.rcpt, without parsing again
            if number == 0:
                self._during(while_rcpt)
            code, reply = smtp.getreply()
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                self.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(out.recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = smtp.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        data = _LEADING_DOT.sub(b"..", out.raw)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        before_content()
        smtp.send(data + b".\r\n")
        while_data()
        code, reply = smtp.getreply()
        if code != 250:
            self._refused(code)
            raise smtplib.SMTPDataError(code, reply)
        return True

    def _during(self, callback: Callable):
        try:
            return callback()
        except BaseException:
            self.close()
            raise

    def _refused(self, code: int) -> None:
        if code == 421:
            self.close()
        else:
            try:
                self.smtp.rset()
            except smtplib.SMTPServerDisconnected:
                self.close()


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

    in_flight: list[_PendingSent] = []  # a record sent to the database, answer unread

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


def _reread(rows: list[OutboxMessage]) -> None:
    """Read the objects `rows` are about afresh, with what their kinds ask for
    (`MessageKind.related`): one query per model and kind's paths, not one per row.
    (What prefetch_related_objects(rows, "about") did, for a quarter of its cost.)"""
    wanted: dict[tuple, set] = defaultdict(set)
    for row in rows:
        if row.content_type_id is not None and row.object_id is not None:
            wanted[row.content_type_id, _related(row.kind)].add(row.object_id)
    found = {}
    for (ct_id, related), ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        objects = model._base_manager.using(connection.alias).filter(pk__in=ids)
        try:
            objects = list(objects.select_related(*related) if related else objects)
        except FieldError:  # paths that do not fit this model: the kind queries as it goes
            log.warning("Message kind paths %s do not fit %s", related, model.__name__)
            objects = list(objects)
        for obj in objects:
            found[ct_id, related, obj.pk] = obj
    about = OutboxMessage.about
    for row in rows:
        key = (row.content_type_id, _related(row.kind), row.object_id)
        about.set_cached_value(row, found.get(key))
    _reread_accounts(rows)


def _reread_accounts(rows: list[OutboxMessage]) -> None:
    """Whether each recipient read at the claim is still active (an account deactivated
    since gets nothing): one small query for the group."""
    cached = OutboxMessage.recipient.is_cached
    recipients = [r.recipient for r in rows if r.recipient_id and cached(r)]
    if not recipients:
        return
    model = type(recipients[0])
    active = set(
        model._base_manager.filter(pk__in={p.pk for p in recipients}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    for person in recipients:
        person.is_active = person.pk in active


def _related(kind: str) -> tuple[str, ...]:
    try:
        return tuple(get_kind(kind).related)
    except UnknownKind:
        return ()


def _still_due(row: OutboxMessage) -> dict:
    """Ask the kind again, just before sending (its object was read afresh by _reread)."""
    try:
        return {"due": bool(get_kind(row.kind).due(row))}
    except Exception as exc:
        log.exception("still_due failed for outbox message %s", row.pk)
        return {"due": False, "error": f"Could not check whether it is still due: {describe(exc)}"}


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
                if counts["claimed"] or counts["void"] or counts["failed"]:
                    continue
                self.close()  # nothing due: don't hold the mail server's connection idle
                if once:
                    break
                self._stop.wait(self.poll_seconds)
        finally:
            self.close()
        return self.totals
