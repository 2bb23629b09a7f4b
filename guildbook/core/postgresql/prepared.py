"""Statements prepared once per PostgreSQL connection.

Django sends each query as text with its values written in (client-side binding), so the
server parses and plans it every time. For the few statements that every booking sends,
planning costs the server more than running them (figures in docs/subsystems/bookings.md,
"Speed"): those are prepared once per connection (`PREPARE`) and then sent as
`EXECUTE name(values…)`, still as text, in the same round trip.

A prepared statement belongs to its connection and outlives the transaction it was
prepared in, even one rolled back; a new connection prepares again. It does not survive a
pooler that hands one server connection to several clients between transactions
(PgBouncer in transaction mode): Guildbook connects to PostgreSQL directly.
"""

import weakref
from functools import lru_cache

from psycopg.adapt import Transformer

# {psycopg connection: {statement: name}}
_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared(db, sql: str) -> str:
    """`EXECUTE name(%s, …)` for `sql` (with %s placeholders), which is prepared on `db`'s
    connection the first time. The parameters' types follow from the statement (casts,
    the columns they are compared with)."""
    db.ensure_connection()
    names = _names.setdefault(db.connection, {})
    if sql not in names:
        name = f"guildbook_{len(names) + 1}"
        parts = sql.split("%s")
        numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        with db.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {numbered}")
        args = ", ".join(["%s"] * (len(parts) - 1))
        names[sql] = f"EXECUTE {name}({args})" if args else f"EXECUTE {name}"
    return names[sql]


def bound(db, sql: str, params: list) -> bytes:
    """`sql` with its %s placeholders replaced by `params` as SQL literals: exactly what
    psycopg sends for `cursor.execute(sql, params)` with Django's client-side binding, to be
    sent with no parameters. For a statement with many parameters (a booking's write has
    about 75): psycopg works out where they go only for statements of up to 50, and
    otherwise searches the text again on every call, which cost more than writing the
    values."""
    parts = _parts(sql)
    if len(parts) != len(params) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders, {len(params)} parameters")
    db.ensure_connection()
    literal = Transformer(db.connection).as_literal
    out = [parts[0]]
    for value, part in zip(params, parts[1:], strict=True):
        out.append(b"NULL" if value is None else literal(value))
        out.append(part)
    return b"".join(out)


@lru_cache(maxsize=64)
def _parts(sql: str) -> list[bytes]:
    if "%%" in sql or "%(" in sql:
        raise ValueError("only plain %s placeholders")
    return [part.encode() for part in sql.split("%s")]
