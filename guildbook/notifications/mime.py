"""Writing an outbox row as an e-mail: the message's bytes, headers and attachments.

Each message carries `Message-ID: <outbox-<id>@<site host>>`, so a repeat after a crash
can be recognised downstream. Plain messages are written directly; anything unusual is
left to Django's own message writer.
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
from dataclasses import dataclass, field
from email import policy as email_policy
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from guildbook.notifications.kinds import get_kind, message_id_domain
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.record import describe, log


def message_id(message: OutboxMessage) -> str:
    return f"<outbox-{message.pk}@{message_id_domain()}>"


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


def simple_bytes(message: EmailMultiAlternatives) -> bytes | None:
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
