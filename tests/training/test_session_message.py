"""Trainers e-mail everyone on a session, or its waiting list, through the outbox."""

import pytest
from django.urls import reverse

from guildbook.notifications.models import OutboxMessage
from guildbook.training import announcements, services
from tests.factories import SessionFactory, UserFactory
from tests.training.test_messages_delivery import deliver, mails_to, subject, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(db):
    session = SessionFactory(capacity=2)
    people = UserFactory.create_batch(3)
    for p in people:
        services.booking_create(session=session, person=p, actor=p)
    return session, people


def test_a_trainer_emails_the_people_with_places(client, trainer, full, smtp):
    session, (a, b, waiting) = full
    client.force_login(trainer)
    url = reverse("training:manage_session_message", args=[session.pk])
    assert (
        "E-mail people"
        in client.get(reverse("training:manage_session", args=[session.pk])).content.decode()
    )
    response = client.post(
        url, {"audience": "places", "subject": "Room change", "body": "We are in Room 5."}
    )
    assert response.status_code == 302
    deliver()
    for person in (a, b):
        (mail,) = [m for m in mails_to(smtp, person) if "Room change" in subject(m)]
        assert "We are in Room 5." in text_of(mail)
    assert [m for m in mails_to(smtp, waiting) if "Room change" in subject(m)] == []


def test_the_waiting_list_alone_can_be_emailed(trainer, full):
    session, (_, _, waiting) = full
    n = announcements.session_message_send(
        session=session,
        audience="waiting",
        subject="Hold on",
        body="More places soon.",
        actor=trainer,
    )
    assert n == 1
    rows = OutboxMessage.objects.filter(kind=announcements.SESSION_NOTE)
    assert [r.recipient for r in rows] == [waiting]


def test_an_empty_message_is_refused_and_learners_cannot_send(client, trainer, person, full):
    session, _ = full
    url = reverse("training:manage_session_message", args=[session.pk])
    client.force_login(trainer)
    response = client.post(url, {"audience": "places", "subject": "", "body": "x"})
    assert response.status_code == 400 and "Give the e-mail a subject." in response.content.decode()
    client.force_login(person)
    assert client.post(url, {"audience": "places", "subject": "s", "body": "b"}).status_code == 404
    assert not OutboxMessage.objects.filter(kind=announcements.SESSION_NOTE).exists()
