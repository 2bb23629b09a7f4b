"""The booking path's hand-written SQL, and the history import's bulk inserts; nothing else in
training writes SQL by hand.

Booking is the hottest write in Guildbook: when a course is announced, everyone books the
same session at once and every booking queues for that session's lock, so the statements
here do under the lock what the ORM would do in several round trips (see
docs/subsystems/bookings.md, "Speed"). The decisions (may this person book, a place or the
waiting list, what else a booking writes) stay in services/bookings.py and are passed in.

The fields of a session and its course that booking depends on are read in one order
(`BOOKING_FIELDS`), which `refresh_for_booking`, `booking_state` and `GUARD` all follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guildbook.core.postgresql.prepared import bound, prepared
from guildbook.training.models import Booking, Course, Session

# A course's booking questions in their order: plain SQL, as every booking asks (most
# courses have none, and the ORM's query cost many times the database's answer).
QUESTIONS = 'SELECT * FROM training_bookingquestion WHERE course_id = %s ORDER BY "order", id'


def book_sqlite(db, session: Session, person, *, decide, rows, queue_end) -> Booking | None:
    """SQLite: one short statement each, as SQLite is in the process and a statement costs
    little. `decide()` makes the booking to write from the session's and the person's fields
    read here (or raises); `rows(booking)` gives what it writes besides itself;
    `queue_end()` is the waiting list's end (services/places.py). None when the person
    already holds an active booking (nothing is written)."""
    with db.cursor() as cursor:
        cursor.execute(PERSON_FOR_BOOKING, [person.pk])
        refresh_person(person, cursor.fetchone())
        cursor.execute(LOCK_FOR_BOOKING, [session.pk])
        refresh_for_booking(session, cursor.fetchone())
        booking = decide()
        if booking.status == Booking.Status.WAITING:
            booking.waiting_since, ahead = queue_end()
            booking.position_when_joined = ahead + 1
        cursor.execute(*insert_sql(db, [booking], suffix=ONE_ACTIVE_OR_NOTHING))
        got = cursor.fetchone()
        if got is None:
            return None
        booking.pk = got[0]
        if booking.status == Booking.Status.CONFIRMED:
            cursor.execute(TAKE_PLACE, [session.pk])
        for table_rows in rows(booking):
            cursor.execute(*insert_sql(db, table_rows))
    return booking


def book_postgresql(db, session: Session, person, *, decide, rows, now: datetime) -> Booking | None:
    """PostgreSQL inside a transaction: the person's share lock, the session's lock (drawing
    the new booking's id), then the writes as one statement. `decide(pk=…)` and `rows` as
    for book_sqlite; None when the person already holds an active booking."""
    with db.cursor() as cursor:
        cursor.execute(PERSON_FOR_BOOKING_PG, [person.pk])
        refresh_person(person, cursor.fetchone())
        cursor.execute(LOCK_FOR_BOOKING_PG_WITH_ID, [session.pk])
        row = cursor.fetchone()
        refresh_for_booking(session, row)
        booking = decide(pk=row[-1])
        cursor.execute(*book_write_postgresql(db, booking, session, rows, now, None))
        if not booking_written(booking, cursor.fetchone()):
            return None
    return booking


def book_postgresql_at_once(
    db,
    session: Session,
    booking: Booking,
    person,
    *,
    rows,
    now: datetime,
    pk: int | None = None,
) -> str:
    """A booking that is its own transaction, in one round trip with the lock held only
    for the server's own work: "BEGIN; lock; write; COMMIT" sent as one query while the
    connection is in autocommit mode (outside any atomic block). Answers "written",
    "already_booked" (nothing written: the person already holds an active booking) or
    "changed" (nothing written: the session changed since `booking` was decided on, and
    the caller books again in a transaction, or the person's account was closed meanwhile,
    which that booking then refuses).

    The person's row is share-locked first (`PERSON_FOR_BOOKING_PG`), before the session's,
    as deactivating an account takes the person's row and then the sessions' (accounts
    hooks, services/people.py): a booking and a deactivation at once queue one behind the
    other in the same order, so neither leaves a place held by a closed account, and they
    cannot deadlock. The write also requires the account to be open (`PERSON_OPEN`).

    The new booking's id is drawn first (unless the caller drew it: `pk`), and the booking
    and its rows are built from the session as the caller read it (normally a moment
    before). The write runs only if the session's fields, read again under the lock, still
    lead to the same decision (`GUARD`: same status, start, booking window, waiting-list
    setting and reminder time, and a place free or not as before). Each statement reads
    the latest committed rows (READ COMMITTED takes a new snapshot per statement, and the
    write's is taken after the lock was granted), so the waiting list's end is read in the
    write. When the guard fails nothing is written and the transaction commits empty,
    releasing the lock."""
    before = booking_state(session)
    with db.cursor() as cursor:
        if pk is None:
            cursor.execute(f"SELECT {DRAW_BOOKING_ID}")
            pk = cursor.fetchone()[0]
        booking.pk = pk
        guard = (f"{GUARD} AND {PERSON_OPEN}", [session.pk, *before, person.pk])
        sql, params = book_write_postgresql(db, booking, session, rows, now, guard)
        # Both prepared (once per connection): planning them cost the server more than
        # running them.
        mine = prepared(db, PERSON_FOR_BOOKING_PG)
        lock, write = prepared(db, LOCK_FOR_BOOKING_PG), prepared(db, sql)
        try:
            # Written out here: psycopg would search this long statement for its
            # placeholders on every call.
            query = f"BEGIN; {mine}; {lock}; {write}; COMMIT"
            cursor.execute(bound(db, query, [person.pk, session.pk, *params]))
        except BaseException:
            # The server skipped the COMMIT after the error: end the transaction here.
            if db.connection.info.transaction_status.name != "IDLE":
                db.connection.rollback()
            raise
        cursor.nextset()  # past BEGIN's answer
        open_before = account_open(person)
        refresh_person(person, cursor.fetchone())
        cursor.nextset()
        fresh = cursor.fetchone()
        cursor.nextset()
        written = booking_written(booking, cursor.fetchone())
    refresh_for_booking(session, fresh)  # as under the lock
    if written:
        return "written"
    if booking_state(session) == before and account_open(person) == open_before:
        return "already_booked"
    return "changed"


def booking_state(session: Session) -> list:
    """What a booking's decision and rows depend on, in GUARD's order."""
    course = session.course
    return [
        session.status,
        session.starts_at,
        session.places_taken < session.capacity,
        course.status,
        course.waiting_list_enabled,
        course.booking_opens_days,
        course.booking_closes_hours,
        course.reminder_hours,
    ]


def booking_written(booking: Booking, got) -> bool:
    if got is None:
        return False
    booking.waiting_since, ahead = got[1], got[2]
    if booking.status == Booking.Status.WAITING:
        booking.position_when_joined = ahead + 1
    return True


def book_write_postgresql(db, booking, session, rows, now, guard) -> tuple[str, list]:
    """A new booking's writes as ONE statement (data-modifying WITH): the booking (only
    when `guard`, an SQL condition and its parameters, holds), its place or its queue time
    after the last one's, its audit entry and its messages. Every part reads the same
    snapshot and none sees the others' rows. Answers the booking's id, queue time and the
    waiting list's length before it joined; no row when nothing was written."""
    exprs, welcome = {}, {}
    if booking.status == Booking.Status.WAITING:
        booking.waiting_since = now
        exprs["waiting_since"] = (QUEUE_TIME, [now, session.pk])
        welcome["context"] = (QUEUE_POSITION_CONTEXT, [session.pk])
    where, params = guard or ("TRUE", [])
    returning = ONE_ACTIVE_OR_NOTHING + ", waiting_since"  # RETURNING id, waiting_since
    sql, more = insert_sql(db, [booking], exprs=exprs, select=f"WHERE {where}")
    parts = [f"b AS ({sql} {returning})"]
    params = [*more, *params]
    if booking.status == Booking.Status.CONFIRMED:
        parts.append(f"u AS ({TAKE_PLACE_IF_BOOKED})")
        params.append(session.pk)
    audit, outbox = rows(booking)
    for n, (rows, row_exprs) in enumerate([(audit, {}), (outbox, welcome)]):
        sql, more = insert_sql(db, rows, exprs=row_exprs, select="FROM b")
        parts.append(f"r{n} AS ({sql})")
        params.extend(more)
    # The parts are this module's constants and insert_sql's (names from the models).
    sql = f"WITH {', '.join(parts)} SELECT id, waiting_since, {QUEUE_LENGTH} FROM b"  # noqa: S608
    return sql, [*params, session.pk]


# Whether the person may be booked: read before the session's lock, under a share lock on
# PostgreSQL, which waits for a deactivation under way (and makes one wait for this booking).
PERSON_FOR_BOOKING = "SELECT is_active, awaiting_first_sign_in FROM accounts_user WHERE id = %s"
PERSON_FOR_BOOKING_PG = PERSON_FOR_BOOKING + " FOR SHARE"
# In the write's condition: the account is not closed (services/bookings.py, account_closed).
PERSON_OPEN = """EXISTS (
    SELECT 1 FROM accounts_user WHERE id = %s AND (is_active OR awaiting_first_sign_in))"""


def refresh_person(person, row) -> None:
    if row is None:
        raise type(person).DoesNotExist("No such person")
    person.is_active, person.awaiting_first_sign_in = bool(row[0]), bool(row[1])


def account_open(person) -> bool:
    """Not deactivated: active, or imported and waiting for their first sign-in."""
    return bool(person.is_active or person.awaiting_first_sign_in)


# The fields of a session and its course that booking depends on, read under the lock.
BOOKING_FIELDS = """
    SELECT s.status, s.starts_at, s.capacity, s.places_taken, c.status,
           c.waiting_list_enabled, c.booking_opens_days, c.booking_closes_hours,
           c.reminder_hours
    FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s
"""
LOCK_FOR_BOOKING = BOOKING_FIELDS
LOCK_FOR_BOOKING_PG = BOOKING_FIELDS + " FOR UPDATE OF s"
# A new booking's id, drawn before the lock (PostgreSQL); an id drawn and not used (a
# refusal) is only a gap in the ids.
DRAW_BOOKING_ID = "nextval(pg_get_serial_sequence('training_booking', 'id'))"
LOCK_FOR_BOOKING_PG_WITH_ID = f"""
    SELECT s.status, s.starts_at, s.capacity, s.places_taken, c.status,
           c.waiting_list_enabled, c.booking_opens_days, c.booking_closes_hours,
           c.reminder_hours, {DRAW_BOOKING_ID}
    FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s
    FOR UPDATE OF s
"""  # noqa: S608 (constants only)
# The session's fields still as the booking was decided on (booking_state's order).
GUARD = """EXISTS (
    SELECT 1 FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s AND s.status = %s AND s.starts_at = %s
      AND (s.places_taken < s.capacity) = %s AND c.status = %s
      AND c.waiting_list_enabled = %s AND c.booking_opens_days = %s
      AND c.booking_closes_hours = %s AND c.reminder_hours = %s)"""
# The waiting list's end (services/places.py, _end_of_waiting_list) as parts of the
# PostgreSQL statement: the queue time (GREATEST skips the NULL of an empty list), the
# position in the welcome's context, and the length before joining.
QUEUE_TIME = """GREATEST(%s::timestamptz, (
    SELECT MAX(waiting_since) + interval '1 microsecond' FROM training_booking
    WHERE session_id = %s AND status = 'waiting'))"""
QUEUE_POSITION_CONTEXT = """jsonb_build_object('position', (
    SELECT COUNT(*) + 1 FROM training_booking WHERE session_id = %s AND status = 'waiting'))"""
QUEUE_LENGTH = """(
    SELECT COUNT(*) FROM training_booking WHERE session_id = %s AND status = 'waiting')"""
# The partial unique index booking_one_active_per_person, named by its columns and its
# condition, so that a second active booking of the same person is skipped, not an error.
ONE_ACTIVE_OR_NOTHING = """
    ON CONFLICT (session_id, person_id) WHERE status IN ('confirmed', 'waiting', 'offered')
    DO NOTHING RETURNING id
"""
TAKE_PLACE = "UPDATE training_session SET places_taken = places_taken + 1 WHERE id = %s"
# In the same statement as the booking's INSERT (named b): only when it wrote a row.
TAKE_PLACE_IF_BOOKED = """
    UPDATE training_session SET places_taken = places_taken + 1
    WHERE id = %s AND EXISTS (SELECT 1 FROM b)
"""


def refresh_for_booking(session: Session, row) -> None:
    if row is None:
        raise Session.DoesNotExist("No such session")
    course = session.course
    (
        session.status,
        starts_at,
        session.capacity,
        session.places_taken,
        course.status,
        waiting_list_enabled,
        course.booking_opens_days,
        course.booking_closes_hours,
        course.reminder_hours,
    ) = row[:9]
    session.starts_at = db_datetime(starts_at)
    course.waiting_list_enabled = bool(waiting_list_enabled)


def db_datetime(value):
    """A datetime from a plain SQL result: SQLite gives text or naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def db_value(value):
    """A value from a plain SQL result, as the ORM would give it: SQLite answers datetime
    columns as naive UTC; everything else passes unchanged."""
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


_insert_shapes: dict = {}


def _insert_shape(db, model, with_pk: bool) -> tuple[list, str, list[str]]:
    """A model's fields for an INSERT, their quoted columns and their casts (worked out
    once per model and database: it is the same for every booking)."""
    key = (model, db.vendor, with_pk)
    if key not in _insert_shapes:
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
        casts = [f"CAST(%s AS {f.cast_db_type(db)})" for f in fields]
        _insert_shapes[key] = (fields, columns, casts)
    return _insert_shapes[key]


def insert_sql(
    db, objs: list, *, suffix: str = "", exprs: dict | None = None, select: str | None = None
) -> tuple[str, list]:
    """One INSERT of new instances of one model, with the values `save()` would write
    (defaults, `auto_now`, JSON and time zones as the ORM prepares them). The id is written
    only when already set. `exprs` replaces a field's value with an SQL expression and its
    parameters. With `select` (PostgreSQL: "FROM b", "WHERE …"), each row is a SELECT of
    its values, typed by casts, followed by `select`, so that rows are written only when
    it gives a row."""
    meta = objs[0]._meta
    fields, columns, casts = _insert_shape(db, type(objs[0]), objs[0].pk is not None)
    exprs = exprs or {}
    rows, params = [], []
    for obj in objs:
        values = []
        for f, cast in zip(fields, casts, strict=True):
            if f.attname in exprs:
                sql, more = exprs[f.attname]
                values.append(sql)
                params.extend(more)
                continue
            values.append(cast if select else "%s")
            params.append(f.get_db_prep_save(f.pre_save(obj, True), db))
        rows.append(", ".join(values))
    if select:
        body = " UNION ALL ".join(f"SELECT {row} {select}" for row in rows)
    else:
        body = "VALUES " + ", ".join(f"({row})" for row in rows)
    # Table and column names come from the model.
    sql = f"INSERT INTO {meta.db_table} ({columns}) {body}"
    return sql + suffix, params


def booking_questions(course_id: int):
    """A course's booking questions in their order (`QUESTIONS`)."""
    from guildbook.training.models import BookingQuestion

    return BookingQuestion.objects.raw(QUESTIONS, [course_id])


