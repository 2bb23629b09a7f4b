import secrets
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.core.models import AuditEntry
from guildbook.notifications import delivery, mime, selectors, services
from guildbook.notifications.kinds import get_kind
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage
from tests.factories import UserFactory
from tests.notifications.smtp import free_port

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")

NOTE = "notifications_testapp.note"
T0 = timezone.now().replace(microsecond=0)


def note(person, *, due_at=T0, key=None, body="bring a laptop", kind=NOTE):
    with transaction.atomic():
        return services.outbox_schedule(
            kind=kind,
            about=person,
            recipient=person,
            due_at=due_at,
            key=key,
            context={"body": body},
        )


def worker(**kwargs):
    return delivery.Worker(worker_id="test-worker", **kwargs)


def status_of(row):
    row.refresh_from_db()
    return row.status


@pytest.fixture
def people(db):
    return UserFactory.create_batch(3)


def test_due_messages_are_delivered_and_recorded(smtp, people):
    rows = [note(p) for p in people]
    counts = worker().step(now=T0)
    assert counts["sent"] == 3
    assert sorted(smtp.message_ids()) == sorted(f"<outbox-{r.pk}@127.0.0.1>" for r in rows)
    arrived = {m["To"]: m for m in smtp.messages}
    mail = arrived[people[0].email]
    first_name = people[0].first_name
    assert mail["Subject"] == f"Library and Knowledge Service: a note for {first_name} & co"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"This is note {rows[0].pk}: bring a laptop & more." in text  # not HTML-escaped
    assert "bring a laptop &amp; more." in html
    attachment = next(mail.iter_attachments())
    assert attachment.get_filename() == "note.txt"
    assert mail["X-Outbox-Worker"] == "test-worker"
    # One SMTP connection carried the whole batch.
    assert len(set(smtp.peers)) == 1
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.sent_at) == ("sent", 1, T0)
        assert row.subject.startswith("Library and Knowledge Service: a note")
        assert [a.outcome for a in row.deliveries.all()] == ["sent"]


def test_message_not_yet_due_waits(smtp, person):
    row = note(person, due_at=T0 + timedelta(days=2))
    assert worker().step(now=T0)["claimed"] == 0
    worker().step(now=T0 + timedelta(days=2))
    assert status_of(row) == "sent" and len(smtp.messages) == 1


def test_message_goes_to_the_address_the_person_has_when_it_is_sent(smtp, person):
    note(person)
    person.email = "ada.new@example.nhs.uk"
    person.save()
    worker().step(now=T0)
    assert smtp.messages[0]["To"] == "ada.new@example.nhs.uk"


@pytest.mark.parametrize("fault", ["451", "421", "drop"])
def test_temporary_failure_is_retried_and_delivered_when_the_server_recovers(smtp, people, fault):
    first, second = note(people[0]), note(people[1])
    smtp.fail_next(1, fault)
    counts = worker().step(now=T0)
    assert (counts["retry"], counts["sent"]) == (1, 1)
    first.refresh_from_db()
    assert first.status == "pending" and first.attempts == 1
    assert first.next_attempt_at == T0 + timedelta(seconds=60)
    assert first.last_error
    assert fault in first.last_error or "Disconnected" in first.last_error
    assert status_of(second) == "sent"  # the rest of the batch still went
    assert worker().step(now=T0 + timedelta(seconds=59))["claimed"] == 0
    worker().step(now=T0 + timedelta(seconds=60))
    assert status_of(first) == "sent"
    assert sorted(smtp.message_ids()) == sorted(
        [delivery.message_id(first), delivery.message_id(second)]
    )


def test_refused_connection_is_retried_for_the_whole_batch(smtp, settings, people):
    rows = [note(p) for p in people]
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    counts = worker().step(now=T0)
    assert counts["retry"] == 3
    for row in rows:
        row.refresh_from_db()
        assert row.status == "pending" and "ConnectionRefused" in row.last_error
    settings.EMAIL_PORT = port
    assert worker().step(now=T0 + timedelta(minutes=1))["sent"] == 3
    assert len(smtp.messages) == 3


def test_permanent_failure_is_marked_failed_with_the_reason(smtp, people):
    rejected, fine = note(people[0]), note(people[1])
    smtp.fail_next(1, "550")
    worker().step(now=T0)
    rejected.refresh_from_db()
    assert rejected.status == "failed"
    assert rejected.last_error == "SMTP 550 5.1.1 Mailbox unavailable"
    assert status_of(fine) == "sent"
    assert worker().step(now=T0 + timedelta(days=1))["claimed"] == 0
    assert len(smtp.messages) == 1


