"""PostgreSQL with a health check that needs no round trip to the server.

With CONN_HEALTH_CHECKS (settings), Django checks a kept connection before a request's
first query, so that a connection the server has closed (a restart, a terminated backend,
an idle timeout) is replaced instead of failing that request. Its check is a `SELECT 1`:
one round trip, with the worker and the server both waking up for it, on every request —
a fifth of the statements of a booking. Here the check looks first at the connection's
socket, which costs neither side a round trip: an idle connection is sent nothing unless
the server is ending it, and when it ends it, the server's last message and the closed
socket make the socket readable. Only then, or when the connection is not idle, is the
`SELECT 1` sent, so a connection that fails it is replaced exactly as before.

What the socket cannot show is a peer that vanished without a word (a network cut): a
`SELECT 1` does not show it either, it waits for TCP to give up.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        pgconn = conn.pgconn
        if (
            pgconn.status == pq.ConnStatus.OK
            and pgconn.transaction_status == pq.TransactionStatus.IDLE
            and not _readable(pgconn.socket)
        ):
            return True
        return super().is_usable()  # the round trip, as Django does it


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
