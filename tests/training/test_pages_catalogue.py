"""The catalogue and course pages: search, filters, visibility, places at a glance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.training import services
from guildbook.training.models import Course, CourseMaterial
from tests.factories import CategoryFactory, CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get(reverse("training:catalogue"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_public_courses_only(client):
    CourseFactory(title="Get Tweeting", visibility=Course.Visibility.PUBLIC)
    CourseFactory(title="Staff Induction", visibility=Course.Visibility.STAFF)
    CourseFactory(title="Team Away Day", visibility=Course.Visibility.CLOSED)
    page = _page(client)
    assert "Get Tweeting" in page
    assert "Staff Induction" not in page
    assert "Team Away Day" not in page
    assert "to see the courses for staff as well" in page


def test_signed_in_staff_see_staff_courses_but_not_closed_ones(client, person):
    CourseFactory(title="Staff Induction", visibility=Course.Visibility.STAFF)
    CourseFactory(title="Team Away Day", visibility=Course.Visibility.CLOSED)
    client.force_login(person)
    page = _page(client)
    assert "Staff Induction" in page
    assert "Team Away Day" not in page


def test_archived_courses_are_not_listed(client, person):
    CourseFactory(title="Old Course", status=Course.Status.ARCHIVED)
    client.force_login(person)
    assert "Old Course" not in _page(client)


def test_search_filters_and_says_what_it_searched_for(client, person):
    digital = CategoryFactory(name="Digital skills")
    research = CategoryFactory(name="Research")
    CourseFactory(title="Get Tweeting", category=digital, level=Course.Level.NOVICE)
    CourseFactory(title="Literature Searching", category=research, level=Course.Level.ADVANCED)
    client.force_login(person)
    page = _page(client, q="tweeting")
    assert "Get Tweeting" in page and "Literature Searching" not in page
    assert "“tweeting”" in page
    page = _page(client, category=research.slug)
    assert "Literature Searching" in page and "Get Tweeting" not in page
    page = _page(client, level="novice")
    assert "Get Tweeting" in page and "Literature Searching" not in page
    assert "Level: Novice" in page


def test_delivery_filter_includes_courses_run_both_ways(client, person):
    CourseFactory(title="Online Only", delivery=Course.Delivery.ONLINE)
    CourseFactory(title="Either Way", delivery=Course.Delivery.BOTH)
    CourseFactory(title="Room Only", delivery=Course.Delivery.IN_PERSON)
    client.force_login(person)
    page = _page(client, delivery="online")
    assert "Online Only" in page and "Either Way" in page and "Room Only" not in page


def test_date_filter_keeps_courses_with_a_session_in_range(client, person):
    soon = CourseFactory(title="Soon Course")
    later = CourseFactory(title="Later Course")
    SessionFactory(course=soon, starts_at=timezone.now() + timedelta(days=3))
    SessionFactory(course=later, starts_at=timezone.now() + timedelta(days=60))
    client.force_login(person)
    today = timezone.localdate()
    page = _page(
        client,
        date_from=today.isoformat(),
        date_to=(today + timedelta(days=10)).isoformat(),
    )
    assert "Soon Course" in page and "Later Course" not in page


def test_a_backwards_date_range_is_explained(client, person):
    client.force_login(person)
    today = timezone.localdate()
    page = _page(
        client, date_from=today.isoformat(), date_to=(today - timedelta(days=1)).isoformat()
    )
    assert "The end of the date range must be after its start." in page


def test_empty_states_differ_for_no_courses_and_no_matches(client, person):
    client.force_login(person)
    assert "No courses yet" in _page(client)
    CourseFactory(title="Get Tweeting")
    page = _page(client, q="zebra")
    assert "No courses match" in page
    assert "see every course" in page


def test_next_sessions_show_places_left_full_and_my_booking(client, person):
    course = CourseFactory(title="Get Tweeting")
    roomy = SessionFactory(course=course, capacity=5, starts_at=timezone.now() + timedelta(days=2))
    full = SessionFactory(course=course, capacity=1, starts_at=timezone.now() + timedelta(days=4))
    mine = SessionFactory(course=course, capacity=5, starts_at=timezone.now() + timedelta(days=6))
    services.booking_create(session=full, person=UserFactory(), actor=None)
    services.booking_create(session=full, person=UserFactory(), actor=None)
    services.booking_create(session=mine, person=person, actor=person)
    services.booking_create(session=roomy, person=UserFactory(), actor=None)
    client.force_login(person)
    page = _page(client)
    assert "4 places left" in page
    assert "Full · 1 waiting" in page
    assert "You have a place" in page


def test_course_page_shows_outcomes_materials_audience_and_dates(client, person):
    course = CourseFactory(
        title="Get Tweeting",
        description="Learn to tweet.",
        learning_outcomes="Set up an account\nFollow colleagues",
        audience="Library staff and healthcare staff",
    )
    CourseMaterial.objects.create(course=course, title="Slides", url="https://example.org/s")
    CourseMaterial.objects.create(
        course=course, title="Trainer notes", url="https://example.org/t", for_trainers_only=True
    )
    s = SessionFactory(course=course, capacity=1)
    services.booking_create(session=s, person=UserFactory(), actor=None)
    services.booking_create(session=s, person=UserFactory(), actor=None)
    client.force_login(person)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "Follow colleagues" in page
    assert "Library staff and healthcare staff" in page
    assert "Slides" in page
    assert "Trainer notes" not in page
    assert "Full · 1 waiting" in page
    assert "Join the waiting list" in page


def test_closed_course_opens_by_invitation_link_and_remembers_it(client, person):
    course = CourseFactory(title="Team Away Day", visibility=Course.Visibility.CLOSED)
    session = SessionFactory(course=course)
    client.force_login(person)
    assert client.get(course.get_absolute_url()).status_code == 404
    assert client.get(session.get_absolute_url()).status_code == 404
    assert client.get(course.get_absolute_url(), {"invitation": "wrong"}).status_code == 404
    response = client.get(course.get_absolute_url(), {"invitation": course.invitation_token})
    assert response.status_code == 200
    # The invitation carries on to the session page and booking.
    assert client.get(session.get_absolute_url()).status_code == 200
    client.post(reverse("training:session_book", args=[session.pk]))
    assert session.bookings.filter(person=person).exists()


def test_staff_course_page_is_404_for_anonymous_visitors(client):
    course = CourseFactory(visibility=Course.Visibility.STAFF)
    assert client.get(course.get_absolute_url()).status_code == 404
