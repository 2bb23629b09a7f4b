"""MessageKind.related: what the object a message is about is read with."""

from django.db import transaction
from django.utils import timezone

from guildbook.notifications import delivery, services
from guildbook.notifications.kinds import message_kind
from tests.factories import UserFactory
from tests.notifications.testapp.messages import Note


@message_kind("notifications_testapp.note_with_wrong_paths")
class NoteWithWrongPaths(Note):
    template_prefix = "notifications_testapp/email/note"
    related = ("no_such_field",)


def test_paths_that_do_not_fit_the_model_are_left_out_and_the_message_still_goes(smtp, db):
    person = UserFactory()
    with transaction.atomic():
        row = services.outbox_schedule(
            kind="notifications_testapp.note_with_wrong_paths",
            about=person,
            recipient=person,
            due_at=timezone.now(),
            context={"body": "hello"},
        )
    counts = delivery.Worker(worker_id="t").step(now=timezone.now())
    assert counts["sent"] == 1
    row.refresh_from_db()
    assert row.status == "sent"
