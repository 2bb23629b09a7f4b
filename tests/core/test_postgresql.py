"""Guildbook's PostgreSQL engine: the health check without a round trip, and statements
prepared once per connection."""

import json
import select

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from guildbook.core.postgresql.prepared import prepared

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's engine")


@pytest.fixture
def other(db):
    """A second connection of our own, in autocommit mode as between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _count_cursors(wrapper, monkeypatch) -> list:
    """A list that grows by one each time the connection opens a cursor to send a query."""
    sent = []
    real_cursor = type(wrapper.connection).cursor
    monkeypatch.setattr(
        type(wrapper.connection),
        "cursor",
        lambda self, *a, **k: sent.append(1) or real_cursor(self, *a, **k),
    )
    return sent


def test_a_healthy_idle_connection_is_checked_without_a_query(other, monkeypatch):
    sent = _count_cursors(other, monkeypatch)
    assert other.is_usable()
    assert sent == []


def test_a_connection_the_server_ended_fails_the_check(other):
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        assert cursor.fetchone()[0] is True
    # The server's last word makes the socket readable; wait for it rather than sleep.
    poller = select.poll()
    poller.register(other.connection.pgconn.socket, select.POLLIN)
    assert poller.poll(5000)

    assert other.is_usable() is False
    ended = other.connection
    other.close_if_unusable_or_obsolete()  # as at the start of every request
    with other.cursor() as cursor:  # the check replaces the connection: no error
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert other.connection is not ended


def test_inside_a_transaction_the_check_asks_the_server(other, monkeypatch):
    sent = _count_cursors(other, monkeypatch)
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("SELECT 1")
    sent.clear()
    assert other.is_usable()
    assert sent == [1]
    other.rollback()
    other.set_autocommit(True)


def test_a_statement_is_prepared_once_per_connection_and_outlives_a_rollback(other):
    sql = "SELECT %s::int + %s::int"
    with CaptureQueriesContext(other) as ctx:
        other.set_autocommit(False)
        execute = prepared(other, sql)
        other.rollback()
        other.set_autocommit(True)
        assert prepared(other, sql) == execute
    assert execute.startswith("EXECUTE guildbook_") and execute.endswith("(%s, %s)")
    assert [q["sql"].split(" AS ")[0] for q in ctx.captured_queries if "PREPARE" in q["sql"]] == [
        f"PREPARE {execute.split()[1].split('(')[0]}"
    ]
    with other.cursor() as cursor:
        cursor.execute(execute, [2, 3])
        assert cursor.fetchone() == (5,)

    other.close()  # a new connection prepares again
    again = prepared(other, sql)
    with other.cursor() as cursor:
        cursor.execute(again, [4, 5])
        assert cursor.fetchone() == (9,)


def test_bound_writes_values_as_psycopg_would_bind_them(other):
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from psycopg.types.json import Jsonb

    from guildbook.core.postgresql.prepared import bound

    values = [
        "O'Brien; DROP TABLE x -- 100% \\ done",
        None,
        True,
        7,
        Decimal("2.50"),
        datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
        date(2026, 12, 1),
        Jsonb({"answer": "it's 50%", "n": [1, None]}),
        "ünïcödé",
    ]
    sql = "SELECT " + ", ".join(["%s"] * len(values))
    with other.cursor() as cursor:
        assert bound(other, sql, values) == cursor.cursor.mogrify(sql, values).encode()
        cursor.execute(bound(other, sql, values))
        row = cursor.fetchone()
    assert row[0] == values[0] and row[1] is None and row[2] is True
    assert json.loads(row[7]) == {
        "answer": "it's 50%",
        "n": [1, None],
    }  # Django reads jsonb as text
    with pytest.raises(ValueError):
        bound(other, "SELECT %s, %s", [1])
    with pytest.raises(ValueError):
        bound(other, "SELECT %s, '100%%'", [1])