# The booking's own read of the session and its course: ONE plain statement for the fields
# a booking reads (the others are deferred, loaded if ever touched), with the number of the
# course's booking questions, so that a course without any needs no look-up for them. On
# PostgreSQL the same statement draws the new booking's id (DRAW_BOOKING_ID).
_SESSION_FIELDS = {
    "id", "course_id", "series_id", "status", "starts_at", "ends_at", "capacity",
    "places_taken", "venue", "online_link", "for_team_id",
}  # fmt: skip
_COURSE_FIELDS = {
    "id", "title", "slug", "status", "visibility", "invitation_token", "waiting_list_enabled",
    "waiting_list_mode", "booking_opens_days", "booking_closes_hours",
    "late_cancellation_hours", "reminder_hours",
}  # fmt: skip


@cache
def _session_read(vendor: str) -> tuple[str, list[str], list[str]]:
    # In the models' field order, as Model.from_db expects.
    session = [f.attname for f in Session._meta.concrete_fields if f.attname in _SESSION_FIELDS]
    course = [f.attname for f in Course._meta.concrete_fields if f.attname in _COURSE_FIELDS]
    columns = [f"s.{c}" for c in session] + [f"c.{c}" for c in course]
    columns.append("(SELECT COUNT(*) FROM training_bookingquestion q WHERE q.course_id = c.id)")
    columns.append(DRAW_BOOKING_ID if vendor == "postgresql" else "NULL")
    sql = (
        f"SELECT {', '.join(columns)} FROM training_session s "  # noqa: S608
        "JOIN training_course c ON c.id = s.course_id WHERE s.id = %s"
    )
    return sql, session, course


