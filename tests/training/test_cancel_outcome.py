"""After a cancellation the page says what really happened to the place."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.training import services
from guildbook.training.messages import booking_link_token
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _cancel(client, booking):
    response = client.post(reverse("training:booking_cancel", args=[booking.pk]), follow=True)
    return response.content.decode()


def _late_session(**course):
    """Starts in 10 hours: inside the 48-hour late-cancellation window."""
    return SessionFactory(
        course=CourseFactory(**course), capacity=1, starts_at=timezone.now() + timedelta(hours=10)
    )


def test_a_late_cancellation_with_nobody_waiting_says_the_place_is_free(client, person):
    session = _late_session()
    booking = services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    before = client.get(reverse("training:booking_cancel", args=[booking.pk])).content.decode()
    assert "Nobody is waiting for a place" in before
    assert "next person on the waiting list" not in before
    page = _cancel(client, booking)
    assert "Nobody was waiting, so it is free for someone else to book." in page
    assert "next person" not in page


def test_a_cancellation_with_someone_waiting_says_it_went_to_them(client, person):
    session = _late_session()
    booking = services.booking_create(session=session, person=person, actor=person)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    client.force_login(person)
    before = client.get(reverse("training:booking_cancel", args=[booking.pk])).content.decode()
    assert "next person on the waiting list" in before
    assert "It has gone to the next person on the waiting list." in _cancel(client, booking)


def test_in_offer_mode_it_says_the_place_was_offered(client, person):
    session = SessionFactory(
        course=CourseFactory(waiting_list_mode="offer"),
        capacity=1,
        starts_at=timezone.now() + timedelta(days=10),
    )
    booking = services.booking_create(session=session, person=person, actor=person)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    client.force_login(person)
    assert "It has been offered to the next person on the waiting list." in _cancel(client, booking)


def test_releasing_from_the_reminder_link_says_what_happened(client, person):
    session = _late_session()
    booking = services.booking_create(session=session, person=person, actor=person)
    url = reverse("training:booking_link_release", args=[booking_link_token(booking, "release")])
    assert "Nobody is waiting for a place" in client.get(url).content.decode()
    page = client.post(url).content.decode()
    assert "Nobody was waiting, so it is free for someone else to book." in page
