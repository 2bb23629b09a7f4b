"""The development mailbox: under `make run` every e-mail is kept as a file, shown in short on
the console, and readable on a page for staff (`/dev/mail/`).

`EmailBackend` writes each message, exactly as it would be sent, to
`GUILDBOOK_DEV_MAILBOX/<time>-<number>.eml` (a file any mail program opens) and prints its
sender, recipient, subject, plain text and attachments' names. The reads below serve the
page. Nothing here runs in production: the mailbox is set only when DEBUG is true.
"""

from __future__ import annotations

import email
import itertools
import os
import re
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

_NAME = re.compile(r"^\d{8}T\d{6}\.\d{6}-\d+-\d+\.eml$")
_counter = itertools.count(1)
_lock = threading.Lock()


def mailbox_dir() -> Path | None:
    folder = getattr(settings, "GUILDBOOK_DEV_MAILBOX", "")
    return Path(folder) if folder else None


class EmailBackend(BaseEmailBackend):
    """Keep every message in the development mailbox and say so on the console."""

    def __init__(self, *, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        folder = mailbox_dir()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            path = None
            if folder is not None:  # (without a mailbox the console alone shows it)
                raw = message.message().as_bytes(linesep="\n")
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
                path = folder / f"{stamp}-{os.getpid()}-{next(_counter)}.eml"
                with open(path.with_suffix(".part"), "wb") as file:
                    file.write(raw)
                os.replace(path.with_suffix(".part"), path)  # readers never see half a one
            with _lock:
                self.stream.write(_summary(message, path))
                self.stream.flush()
            sent += 1
        return sent


def _summary(message, path: Path | None) -> str:
    attachments = [a[0] if isinstance(a, tuple) else a.get_filename() for a in message.attachments]
    lines = [
        "-" * 72,
        f"E-mail from {message.from_email} to {', '.join(message.recipients())}",
        f"Subject: {message.subject}",
        "",
        message.body.rstrip(),
        "",
    ]
    if attachments:
        lines.append(f"Attached: {', '.join(str(a) for a in attachments)}")
    if path is not None:
        lines.append(f"Kept as {path} (staff can read it at {settings.SITE_URL}/dev/mail/)")
    lines += ["-" * 72, ""]
    return "\n".join(lines)


# --- Reading the mailbox (for the page) -------------------------------------------------


@dataclass
class KeptMail:
    name: str  # the file's name: the message's id on the page
    received: datetime
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def sender(self) -> str:
        return str(self.message["From"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        return part.get_content() if part is not None else ""

    def attachments(self) -> list[tuple[int, str, str]]:
        """(number, file name, content type) of each attachment."""
        return [
            (n, part.get_filename() or f"attachment-{n}", part.get_content_type())
            for n, part in enumerate(self.message.iter_attachments())
        ]

    def attachment(self, number: int) -> tuple[str, str, bytes] | None:
        for n, part in enumerate(self.message.iter_attachments()):
            if n == number:
                return (
                    part.get_filename() or f"attachment-{n}",
                    part.get_content_type(),
                    part.get_payload(decode=True) or b"",
                )
        return None


def _read(path: Path) -> KeptMail:
    with open(path, "rb") as file:
        message = email.message_from_binary_file(file, policy=policy.default)
    received = datetime.strptime(path.name.split("-")[0], "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    return KeptMail(name=path.name, received=received, message=message)


def kept_mail(*, limit: int = 200) -> list[KeptMail]:
    """The newest `limit` messages in the mailbox, newest first."""
    folder = mailbox_dir()
    if folder is None or not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)
    return [_read(folder / name) for name in names[:limit]]


def kept_mail_get(name: str) -> KeptMail | None:
    """One message by its file name (anything that is not one of the mailbox's names is
    None, so no other file can be read)."""
    folder = mailbox_dir()
    if folder is None or not _NAME.match(name) or not (folder / name).is_file():
        return None
    return _read(folder / name)
