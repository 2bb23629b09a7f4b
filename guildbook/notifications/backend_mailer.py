"""Sending the outbox through any Django e-mail backend: console, file, locmem, or a
third-party one (an e-mail API's backend such as django-anymail's).

The worker's own SMTP client (`delivery.Mailer`) is used only when the configured backend
is Django's SMTP backend, unchanged: it speaks SMTP itself to keep the server busy. Any
other backend gets this `BackendMailer`, which offers the worker the same `send` and keeps
the same order, so the once-only rule holds whatever the backend: the message before is
recorded as sent (committed) before this one is handed to the backend, and this one is
recorded as soon as the backend returns, before the next goes. A worker killed between the
backend's return and that commit repeats at most this one message.

A backend tells a temporary failure from a permanent one in its own way, so every error it
raises is treated as temporary: the message is tried again with the worker's back-off and
marked failed after the last attempt, with the backend's words as the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from guildbook.notifications.kinds import get_kind, message_id_domain

log = logging.getLogger("guildbook.notifications")


class MailBackendError(ConnectionError):
    """The backend did not take the message (a temporary failure: it is retried). A
    ConnectionError, so the worker also starts the backend afresh for the next message."""


def speaks_smtp(backend) -> bool:
    """Whether the worker may talk SMTP itself with `backend`'s settings: Django's own SMTP
    backend, or a subclass that leaves its sending alone (one that signs or rewrites
    messages in `send_messages` must be called)."""
    return (
        isinstance(backend, SMTPBackend)
        and type(backend).send_messages is SMTPBackend.send_messages
    )


def email_for(row) -> EmailMultiAlternatives:
    """The outbox row as a Django message: the kind's three templates, its attachments and
    headers, and `Message-ID: <outbox-<id>@<site host>>` as over SMTP."""
    email = get_kind(row.kind).build(row)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        headers={**email.headers, "Message-ID": f"<outbox-{row.pk}@{message_id_domain()}>"},
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for filename, content, mimetype in email.attachments:
        message.attach(filename, content, mimetype)
    return message


class BackendMailer:
    """One connection of the configured backend, kept while there is work; `send` has the
    shape of `delivery.Mailer.send` and calls the worker's hooks in the same order."""

    def __init__(self, backend=None):
        self.backend = backend or get_connection(fail_silently=False)
        self.is_open = False
        self.sends = 0

    def open(self) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception:  # a broken connection may fail to close
            log.debug("Closing the e-mail backend failed", exc_info=True)

    def send(
        self,
        out,
        *,
        while_mail: Callable[[], bool],
        before_content: Callable[[], None],
        while_data: Callable[[], None],
        while_rcpt: Callable[[], None] = lambda: None,
    ) -> bool:
        """Send `out` (a prepared outbox row). Returns False when `while_mail` answers that
        it is no longer due; raises MailBackendError when the backend did not take it."""
        self.sends += 1
        if not while_mail():  # still due? (and the previous message's record is started)
            return False
        while_rcpt()
        message = email_for(out.row)
        before_content()  # the previous message is recorded before this one goes
        try:
            taken = self.backend.send_messages([message])
        except Exception as exc:
            raise MailBackendError(
                f"The e-mail backend did not take the message: {type(exc).__name__}: {exc}"
            ) from exc
        if taken == 0:  # (some backends answer None: only 0 says "not taken")
            raise MailBackendError("The e-mail backend did not take the message.")
        while_data()
        return True