def test_back_off_grows_and_gives_up_after_max_attempts(smtp, person):
    row = note(person)
    smtp.fail_next(10, "451")
    now, gaps = T0, []
    for _ in range(3):
        worker(max_attempts=3).step(now=now)
        row.refresh_from_db()
        gaps.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert gaps[:2] == [timedelta(minutes=1), timedelta(minutes=2)]
    assert row.status == "failed" and row.attempts == 3
    assert row.last_error.startswith("Gave up after 3 attempts. Last error: SMTP 451")
    assert delivery.retry_delay(30) == timedelta(hours=6)


def test_the_back_off_follows_the_settings(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 5, 12
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 9)] == [5, 10, 12, 12]


def test_a_message_that_cannot_be_built_fails_without_stopping_the_batch(smtp, people):
    broken = note(people[0], kind="notifications_testapp.broken")
    fine = note(people[1])
    worker().step(now=T0)
    broken.refresh_from_db()
    assert broken.status == "failed" and "template missing a variable" in broken.last_error
    assert status_of(fine) == "sent"


def test_void_messages_are_not_sent(smtp, people):
    kept, voided = note(people[0]), note(people[1])
    with transaction.atomic():
        assert services.outbox_void(about=people[1], kinds=[NOTE]) == 1
        assert services.outbox_void(about=people[1]) == 0  # already void
    worker().step(now=T0)
    assert status_of(voided) == "void"
    assert status_of(kept) == "sent"
    assert smtp.message_ids() == [delivery.message_id(kept)]


def test_still_due_false_makes_the_message_void_instead_of_sent(smtp, person):
    row = note(person)
    person.is_active = False
    person.save()
    counts = worker().step(now=T0)
    assert counts["void"] == 1 and counts["sent"] == 0
    assert status_of(row) == "void" and smtp.messages == []


def test_the_same_message_is_never_queued_twice(people):
    person = people[0]
    first = note(person)
    assert note(person).pk == first.pk
    assert OutboxMessage.objects.count() == 1
    again = note(person, key=f"{NOTE}:{person.pk}:v2")
    assert again.pk != first.pk


def test_schedule_refuses_unknown_kinds_and_missing_addresses(person):
    with transaction.atomic(), pytest.raises(ServiceError) as err:
        services.outbox_schedule(kind="nobody.knows", about=person, recipient=person, due_at=T0)
    assert err.value.field == "kind"
    with transaction.atomic(), pytest.raises(ServiceError) as err:
        services.outbox_schedule(kind=NOTE, about=person, due_at=T0)
    assert err.value.field == "to"


@pytest.mark.django_db(transaction=True)
def test_schedule_must_be_called_inside_the_callers_transaction():
    person = UserFactory()
    with pytest.raises(RuntimeError):
        services.outbox_schedule(kind=NOTE, about=person, recipient=person, due_at=T0)


def test_a_rolled_back_change_leaves_no_message(person):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        note(person)
        1 / 0  # noqa: B018
    assert not OutboxMessage.objects.exists()


def test_reschedule_moves_pending_messages(person):
    row = note(person, due_at=T0 + timedelta(days=5))
    later = T0 + timedelta(days=9)
    with transaction.atomic():
        assert services.outbox_reschedule(about=person, kinds=[NOTE], due_at=later) == 1
    row.refresh_from_db()
    assert row.due_at == row.next_attempt_at == later
    with transaction.atomic():
        moved = services.outbox_reschedule(
            about=person, kinds=[NOTE], due_at=lambda r: r.due_at - timedelta(days=2)
        )
    row.refresh_from_db()
    assert moved == 1 and row.due_at == later - timedelta(days=2)


def test_a_lease_that_ran_out_is_reclaimed_and_the_old_worker_cannot_finish(smtp, person):
    row = note(person)
    claimed, _ = delivery.claim_due(worker="dead", lease_seconds=300, now=T0)
    assert [r.pk for r in claimed] == [row.pk]
    # Still leased: nobody else may take it.
    assert delivery.claim_due(worker="other", now=T0 + timedelta(seconds=299))[0] == []
    retaken, _ = delivery.claim_due(worker="other", now=T0 + timedelta(seconds=300))
    assert [r.attempts for r in retaken] == [2]
    # The first worker wakes up late: its outcome is not recorded over the new owner's.
    delivery.deliver(claimed, worker="dead", clock=lambda: T0 + timedelta(seconds=301))
    row.refresh_from_db()
    assert row.status == "sending" and row.claimed_by == "other"
    delivery.deliver(retaken, worker="other", clock=lambda: T0 + timedelta(seconds=302))
    row.refresh_from_db()
    assert row.status == "sent"
    attempts = list(DeliveryAttempt.objects.filter(message=row).order_by("number"))
    assert [(a.worker, a.outcome) for a in attempts] == [("dead", ""), ("other", "sent")]