def session_to_book(db, pk: int) -> Session | None:
    """The session `pk` with its course, as booking reads them: `course.booking_question_count`
    set and, on PostgreSQL, `drawn_booking_id` (an id drawn for the new booking). None when
    there is no such session."""
    sql, session_fields, course_fields = _session_read(db.vendor)
    if db.vendor == "postgresql":
        sql = prepared(db, sql)  # planning it cost the server more than running it
    with db.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    # SQLite answers times as naive UTC; PostgreSQL's are aware already.
    *row, questions, booking_id = (db_value(v) for v in row)
    n = len(session_fields)
    session = Session.from_db(db.alias, session_fields, row[:n])
    session.course = Course.from_db(db.alias, course_fields, row[n:])
    session.course.booking_question_count = questions
    session.drawn_booking_id = booking_id
    return session


# --- The history import's bulk inserts ----------------------------------------------------
#
# Django's `bulk_create` prepares every value of every row through its field (about 40 µs a
# booking); ten years of a service's bookings are 120,000 rows. These inserts send the same
# columns with `executemany`, adapting only the times. The ORM twin (`bulk_create`, used with
# `history_import(..., raw_sql=False)`) runs the same behavioural tests.

HISTORY_BOOKING_COLUMNS = (
    "created_at",
    "updated_at",
    "session_id",
    "person_id",
    "status",
    "waiting_since",
    "offer_expires_at",
    "confirmed_at",
    "ended_at",
    "ending",
    "late_cancellation",
    "moved_to_id",
    "answers",
    "attendance",
    "arrived_late",
    "attendance_recorded_at",
    "booked_by_id",
    "still_coming_at",
    "calendar_uid",
    "calendar_sequence",
)
HISTORY_USER_COLUMNS = (
    "password",
    "is_superuser",
    "email",
    "name",
    "job_title",
    "team",
    "organisation",
    "is_active",
    "awaiting_first_sign_in",
    "is_staff",
    "date_joined",
)
HISTORY_ADDRESS_COLUMNS = ("user_id", "email", "verified", "primary")


