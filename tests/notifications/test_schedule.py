"""outbox_schedule's short path for an object created in the same transaction."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_schedule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "notifications_testapp.note"


def test_a_new_object_is_queued_with_one_statement():
    person = UserFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        outbox_schedule(
            kind=KIND, about=person, recipient=person, due_at=timezone.now(), about_is_new=True
        )
    inserts = [q for q in queries.captured_queries if "notifications_outboxmessage" in q["sql"]]
    assert len(inserts) == 1 and inserts[0]["sql"].startswith("INSERT")
    assert OutboxMessage.objects.count() == 1


def test_the_unique_key_still_refuses_a_second_row_for_a_new_object():
    person = UserFactory()
    with transaction.atomic():
        outbox_schedule(kind=KIND, about=person, recipient=person, due_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox_schedule(
            kind=KIND, about=person, recipient=person, due_at=timezone.now(), about_is_new=True
        )
    assert OutboxMessage.objects.count() == 1
