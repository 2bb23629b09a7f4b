"""Scenes for the survey tests: a course (with its default follow-up, made by the receiver)
and a session that has happened, with people marked on the register through the services."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from guildbook.surveys.models import Invitation
from guildbook.training import services as training
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.notifications.conftest import smtp  # noqa: F401  (the real SMTP server)

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def past_session(course, *, ended_ago=timedelta(hours=1), **kwargs):
    """A session that ended `ended_ago` before now (the register needs it to have started)."""
    ends_at = timezone.now() - ended_ago
    return SessionFactory(
        course=course, starts_at=ends_at - timedelta(minutes=90), ends_at=ends_at, **kwargs
    )


def book(session, person):
    """Booked a week before the session, as people do."""
    return training.booking_create(
        session=session, person=person, actor=person, now=session.starts_at - timedelta(days=7)
    )


def mark(booking, attended: bool, actor=None):
    return training.attendance_record(booking=booking, attended=attended, actor=actor)


@pytest.fixture
def course(db):
    return CourseFactory(title="Get Tweeting", slug="get-tweeting")


@pytest.fixture
def register(course):
    """Ada and Ben attended, Cai was a no-show, Dee cancelled. Returns their bookings."""
    session = past_session(course)
    people = {
        name: UserFactory(name=f"{name} Person", email=f"{name.lower()}@example.nhs.uk")
        for name in ("Ada", "Ben", "Cai", "Dee")
    }
    bookings = {name: book(session, person) for name, person in people.items()}
    training.booking_cancel(
        booking=bookings["Dee"],
        actor=people["Dee"],
        now=session.starts_at - timedelta(days=2),
    )
    mark(bookings["Ada"], True)
    mark(bookings["Ben"], True)
    mark(bookings["Cai"], False)
    for b in bookings.values():
        b.refresh_from_db()
    return session, bookings


@pytest.fixture
def invitation(register):
    """Ada's follow-up invitation."""
    _session, bookings = register
    return Invitation.objects.get(booking=bookings["Ada"])


@pytest.fixture
def browser():
    """A client that checks CSRF, as a browser's form post would be checked."""
    return Client(enforce_csrf_checks=True)
