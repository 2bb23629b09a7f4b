"""Before booking opens: no "Book" and no places left, but when it opens and "tell me when
booking opens" — one e-mail at the opening, through the outbox, moving when it moves."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.timefmt import format_date
from guildbook.notifications.models import OutboxMessage
from guildbook.training import alerts, services
from guildbook.training.models import BookingAlert
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.training.test_messages_delivery import deliver, mails_to, subject, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(db):
    """A session 60 days ahead on a course whose booking opens 30 days before."""
    course = CourseFactory(title="Get Tweeting", slug="get-tweeting", booking_opens_days=30)
    return SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=60), capacity=8)


def _alert_rows(session):
    return OutboxMessage.objects.filter(kind=alerts.BOOKING_OPENS)


def test_a_session_not_yet_open_says_when_it_opens_and_offers_no_places(client, person, later):
    client.force_login(person)
    opens = later.booking_opens_at()
    page = client.get(later.get_absolute_url()).content.decode()
    assert "Book a place" not in page
    assert "8 of 8 left" not in page
    assert f"Booking opens on {format_date(opens)}" in page
    assert "Tell me when booking opens" in page
    course_page = client.get(later.course.get_absolute_url()).content.decode()
    assert "8 places left" not in course_page
    assert f"Booking opens {format_date(opens)}" in course_page
    assert '">Book<span' not in course_page
    catalogue = client.get(reverse("training:catalogue")).content.decode()
    assert f"Booking opens {format_date(opens)}" in catalogue
    assert "8 places left" not in catalogue


def test_tell_me_when_booking_opens_queues_one_email_at_the_opening(client, person, later):
    client.force_login(person)
    url = reverse("training:alert_create", args=[later.pk])
    response = client.post(url)
    assert response.status_code == 302
    client.post(url)  # asked twice: still one alert, one e-mail
    alert = BookingAlert.objects.get(session=later, person=person)
    row = OutboxMessage.objects.get(kind=alerts.BOOKING_OPENS)
    assert row.object_id == alert.pk and row.recipient == person
    assert row.due_at == later.booking_opens_at()
    page = client.get(later.get_absolute_url()).content.decode()
    assert "We will e-mail you" in page and "Don’t e-mail me" in page


def test_the_email_moves_when_the_session_or_the_booking_window_moves(person, later, trainer):
    alerts.booking_alert_create(session=later, person=person, actor=person)
    new_start = later.starts_at + timedelta(days=7)
    services.session_reschedule(
        session=later, starts_at=new_start, ends_at=new_start + timedelta(hours=1), actor=trainer
    )
    row = OutboxMessage.objects.get(kind=alerts.BOOKING_OPENS)
    assert row.due_at == new_start - timedelta(days=30)
    services.course_update(course=later.course, booking_opens_days=20, actor=trainer)
    row.refresh_from_db()
    assert row.due_at == new_start - timedelta(days=20)


def test_the_email_arrives_at_the_opening_and_not_for_someone_who_booked(smtp, later, trainer):
    ada, ben = UserFactory(name="Ada Learner"), UserFactory(name="Ben Booked")
    for person in (ada, ben):
        alerts.booking_alert_create(session=later, person=person, actor=person)
    services.booking_create(session=later, person=ben, actor=trainer)  # a trainer booked him
    deliver()
    assert mails_to(smtp, ada) == []  # not before the opening
    deliver(now=later.booking_opens_at() + timedelta(minutes=1))
    (mail,) = mails_to(smtp, ada)
    assert subject(mail).startswith("Booking is open: Get Tweeting")
    assert later.get_absolute_url() in text_of(mail)
    assert [m for m in mails_to(smtp, ben) if "Booking is open" in subject(m)] == []


def test_no_email_for_a_cancelled_session_or_a_removed_alert(smtp, later, trainer):
    ada = UserFactory()
    alert = alerts.booking_alert_create(session=later, person=ada, actor=ada)
    alerts.booking_alert_remove(alert=alert, actor=ada)
    assert OutboxMessage.objects.get(kind=alerts.BOOKING_OPENS).status == "void"
    ben = UserFactory()
    alerts.booking_alert_create(session=later, person=ben, actor=ben)
    services.session_cancel(session=later, actor=trainer)
    deliver(now=later.booking_opens_at() + timedelta(minutes=1))
    assert [m for m in smtp.messages if "Booking is open" in subject(m)] == []


def test_an_open_session_cannot_get_an_alert(client, person, session):
    client.force_login(person)
    client.post(reverse("training:alert_create", args=[session.pk]))
    assert not BookingAlert.objects.exists()
    assert "already open" in client.get(session.get_absolute_url()).content.decode()


def test_someone_elses_alert_cannot_be_removed(client, person, later):
    other = UserFactory()
    alert = alerts.booking_alert_create(session=later, person=other, actor=other)
    client.force_login(person)
    assert client.post(reverse("training:alert_remove", args=[alert.pk])).status_code == 404
    assert BookingAlert.objects.filter(pk=alert.pk).exists()
