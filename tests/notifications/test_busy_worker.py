"""What keeps a worker quick through a long burst of messages without changing what it
does: due work at most once a second while batches follow each other (and straight after
the burst), the claim's indexes read in order on PostgreSQL, the "sent" statement prepared
once per connection, and a recipient's account not read twice when the message is about
them."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.notifications import delivery, due_work, services, sql
from guildbook.notifications.kinds import MessageKind, register
from guildbook.notifications.models import OutboxMessage
from tests.factories import UserFactory

NOTE = "notifications_testapp.note"
T0 = timezone.now().replace(microsecond=0)


class Greeting(MessageKind):
    """Still due whatever happens to its object (the default), so only the recipient's
    account decides."""

    label = "A greeting"
    template_prefix = "notifications_testapp/email/note"


register("notifications_testapp.greeting", Greeting)


def queue(person, *, kind=NOTE, about=None, key=None):
    with transaction.atomic():
        return services.outbox_schedule(
            kind=kind,
            about=about or person,
            recipient=person,
            due_at=T0 - timedelta(seconds=1),
            key=key,
            context={"body": "x"},
        )


@pytest.mark.django_db(transaction=True)
def test_due_work_runs_once_through_a_burst_and_again_when_it_is_over(smtp, monkeypatch):
    monkeypatch.setattr(due_work, "_registry", {})
    runs = []

    @due_work.due_work("test.count")
    def count(now):
        runs.append(now)

    for person in UserFactory.create_batch(6):
        queue(person)
    call_command("worker", "--once", "--batch", "2", verbosity=0)
    assert OutboxMessage.objects.filter(status="sent").count() == 6
    # Before the first batch, not before the second and third (within the second), then
    # once more when nothing was left, so whatever fell due meanwhile is not left waiting.
    assert len(runs) == 2


@pytest.mark.django_db(transaction=True)
def test_messages_queued_by_due_work_after_a_burst_still_go_in_the_same_run(smtp, monkeypatch):
    monkeypatch.setattr(due_work, "_registry", {})
    people = UserFactory.create_batch(4)
    late = people.pop()

    @due_work.due_work("test.late")
    def late_message(now):
        if OutboxMessage.objects.filter(status="sent").count() == len(people):
            queue(late, key="late")
            return 1
        return 0

    for person in people:
        queue(person)
    call_command("worker", "--once", "--batch", "1", verbosity=0)
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in [*people, late])


@pytest.mark.usefixtures("fast_paths")
def test_a_message_about_its_own_recipient_reads_the_account_once(smtp, db):
    people = UserFactory.create_batch(3)
    rows = [queue(p, kind="notifications_testapp.greeting") for p in people]
    claimed, _ = delivery.claim_due(worker="w", now=T0)
    people[1].is_active = False  # after the claim: the check before sending must see it
    people[1].save()
    with CaptureQueriesContext(connection) as queries:
        counts = delivery.deliver(claimed, worker="w", clock=lambda: T0)
    assert (counts["sent"], counts["void"]) == (2, 1)
    for row in rows:
        row.refresh_from_db()
    assert [r.status for r in rows] == ["sent", "void", "sent"]
    account_reads = [q for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(account_reads) == 1  # the objects, which are the accounts: not read again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_claim_reads_pending_rows_in_index_order(db):
    person = UserFactory()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=NOTE,
            recipient=person,
            dedupe_key=f"k{i}",
            context={},
            due_at=T0,
            next_attempt_at=T0,
            status="sent",
            sent_at=T0,
        )
        for i in range(2000)
    )
    table = OutboxMessage._meta.db_table
    # As during a burst, before the table has been vacuumed: each message has been pending,
    # sending and sent, and left a dead row version behind each time.
    for _ in range(5):
        OutboxMessage.objects.update(status="sending", lease_expires_at=T0)
        OutboxMessage.objects.update(status="sent", lease_expires_at=None)
    OutboxMessage.objects.update(status="pending")
    query = (
        f"EXPLAIN SELECT * FROM {table} WHERE status = 'pending' AND next_attempt_at <= %s "
        "ORDER BY next_attempt_at, id LIMIT 100 FOR UPDATE SKIP LOCKED"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        sql.claim_in_index_order()
        cursor.execute(query, [T0])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Scan using outbox_due_pending" in plan, plan
    assert "Bitmap" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="libpq's prepared statements")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fast_paths")
def test_sent_is_recorded_on_a_new_database_connection_too(smtp):
    first, second = UserFactory.create_batch(2)
    queue(first)
    assert delivery.Worker(worker_id="w").step(now=T0)["sent"] == 1
    connection.close()  # the worker's connection dropped between batches
    queue(second)
    assert delivery.Worker(worker_id="w").step(now=T0)["sent"] == 1
    assert OutboxMessage.objects.filter(status="sent").count() == 2
