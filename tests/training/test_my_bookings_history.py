"""My bookings keeps a history: cancelled, late-cancelled, attended and no-show, newest first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.training import services
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _history(page: str) -> str:
    return page.split('id="history"', 1)[1]


def test_history_lists_every_ended_and_past_booking_newest_first(client, person, trainer):
    now = timezone.now()

    def session(title, days):
        return SessionFactory(
            course=CourseFactory(title=title), starts_at=now + timedelta(days=days), capacity=4
        )

    attended = session("Attended course", -30)
    no_show = session("Missed course", -20)
    for s, came in ((attended, True), (no_show, False)):
        b = services.booking_create(
            session=s, person=person, actor=person, now=s.starts_at - timedelta(days=5)
        )
        services.attendance_record(booking=b, attended=came, actor=trainer)
    cancelled = session("Cancelled early course", 20)
    services.booking_cancel(
        booking=services.booking_create(session=cancelled, person=person, actor=person),
        actor=person,
    )
    late = session("Cancelled late course", 1)
    services.booking_cancel(
        booking=services.booking_create(session=late, person=person, actor=person), actor=person
    )
    services.booking_create(session=session("Still to come", 40), person=person, actor=person)
    services.booking_create(session=session("Someone else's", 10), person=UserFactory(), actor=None)

    client.force_login(person)
    history = _history(client.get(reverse("training:my_bookings")).content.decode())
    order = [
        "Cancelled early course",
        "Cancelled late course",
        "Missed course",
        "Attended course",
    ]
    positions = [history.index(title) for title in order]
    assert positions == sorted(positions), "newest first"
    assert "You cancelled" in history
    assert "Late cancellation" in history
    assert "Attended" in history
    assert "Did not attend" in history
    assert "Still to come" not in history
    assert "Someone else" not in history