class _Times:
    """Adapts aware datetimes for the database once per distinct value."""

    def __init__(self) -> None:
        self.adapt = connection.ops.adapt_datetimefield_value
        self.seen: dict[datetime, object] = {}

    def __call__(self, value):
        if value is None or not isinstance(value, datetime):
            return value
        got = self.seen.get(value)
        if got is None:
            got = self.seen[value] = self.adapt(value)
        return got


def _insert(table: str, columns: tuple[str, ...], rows: Iterable[tuple], batch: int) -> None:
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names are our own
        quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def bookings_insert(bookings: Iterable[dict], *, batch: int = 5000) -> None:
    """Insert bookings given as {column: value} (every column of HISTORY_BOOKING_COLUMNS)."""
    times = _Times()
    datetimes = {
        "created_at",
        "updated_at",
        "waiting_since",
        "offer_expires_at",
        "confirmed_at",
        "ended_at",
        "attendance_recorded_at",
        "still_coming_at",
    }
    order = [(c, c in datetimes) for c in HISTORY_BOOKING_COLUMNS]

    def rows():
        for b in bookings:
            yield tuple(
                times(b[c]) if is_time else ("{}" if c == "answers" else b[c])
                for c, is_time in order
            )

    _insert("training_booking", HISTORY_BOOKING_COLUMNS, rows(), batch)


def users_insert(people: Iterable[dict], *, batch: int = 5000) -> None:
    times = _Times()
    _insert(
        "accounts_user",
        HISTORY_USER_COLUMNS,
        (tuple(times(p[c]) for c in HISTORY_USER_COLUMNS) for p in people),
        batch,
    )


def addresses_insert(addresses: Iterable[tuple[int, str]], *, batch: int = 5000) -> None:
    """allauth's unverified, primary address record for each (user id, e-mail)."""
    _insert(
        "account_emailaddress",
        HISTORY_ADDRESS_COLUMNS,
        ((user_id, email, False, True) for user_id, email in addresses),
        batch,
    )
