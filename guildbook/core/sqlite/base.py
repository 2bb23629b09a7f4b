"""SQLite with a fair, fast queue for writers.

Every Guildbook write runs in `transaction.atomic()`, which on SQLite begins with
`BEGIN IMMEDIATE` (settings) and so takes the database's single write lock at once. When that
lock is busy, SQLite's own busy handler sleeps in growing steps (up to 100 ms a time) before it
looks again, so under a burst of bookings the lock sits free while writers sleep. Here each
writer first takes an advisory lock on a file beside the database, polling every half
millisecond, and holds it until its transaction ends: writers hand the lock on almost at once
and the busy handler is left for the odd write made outside a transaction.

The wait is bounded by the same busy timeout as SQLite's (OPTIONS["timeout"]); after it the
usual "database is locked" error is raised. In-memory databases (the test suite's) have a
single connection and skip the file lock.
"""

import fcntl
import os
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

# How often a waiting writer looks again: often enough that the lock, held by a booking for
# well under a millisecond, is handed on almost at once, for a few microseconds of CPU a
# look (see docs/subsystems/bookings.md, "Speed").
_POLL_FIRST = 0.0002
_POLL_MAX = 0.0005


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_fd = None
        self._writer_held = False

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + ".writer-lock"

    def _writer_lock_acquire(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_held:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        delay = _POLL_FIRST
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._writer_held = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(delay)
                delay = min(delay * 2, _POLL_MAX)

    def _writer_lock_release(self) -> None:
        if self._writer_held:
            self._writer_held = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._writer_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_lock_release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writer_lock_release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_lock_release()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_lock_release()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
