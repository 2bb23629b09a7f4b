"""The anonymous catalogue is cached, but never shows stale places after a change."""

import re

import pytest
from django.core.cache import caches

from guildbook.training import services
from guildbook.training.models import Course
from tests.factories import CourseFactory, SessionFactory, UserFactory


def nonce(response) -> bytes:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1).encode()


@pytest.fixture(autouse=True)
def empty_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def public_session(db):
    course = CourseFactory(title="Get Tweeting", visibility=Course.Visibility.PUBLIC)
    return SessionFactory(course=course, capacity=2)


def test_second_anonymous_view_is_served_from_the_cache(
    client, public_session, django_assert_num_queries
):
    first = client.get("/")
    assert "2 places left" in first.content.decode()
    with django_assert_num_queries(1):  # only the catalogue's version
        again = client.get("/")
    # The same page, but each response carries its own CSP nonce.
    assert again.content.replace(nonce(again), b"N") == first.content.replace(nonce(first), b"N")
    assert nonce(again) != nonce(first)


def test_a_booking_shows_at_once(client, public_session):
    assert "2 places left" in client.get("/").content.decode()
    person = UserFactory()
    services.booking_create(session=public_session, person=person, actor=person)
    assert "1 place left" in client.get("/").content.decode()


def test_a_new_course_shows_at_once(client, public_session):
    client.get("/")
    CourseFactory(title="Literature searching", visibility=Course.Visibility.PUBLIC)
    assert "Literature searching" in client.get("/").content.decode()


def test_filters_are_cached_separately(client, public_session):
    CourseFactory(title="Critical appraisal", visibility=Course.Visibility.PUBLIC)
    assert "Critical appraisal" in client.get("/").content.decode()
    filtered = client.get("/", {"q": "tweeting"}).content.decode()
    assert "Critical appraisal" not in filtered


def test_signed_in_people_get_their_own_page(client, public_session):
    person = UserFactory()
    services.booking_create(session=public_session, person=person, actor=person)
    client.get("/")
    client.force_login(person)
    assert "You have a place" in client.get("/").content.decode()
