"""A real SMTP server for tests and benchmarks (aiosmtpd on a free loopback port) that
keeps what arrives and can be told to fail in the ways mail servers fail."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

RESPONSES = {
    "421": "421 4.3.2 Service not available, closing channel",
    "451": "451 4.3.0 Temporary failure, try again later",
    "550": "550 5.1.1 Mailbox unavailable",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """Handler that stores each accepted message, parsed, with the client's address.

    `fail_next(n, mode)` makes the next n DATA commands fail: "421", "451", "550", or
    "drop" (close the connection after DATA without answering). `keep=False` only counts
    (for benchmarks)."""

    def __init__(self, *, keep: bool = True):
        self.keep = keep
        self.messages = []
        self.peers = []
        self.count = 0
        self.first_at = self.last_at = None
        self._faults: list[str] = []
        self._lock = threading.Lock()

    def fail_next(self, n: int, mode: str) -> None:
        with self._lock:
            self._faults.extend([mode] * n)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
        if fault == "drop":
            server.transport.close()
            return "250 OK"
        if fault:
            return RESPONSES[fault]
        now = time.perf_counter()
        with self._lock:
            self.count += 1
            self.first_at = self.first_at or now
            self.last_at = now
            if self.keep:
                self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                self.peers.append(session.peer)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]


class SMTPServer:
    def __init__(self, *, keep: bool = True):
        self.sink = MailSink(keep=keep)
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
