"""Pages that list things ask the database the same number of times at 1x and 10x the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guildbook.training import services
from guildbook.training.models import Booking, BookingQuestion, CourseMaterial
from tests.factories import CategoryFactory, CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_catalogue(n, person):
    """n courses in n categories, each with 3 upcoming sessions, some full with a waiting
    list, and the person booked on some."""
    for i in range(n):
        course = CourseFactory(category=CategoryFactory(name=f"Category {i}-{timezone.now()}"))
        CourseMaterial.objects.create(course=course, title="Slides", url="https://example.org")
        for d in range(3):
            s = SessionFactory(
                course=course, capacity=1, starts_at=timezone.now() + timedelta(days=3 + d)
            )
            services.booking_create(session=s, person=UserFactory(), actor=None)
            if d == 1:
                services.booking_create(session=s, person=UserFactory(), actor=None)
            if d == 2:
                services.booking_create(session=s, person=person, actor=person)


def test_catalogue_query_count_does_not_grow(client, person):
    client.force_login(person)
    _add_catalogue(2, person)
    small = _count(client, reverse("training:catalogue"))
    _add_catalogue(18, person)
    large = _count(client, reverse("training:catalogue"))
    assert small == large, (small, large)
    assert large <= 10


def test_anonymous_catalogue_query_count_does_not_grow(client, person):
    from guildbook.training.models import Course

    _add_catalogue(2, person)
    Course.objects.update(visibility=Course.Visibility.PUBLIC)
    small = _count(client, reverse("training:catalogue"))
    _add_catalogue(18, person)
    Course.objects.update(visibility=Course.Visibility.PUBLIC)
    large = _count(client, reverse("training:catalogue"))
    assert small == large, (small, large)


def _fill_session(session, n, course):
    for _ in range(n):
        session.trainers.add(UserFactory())
        BookingQuestion.objects.create(course=course, text="Anything we should know?")
        SessionFactory(course=course)  # other dates
    for _ in range(n * 3):
        p = UserFactory()
        services.booking_create(session=session, person=p, actor=p)


@pytest.mark.parametrize("booked", [False, True])
def test_session_page_query_count_does_not_grow(client, person, booked):
    course = CourseFactory()
    session = SessionFactory(course=course, capacity=2)
    client.force_login(person)
    _fill_session(session, 1, course)
    if booked:
        services.booking_create(session=session, person=person, actor=person)
    small = _count(client, session.get_absolute_url())
    _fill_session(session, 10, course)
    large = _count(client, session.get_absolute_url())
    assert small == large, (small, large)
    assert large <= 12


def _add_record(person, n):
    for i in range(n):
        starts = timezone.now() - timedelta(days=10 + i)
        s = SessionFactory(
            course=CourseFactory(category=CategoryFactory(name=f"Record {i}-{timezone.now()}")),
            starts_at=starts,
        )
        attendance = Booking.Attendance.NO_SHOW if i % 3 == 0 else Booking.Attendance.ATTENDED
        Booking.objects.create(
            session=s, person=person, status="confirmed", confirmed_at=starts, attendance=attendance
        )
        services.booking_create(session=SessionFactory(), person=person, actor=person)


@pytest.mark.parametrize("viewer_role", ["self", "officer", "trainer"])
def test_training_record_query_count_does_not_grow(client, person, viewer_role):
    viewer = person
    url = reverse("training:my_record")
    if viewer_role != "self":
        viewer = UserFactory(role="staff_development")
        if viewer_role == "trainer":
            from guildbook.accounts.services import user_role_add

            user_role_add(user=viewer, role="trainer")
        url = reverse("training:person_record", args=[person.pk])
    client.force_login(viewer)
    _add_record(person, 3)
    small = _count(client, url)
    _add_record(person, 27)
    large = _count(client, url)
    assert small == large, (small, large)
    assert large <= 10


def test_my_bookings_and_people_query_counts_do_not_grow(client, person, officer):
    client.force_login(person)
    _add_catalogue(1, person)
    _add_record(person, 2)
    small = _count(client, reverse("training:my_bookings"))
    _add_catalogue(10, person)
    _add_record(person, 20)
    large = _count(client, reverse("training:my_bookings"))
    assert small == large, (small, large)

    client.force_login(officer)
    small = _count(client, reverse("training:people"))
    for _ in range(30):
        UserFactory()
    large = _count(client, reverse("training:people"))
    assert small == large, (small, large)
