"""The outbox in the admin (who may send failed messages again) and a person's "Messages we
have sent you" page (its query count does not grow with the number of messages)."""

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_schedule
from tests.factories import UserFactory


def queue_failed(person, n=1):
    rows = []
    with transaction.atomic():
        for i in range(n):
            rows.append(
                outbox_schedule(
                    kind="notifications_testapp.note",
                    about=None,
                    recipient=person,
                    due_at=timezone.now(),
                    key=f"page-{person.pk}-{i}",
                )
            )
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        status="failed", attempts=8, last_error="SMTP 550 5.1.1 Mailbox unavailable"
    )
    return rows


def test_someone_who_may_only_view_the_outbox_cannot_send_messages_again(client, db):
    viewer = UserFactory(email="viewer@example.nhs.uk", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    [row] = queue_failed(UserFactory())
    client.force_login(viewer)
    page = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert page.status_code == 200
    assert b"Mailbox unavailable" in page.content
    assert b'value="retry"' not in page.content
    client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.status == "failed"


def test_someone_who_may_change_the_outbox_can(client, db):
    editor = UserFactory(email="editor@example.nhs.uk", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_outboxmessage", "change_outboxmessage"])
    )
    [row] = queue_failed(UserFactory())
    client.force_login(editor)
    client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.status == "pending"


def test_the_messages_page_takes_the_same_queries_at_1x_and_10x(client, db):
    person = UserFactory()
    client.force_login(person)

    def page_queries(total):
        rows = queue_failed(person, total)
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
            status="sent", sent_at=timezone.now() - timedelta(hours=1), subject="Your place"
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notifications:sent"))
        assert response.content.decode().count("Your place") == total
        return len(queries)

    assert page_queries(3) == page_queries(30)
