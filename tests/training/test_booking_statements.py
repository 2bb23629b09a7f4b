"""Booking's locked part (training/sql.py) is a few plain SQL statements: the statements
between the session's lock and the commit are what bound a burst of bookings on one
session, so their number is pinned here, and the rows they write are checked against what
the ORM would have written."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guildbook.core.models import AuditEntry
from guildbook.core.postgresql.prepared import prepared
from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, services, sql
from guildbook.training.models import Booking, Session
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _statements_from_lock(person, session) -> tuple[Booking, int]:
    with CaptureQueriesContext(connection) as ctx:
        booking = services.booking_create(session=session, person=person, actor=person)
    sqls = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    lock = next(i for i, sql in enumerate(sqls) if "FROM training_session s JOIN" in sql)
    return booking, len(sqls) - lock


def test_a_booking_holds_the_session_lock_for_few_statements():
    session = SessionFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    ContentType.objects.get_for_model(Booking)  # cached in a running server
    place, place_statements = _statements_from_lock(first, session)
    waiting, waiting_statements = _statements_from_lock(second, session)
    assert (place.status, waiting.status) == (Booking.Status.CONFIRMED, Booking.Status.WAITING)
    if connection.vendor == "postgresql":
        # Inside a transaction: the lock, then every write in one statement, the waiting
        # list's end included.
        assert (place_statements, waiting_statements) == (2, 2)
    else:
        # The lock, the booking, the place or the queue, the audit entry, the messages.
        assert (place_statements, waiting_statements) == (5, 5)


def test_a_booking_writes_what_the_orm_would():
    session = SessionFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    place = services.booking_create(session=session, person=first, actor=first)
    waiting = services.booking_create(session=session, person=second, actor=second)

    session.refresh_from_db()
    assert session.places_taken == 1
    stored = Booking.objects.get(pk=place.pk)
    assert (stored.status, stored.confirmed_at, stored.person_id) == (
        "confirmed",
        place.confirmed_at,
        first.pk,
    )
    assert stored.created_at == place.created_at and stored.updated_at == place.updated_at
    queued = Booking.objects.get(pk=waiting.pk)
    assert queued.waiting_since == waiting.waiting_since
    assert waiting.position_when_joined == 1
    third = UserFactory()
    # Joining with a clock behind the last one's still queues after it.
    behind = services.booking_create(
        session=session, person=third, actor=third, now=waiting.waiting_since - timedelta(hours=1)
    )
    assert behind.position_when_joined == 2
    assert Booking.objects.get(pk=behind.pk).waiting_since > queued.waiting_since
    welcome = OutboxMessage.objects.get(kind=messages.WAITING_JOINED, object_id=behind.pk)
    assert welcome.context == {"position": 2}

    audit = AuditEntry.objects.filter(object_id__in=[place.pk, waiting.pk]).order_by("id")
    assert [(a.action, a.actor_id, a.object_id) for a in audit] == [
        ("booking_confirmed", first.pk, place.pk),
        ("booking_waiting", second.pk, waiting.pk),
    ]
    rows = {
        (m.kind, m.object_id): m
        for m in OutboxMessage.objects.filter(
            content_type__model="booking", object_id__in=[place.pk, waiting.pk]
        )
    }
    assert set(rows) == {
        (messages.CONFIRMED, place.pk),
        (messages.REMINDER, place.pk),
        (messages.WAITING_JOINED, waiting.pk),
    }
    joined = rows[(messages.WAITING_JOINED, waiting.pk)]
    assert joined.context == {"position": 1}
    assert joined.dedupe_key == f"{messages.WAITING_JOINED}:{waiting.pk}"
    assert joined.status == OutboxMessage.Status.PENDING
    assert joined.recipient_id == second.pk and joined.next_attempt_at == joined.due_at
    reminder = rows[(messages.REMINDER, place.pk)]
    assert reminder.due_at == session.starts_at - timedelta(hours=session.course.reminder_hours)


def test_a_booking_decided_on_an_old_reading_is_decided_again_under_the_lock():
    session = SessionFactory(capacity=1)
    old = Session.objects.select_related("course").get(pk=session.pk)
    first, second = UserFactory.create_batch(2)
    services.booking_create(session=session, person=first, actor=first)
    # `old` still shows a free place: the place is gone by the time the lock is granted.
    booking = services.booking_create(session=old, person=second, actor=second)
    assert (booking.status, booking.position_when_joined) == (Booking.Status.WAITING, 1)
    assert old.places_taken == 1
    session.refresh_from_db()
    assert session.places_taken == 1
    assert list(
        OutboxMessage.objects.filter(
            object_id=booking.pk, content_type__model="booking"
        ).values_list("kind", "context")
    ) == [(messages.WAITING_JOINED, {"position": 1})]
    assert AuditEntry.objects.get(object_id=booking.pk, action__startswith="booking_").action == (
        "booking_waiting"
    )


def test_a_second_booking_of_the_same_person_writes_nothing():
    session = SessionFactory(capacity=1)
    person = UserFactory()
    services.booking_create(session=session, person=person, actor=person)
    counts = (Booking.objects.count(), AuditEntry.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(services.AlreadyBooked):
        services.booking_create(session=session, person=person, actor=person)
    assert (
        Booking.objects.count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
    ) == counts
    session.refresh_from_db()
    assert session.places_taken == 1


# --- PostgreSQL, a booking that is its own transaction: one round trip -----------------


@pytest.mark.django_db(transaction=True)
def test_a_booking_of_its_own_is_one_query_with_its_commit_on_postgresql():
    session = SessionFactory(capacity=1)
    people = UserFactory.create_batch(3)
    ContentType.objects.get_for_model(Booking)
    old = Session.objects.select_related("course").get(pk=session.pk)
    with CaptureQueriesContext(connection) as ctx:
        place = services.booking_create(session=session, person=people[0], actor=people[0])
    # `old` still shows a free place: decided again under the lock, in a transaction.
    waiting = services.booking_create(session=old, person=people[1], actor=people[1])
    again = Session.objects.select_related("course").get(pk=session.pk)
    last = services.booking_create(session=again, person=people[2], actor=people[2])
    with pytest.raises(services.AlreadyBooked):
        services.booking_create(session=again, person=people[2], actor=people[2])

    assert (place.status, waiting.status, last.status) == ("confirmed", "waiting", "waiting")
    assert (waiting.position_when_joined, last.position_when_joined) == (1, 2)
    session.refresh_from_db()
    assert session.places_taken == 1
    assert Booking.objects.filter(session=session).count() == 3
    assert OutboxMessage.objects.filter(content_type__model="booking").count() == 4
    assert AuditEntry.objects.filter(action__startswith="booking_").count() == 3
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        # The lock is prepared once per connection and sent as EXECUTE.
        execute_lock = prepared(connection, sql.LOCK_FOR_BOOKING_PG).split("(")[0]
        sqls = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("PREPARE")]
        lock = next(i for i, sql in enumerate(sqls) if f"{execute_lock}(" in sql)
        assert sqls[lock].startswith("BEGIN;") and sqls[lock].rstrip().endswith("COMMIT")
        assert len(sqls) - lock == 1