def test_a_worker_stops_sending_when_its_lease_is_nearly_out(smtp, people, settings):
    rows = [note(p) for p in people]
    claimed, _ = delivery.claim_due(worker="slow", lease_seconds=60, now=T0)
    settings.EMAIL_TIMEOUT = 10
    counts = delivery.deliver(claimed, worker="slow", clock=lambda: T0 + timedelta(seconds=51))
    assert counts["released"] == 3 and smtp.messages == []
    assert {status_of(r) for r in rows} == {"pending"}


def test_stopping_finishes_the_message_in_flight_and_releases_the_rest(smtp, people):
    rows = [note(p) for p in people]
    claimed, _ = delivery.claim_due(worker="w", now=T0)
    answers = iter([False, True, True])
    counts = delivery.deliver(
        claimed, worker="w", clock=lambda: T0, should_stop=lambda: next(answers)
    )
    assert (counts["sent"], counts["released"]) == (1, 2)
    assert [status_of(r) for r in rows] == ["sent", "pending", "pending"]
    assert worker().step(now=T0)["sent"] == 2


def test_the_worker_command_sends_what_is_due_and_exits(smtp, people):
    rows = [note(p) for p in people]
    note(people[0], key="later", due_at=timezone.now() + timedelta(days=1))
    call_command("worker", "--once", "--batch", "2", verbosity=0)
    assert {status_of(r) for r in rows} == {"sent"}
    assert len(smtp.messages) == 3


def test_the_worker_command_refuses_a_lease_shorter_than_two_mail_timeouts(settings):
    from django.core.management.base import CommandError

    settings.EMAIL_TIMEOUT = 30
    with pytest.raises(CommandError):
        call_command("worker", "--once", "--lease-seconds", "50", verbosity=0)


def test_a_person_sees_what_they_were_sent_and_nobody_elses(smtp, people):
    a, b = people[:2]
    note(a)
    note(b)
    note(a, key="future", due_at=T0 + timedelta(days=3))
    worker().step(now=T0)
    sent = list(selectors.messages_sent_to(user=a))
    assert [m.recipient_id for m in sent] == [a.pk]
    assert sent[0].kind_label == "Test note"


def test_the_admin_lists_failures_and_retries_them(smtp, client, people):
    admin_user = UserFactory(email="admin@example.nhs.uk", is_staff=True, is_superuser=True)
    row = note(people[0])
    smtp.fail_next(1, "550")
    worker().step(now=T0)
    client.force_login(admin_user)
    page = client.get("/admin/notifications/outboxmessage/?status__exact=failed")
    assert page.status_code == 200
    assert b"SMTP 550 5.1.1 Mailbox unavailable" in page.content
    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
    assert AuditEntry.objects.filter(action="outbox.retry", object_id=row.pk).exists()
    assert client.get(f"/admin/notifications/outboxmessage/{row.pk}/change/").status_code == 200
    worker().step(now=timezone.now())
    assert status_of(row) == "sent"


def test_build_can_be_unpacked_as_a_tuple(person):
    row = note(person)
    subject, _text, html, attachments, headers = get_kind(NOTE).build(row)
    assert subject.endswith("& co") and "<p>" in html and attachments[0][0] == "note.txt"
    assert "X-Outbox-Attempt" in headers


def test_still_due_is_asked_again_just_before_each_message_not_only_at_the_claim(smtp, people):
    rows = [note(p) for p in people]
    claimed, _ = delivery.claim_due(worker="w", now=T0)
    assert len(claimed) == 3
    # The third person leaves after the claim, while the batch is on its way.
    people[2].is_active = False
    people[2].save()
    counts = delivery.deliver(claimed, worker="w", clock=lambda: T0)
    assert (counts["sent"], counts["void"]) == (2, 1)
    assert [status_of(r) for r in rows] == ["sent", "sent", "void"]
    assert smtp.message_ids() == [delivery.message_id(r) for r in rows[:2]]
    assert [a.outcome for a in rows[2].deliveries.all()] == ["void"]


