"""The SMTP conversation: one connection for a batch and the next, pipelined with the
worker's own work (see delivery.deliver).
"""

from __future__ import annotations

import functools
import re
import smtplib
from collections.abc import Callable

from django.core.mail import get_connection

from guildbook.notifications.mime import Outgoing
from guildbook.notifications.record import log

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
