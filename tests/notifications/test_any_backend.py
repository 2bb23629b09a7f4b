"""Delivery through Django e-mail backends other than SMTP: console, file, locmem and
third-party ones (which implement `send_messages`). The once-only rule is the same."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from guildbook.notifications import delivery, services
from guildbook.notifications.models import OutboxMessage
from tests.factories import UserFactory

NOTE = "notifications_testapp.note"
T0 = timezone.now().replace(microsecond=0)


def note(person, *, body="bring a laptop"):
    with transaction.atomic():
        return services.outbox_schedule(
            kind=NOTE, about=person, recipient=person, due_at=T0, context={"body": body}
        )


def worker():
    return delivery.Worker(worker_id="test-worker")


@pytest.fixture
def people(db):
    return UserFactory.create_batch(3)


def test_locmem_backend_receives_every_due_message_once(settings, people):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    rows = [note(p) for p in people]
    counts = worker().step(now=T0)
    assert counts["sent"] == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    sent = {m.to[0]: m for m in mail.outbox}[people[0].email]
    assert sent.extra_headers["Message-ID"] == f"<outbox-{rows[0].pk}@127.0.0.1>"
    assert "bring a laptop & more." in sent.body
    assert sent.alternatives[0][1] == "text/html"
    assert [a[0] for a in sent.attachments] == ["note.txt"]
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.sent_at) == ("sent", T0)
        assert [a.outcome for a in row.deliveries.all()] == ["sent"]
    # Nothing is sent twice.
    assert worker().step(now=T0)["claimed"] == 0
    assert len(mail.outbox) == 3


def test_console_backend_prints_the_message(settings, people, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    note(people[0])
    assert worker().step(now=T0)["sent"] == 1
    out = capsys.readouterr().out
    assert f"To: {people[0].email}" in out
    assert "Library and Knowledge Service: a note for" in out


def test_file_backend_writes_the_message(settings, people, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    note(people[0])
    assert worker().step(now=T0)["sent"] == 1
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert f"To: {people[0].email}" in written


class Recording(BaseEmailBackend):
    """A third-party-like backend: one API call per message; it records what the database
    said about the previous message at the moment each message is handed over."""

    calls: list = []
    fail_for: set = set()

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.fail_for:
                raise RuntimeError("the mail API answered 503")
            statuses = list(OutboxMessage.objects.order_by("id").values_list("status", flat=True))
            Recording.calls.append((message.to[0], statuses))
        return len(messages)


def test_each_message_is_recorded_before_the_next_is_handed_over(settings, people):
    settings.EMAIL_BACKEND = f"{__name__}.Recording"
    Recording.calls, Recording.fail_for = [], set()
    for person in people:
        note(person)
    assert worker().step(now=T0)["sent"] == 3
    # When each message went, every message before it was already recorded as sent.
    assert [statuses for _to, statuses in Recording.calls] == [
        ["sending", "sending", "sending"],
        ["sent", "sending", "sending"],
        ["sent", "sent", "sending"],
    ]


def test_a_backend_failure_is_retried_later_and_the_rest_still_go(settings, people):
    settings.EMAIL_BACKEND = f"{__name__}.Recording"
    Recording.calls, Recording.fail_for = [], {people[1].email}
    rows = [note(p) for p in people]
    counts = worker().step(now=T0)
    assert (counts["sent"], counts["retry"]) == (2, 1)
    rows[1].refresh_from_db()
    assert rows[1].status == "pending"
    assert "the mail API answered 503" in rows[1].last_error
    Recording.fail_for = set()
    assert worker().step(now=rows[1].next_attempt_at)["sent"] == 1
    assert [to for to, _ in Recording.calls].count(people[1].email) == 1