def test_a_batch_is_recorded_in_order_outside_a_transaction(smtp):
    """Outside the test's transaction, as in a real worker (on PostgreSQL the "sent"
    statement's answer is read just before the next message's content goes)."""
    people = UserFactory.create_batch(4)
    rows = [note(p) for p in people]
    smtp.fail_next(1, "451")  # the first one is retried, the rest go
    counts = worker().step(now=T0)
    assert (counts["sent"], counts["retry"]) == (3, 1)
    assert [status_of(r) for r in rows] == ["pending", "sent", "sent", "sent"]
    assert worker().step(now=T0 + timedelta(minutes=1))["sent"] == 1
    for row in rows:
        row.refresh_from_db()
        assert row.status == "sent" and row.sent_at is not None
        assert row.subject.startswith("Library and Knowledge Service")
        assert [a.outcome for a in row.deliveries.order_by("number")][-1] == "sent"
    assert sorted(smtp.message_ids()) == sorted(delivery.message_id(r) for r in rows)


test_a_batch_is_recorded_in_order_outside_a_transaction = pytest.mark.django_db(transaction=True)(
    test_a_batch_is_recorded_in_order_outside_a_transaction
)


def test_the_mail_connection_is_kept_across_batches_and_replaced_when_it_died(smtp, people):
    rows = [note(p) for p in people]
    w = worker(batch=1)
    w.step(now=T0, keep_connection=True)
    w.step(now=T0, keep_connection=True)
    w._mailer.smtp.sock.shutdown(socket.SHUT_RDWR)  # the idle connection died
    w.step(now=T0, keep_connection=True)
    w.close()
    assert {status_of(r) for r in rows} == {"sent"}
    assert len(smtp.peers) == 3 and len(set(smtp.peers)) == 2


def test_a_boundary_found_in_the_text_is_not_used(smtp, person, monkeypatch):
    clash = "a" * 32
    monkeypatch.setattr(secrets, "token_hex", lambda n: clash)
    note(person, body=f"see --=_{clash} here")
    worker().step(now=T0)
    mail = smtp.messages[0]
    assert clash not in mail.get_boundary()
    assert f"see --=_{clash} here" in mail.get_body(("plain",)).get_content()
    assert next(mail.iter_attachments()).get_filename() == "note.txt"


def _parts(raw: bytes) -> list:
    """What a mail client sees in a message: headers (bar the boundaries and the date) and
    every part's type, parameters, encoding, disposition and content."""
    from email import message_from_bytes
    from email import policy as email_policy

    mail = message_from_bytes(raw, policy=email_policy.default)
    seen = []
    for part in mail.walk():
        params = {k: v for k, v in part.get_params() if k != "boundary"}
        content = None if part.is_multipart() else part.get_content()
        headers = sorted((k, str(v)) for k, v in part.items() if k not in ("Content-Type", "Date"))
        seen.append((part.get_content_type(), params, headers, content))
    return seen


@pytest.mark.parametrize(
    ("text", "attachment"),
    [
        ("Plain text.\n", ("note.txt", "Note 1\n", "text/plain")),
        ("Café, ½ day – £5\n\nSee you.\n", ("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                            "text/calendar; method=REQUEST")),
        ("no newline at the end", None),
    ],
)  # fmt: skip
def test_the_direct_writer_writes_what_django_would(settings, text, attachment):
    message = delivery.OutboxEmail(
        subject="Your place on Get Tweeting",
        body=text,
        from_email="Guildbook <training@localhost>",
        to=["ada@example.nhs.uk"],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": "<outbox-1@example.org>"},
    )
    message.attach_alternative(f"<p>{text}</p>\n", "text/html")
    if attachment:
        message.attach(*attachment)
    direct = mime.simple_bytes(message)
    assert direct is not None
    assert _parts(direct) == _parts(message.message().as_bytes(linesep="\r\n"))
    assert b"\r\n" in direct and b"\n" not in direct.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "Café au lait"},  # needs encoded words
        {"body": "x" * 1200 + "\n"},  # needs quoted-printable
        {"to": ["Zoë <zoe@example.nhs.uk>"]},
        {"subject": "A subject so long that the header has to be folded over two lines, really"},
    ],
)
def test_the_direct_writer_leaves_unusual_messages_to_django(change):
    fields = {"subject": "Hi", "body": "Hello\n", "to": ["ada@example.nhs.uk"]}
    message = delivery.OutboxEmail(from_email="training@localhost", **{**fields, **change})
    assert mime.simple_bytes(message) is None
