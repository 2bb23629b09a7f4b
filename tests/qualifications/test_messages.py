"""Qualifications' e-mails delivered through a real SMTP server by the worker and read back:
the mentor's answer, an action falling due, the weekly digest, a funding decision."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.notifications import delivery
from guildbook.notifications.models import OutboxMessage
from guildbook.qualifications import messages, services
from tests.notifications.smtp import SMTPServer


@pytest.fixture
def sink(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield server.sink


def deliver(now=None):
    return delivery.Worker(worker_id="test").step(now=now or timezone.now())


def text_of(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def mails_to(sink, user):
    return [m for m in sink.messages if m["To"] == user.email]


def test_the_candidate_hears_the_mentors_answer_and_the_funding_decision(scene, sink):
    services.funding_request_approve(funding=scene.funding, actor=scene.officer, comment="Yes")
    deliver()
    subjects = sorted(str(m["Subject"]) for m in mails_to(sink, scene.candidate))
    assert subjects == [
        "Funding approved: your Chartership submission fee",
        "Mia Mentor will be your mentor",
    ]
    funding_mail = next(m for m in mails_to(sink, scene.candidate) if "Funding" in m["Subject"])
    assert "£75" in text_of(funding_mail) and "Yes" in text_of(funding_mail)


def test_an_action_is_reminded_two_days_before_unless_done(scene, sink):
    due = scene.action.due_on
    row = OutboxMessage.objects.get(kind=messages.ACTION_DUE)
    assert timezone.localtime(row.due_at).date() == due - timedelta(days=2)
    deliver(now=row.due_at + timedelta(minutes=1))
    reminder = [m for m in mails_to(sink, scene.candidate) if "Draft the CV" in m["Subject"]]
    assert len(reminder) == 1
    assert "Draft the CV" in text_of(reminder[0])


def test_the_mentor_gets_one_digest_a_week(scene, sink):
    rows = OutboxMessage.objects.filter(kind=messages.MENTOR_DIGEST, recipient=scene.mentor)
    assert rows.count() == 1  # a request and a meeting's action, one digest
    row = rows.get()
    assert timezone.localtime(row.due_at).weekday() == 0
    deliver(now=row.due_at + timedelta(minutes=1))
    digest = [m for m in mails_to(sink, scene.mentor) if "mentoring this week" in m["Subject"]]
    assert len(digest) == 1
    assert "Draft the CV" in text_of(digest[0]) and "Cara Candidate" in text_of(digest[0])


def test_a_digest_with_nothing_to_say_is_not_sent(scene, sink):
    other = scene.other_candidacy.mentor_requests.get()
    services.mentor_request_decline(request=other, actor=scene.other_mentor, reason="Busy")
    row = OutboxMessage.objects.get(kind=messages.MENTOR_DIGEST, recipient=scene.other_mentor)
    deliver(now=row.due_at + timedelta(minutes=1))
    assert not [m for m in mails_to(sink, scene.other_mentor) if "this week" in m["Subject"]]
    row.refresh_from_db()
    assert row.status == "void"
