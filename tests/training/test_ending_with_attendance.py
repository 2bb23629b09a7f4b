"""A booking the register has marked stays: removing it or cancelling its session is refused
with a message, on the page and in the API, and nothing is half-saved (it used to fail the
`booking_attendance_only_for_places` constraint with a server error)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import Booking, Session
from tests.api.conftest import ApiClient, assert_error
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(course, trainer):
    """A session that ended an hour ago: Ada attended, Ben was a no-show, Cal is unmarked."""
    starts = timezone.now() - timedelta(hours=2, minutes=30)
    session = SessionFactory(course=course, starts_at=starts, ends_at=starts + timedelta(hours=1))
    people = [UserFactory(name=n) for n in ("Ada", "Ben", "Cal")]
    bookings = [
        services.booking_create(
            session=session, person=p, actor=trainer, now=starts - timedelta(days=3)
        )
        for p in people
    ]
    services.attendance_record(booking=bookings[0], attended=True, actor=trainer)
    services.attendance_record(booking=bookings[1], attended=False, actor=trainer)
    return session, bookings


def _unchanged(session, bookings):
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED and session.places_taken == 3
    for b in bookings:
        b.refresh_from_db()
        assert b.status == Booking.Status.CONFIRMED


def test_removing_a_marked_booking_is_refused(marked, trainer):
    session, bookings = marked
    for booking in bookings[:2]:
        with pytest.raises(ServiceError, match="register"):
            services.booking_remove(booking=booking, actor=trainer)
    _unchanged(session, bookings)
    # Someone not marked can still be taken off.
    services.booking_remove(booking=bookings[2], actor=trainer)


def test_the_page_says_why_a_marked_booking_stays(client, marked, trainer):
    session, bookings = marked
    client.force_login(trainer)
    url = reverse("training:manage_booking_remove", args=[bookings[0].pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "register" in response.content.decode()
    _unchanged(session, bookings)


def test_the_api_refuses_removing_a_marked_booking(marked, trainer):
    session, bookings = marked
    api = ApiClient(trainer)
    body = assert_error(api.post(f"/api/v1/bookings/{bookings[1].pk}/remove"), 400)
    assert "register" in body["detail"]
    _unchanged(session, bookings)


def test_cancelling_a_session_with_a_register_is_refused(client, marked, trainer, course):
    session, bookings = marked
    with pytest.raises(ServiceError, match="register"):
        services.session_cancel(session=session, actor=trainer)
    later = SessionFactory(course=course)
    with pytest.raises(ServiceError, match="register"):
        services.session_cancel(session=session, actor=trainer, move_to=later)
    _unchanged(session, bookings)
    assert not later.bookings.exists()
    client.force_login(trainer)
    response = client.post(
        reverse("training:manage_session_cancel", args=[session.pk]), {"reason": "Snow"}
    )
    assert response.status_code == 400
    assert "register" in response.content.decode()
    _unchanged(session, bookings)


def test_a_past_session_nobody_was_marked_on_can_still_be_cancelled(course, trainer):
    starts = timezone.now() - timedelta(days=1)
    session = SessionFactory(course=course, starts_at=starts, ends_at=starts + timedelta(hours=1))
    services.booking_create(
        session=session, person=UserFactory(), actor=trainer, now=starts - timedelta(days=3)
    )
    services.session_cancel(session=session, actor=trainer, reason="The room flooded")
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
