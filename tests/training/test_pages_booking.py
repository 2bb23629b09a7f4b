"""The session page and booking: two clicks, the waiting list, refusals, cancelling."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from guildbook.training import services
from guildbook.training.models import Booking, BookingQuestion, Course, Session
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _book(client, session, data=None):
    return client.post(reverse("training:session_book", args=[session.pk]), data or {})


def test_booking_a_place_is_one_click_from_the_session_page(client, person, session):
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Book a place" in page
    response = _book(client, session)
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    booking = Booking.objects.get(session=session, person=person)
    assert booking.status == Booking.Status.CONFIRMED
    page = client.get(response["Location"]).content.decode()
    assert "Your place is booked" in page
    assert "Place confirmed" in page
    assert "Cancel my place" in page


def test_booking_questions_are_answered_on_the_session_page(client, person, session):
    q = BookingQuestion.objects.create(
        course=session.course,
        text="Is this your first time using the library?",
        kind=BookingQuestion.Kind.YES_NO,
        required=True,
    )
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Is this your first time using the library?" in page
    response = _book(client, session)
    assert response.status_code == 400
    assert "Please check the answers below." in response.content.decode()
    assert not Booking.objects.filter(person=person).exists()
    response = _book(client, session, {f"q{q.pk}": "yes"})
    assert response.status_code == 302
    answers = Booking.objects.get(person=person).answers
    assert answers[str(q.pk)]["answer"] == "yes"


def test_a_full_session_offers_the_waiting_list_and_shows_the_position(client, person):
    session = SessionFactory(capacity=1)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Join the waiting list" in page
    response = _book(client, session)
    page = client.get(response["Location"]).content.decode()
    assert "on the waiting list at number 2" in page
    assert "You are <strong>number 2</strong> on the waiting list" in page
    assert "Leave the waiting list" in page


def test_full_session_without_a_waiting_list_says_so(client, person):
    course = CourseFactory(waiting_list_enabled=False)
    session = SessionFactory(course=course, capacity=1)
    later = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=30))
    services.booking_create(session=session, person=UserFactory(), actor=None)
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "full and has no waiting list" in page
    assert "Book a place" not in page
    assert later.get_absolute_url() in page  # other dates offered


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ({"starts_at_days": 200}, "Booking opens on"),
        ({"starts_at_days": -1}, "already started"),
        ({"cancelled": True}, "This session has been cancelled"),
        ({"closes_hours": 24 * 30}, "Booking closed on"),
    ],
)
def test_refusals_say_why_and_when(client, person, setup, words):
    course = CourseFactory(booking_closes_hours=setup.get("closes_hours", 0))
    starts = timezone.now() + timedelta(days=setup.get("starts_at_days", 14))
    session = SessionFactory(course=course, starts_at=starts)
    if setup.get("cancelled"):
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert words in page
    assert "Book a place" not in page
    response = _book(client, session)
    assert not Booking.objects.filter(person=person).exists()
    assert words in client.get(response["Location"]).content.decode()


def test_the_online_link_is_only_for_people_with_a_place(client, person):
    session = SessionFactory(capacity=1, online_link="https://meet.example.org/abc")
    waiting = UserFactory()
    services.booking_create(session=session, person=person, actor=person)
    services.booking_create(session=session, person=waiting, actor=waiting)
    client.force_login(person)
    assert "https://meet.example.org/abc" in client.get(session.get_absolute_url()).content.decode()
    client.force_login(waiting)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "https://meet.example.org/abc" not in page
    assert "shown to people with a place" in page
    client.logout()
    course = session.course
    Course.objects.filter(pk=course.pk).update(visibility=Course.Visibility.PUBLIC)
    assert "meet.example.org" not in client.get(session.get_absolute_url()).content.decode()


def test_anonymous_book_goes_to_sign_in_and_comes_back(client):
    course = CourseFactory(visibility=Course.Visibility.PUBLIC)
    session = SessionFactory(course=course)
    page = client.get(session.get_absolute_url()).content.decode()
    login = reverse("account_login") + "?next=" + session.get_absolute_url().replace("/", "%2F")
    assert f'href="{login}"' in page
    response = _book(client, session)
    assert response.status_code == 302
    assert response["Location"] == login
    assert not Booking.objects.exists()


def test_booking_twice_is_refused_politely(client, person, session):
    client.force_login(person)
    _book(client, session)
    response = _book(client, session)
    page = client.get(response["Location"]).content.decode()
    assert Booking.objects.filter(person=person).count() == 1
    assert "Your booking" in page


def test_cancel_confirmation_warns_about_late_cancellation(client, person):
    course = CourseFactory(late_cancellation_hours=48)
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=20))
    booking = services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    url = reverse("training:booking_cancel", args=[booking.pk])
    page = client.get(url).content.decode()
    assert "Late cancellation." in page
    assert (
        Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    )  # GET changes nothing
    response = client.post(url)
    assert response["Location"] == reverse("training:my_bookings")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.late_cancellation


def test_cancel_in_good_time_has_no_warning_and_promotes_the_next_person(client, person, session):
    other = UserFactory()
    services.booking_create(session=session, person=UserFactory(), actor=None)
    mine = services.booking_create(session=session, person=person, actor=person)
    waiting = services.booking_create(session=session, person=other, actor=other)
    client.force_login(person)
    url = reverse("training:booking_cancel", args=[mine.pk])
    assert "Late cancellation." not in client.get(url).content.decode()
    client.post(url)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED


def test_leave_the_waiting_list(client, person):
    session = SessionFactory(capacity=1)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    booking = services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    url = reverse("training:booking_cancel", args=[booking.pk])
    assert "Leave the waiting list?" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "You have left the waiting list." in response.content.decode()
    booking.refresh_from_db()
    assert booking.ending == Booking.Ending.LEFT_WAITING_LIST


def test_another_persons_booking_is_404(client, person, session):
    other = UserFactory()
    booking = services.booking_create(session=session, person=other, actor=other)
    client.force_login(person)
    assert client.get(reverse("training:booking", args=[booking.pk])).status_code == 404
    assert client.get(reverse("training:booking_cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("training:booking_cancel", args=[booking.pk])).status_code == 404


def test_booking_detail_shows_answers_and_the_cancel_deadline(client, person, session):
    q = BookingQuestion.objects.create(course=session.course, text="What do you hope to get?")
    booking = services.booking_create(
        session=session, person=person, actor=person, answers={str(q.pk): "Confidence"}
    )
    client.force_login(person)
    page = client.get(reverse("training:booking", args=[booking.pk])).content.decode()
    assert "What do you hope to get?" in page and "Confidence" in page
    assert "please cancel before" in page


def test_my_bookings_lists_places_waiting_positions_and_past_sessions(client, person):
    course = CourseFactory(title="Get Tweeting")
    upcoming = SessionFactory(course=course)
    full = SessionFactory(course=CourseFactory(title="Searching PubMed"), capacity=1)
    past = SessionFactory(
        course=CourseFactory(title="Critical Appraisal"),
        starts_at=timezone.now() - timedelta(days=10),
    )
    services.booking_create(session=upcoming, person=person, actor=person)
    services.booking_create(session=full, person=UserFactory(), actor=None)
    services.booking_create(session=full, person=person, actor=person)
    Booking.objects.create(
        session=past,
        person=person,
        status=Booking.Status.CONFIRMED,
        confirmed_at=past.starts_at,
        attendance=Booking.Attendance.ATTENDED,
    )
    client.force_login(person)
    page = client.get(reverse("training:my_bookings")).content.decode()
    assert "Get Tweeting" in page
    assert "Number 1 on the waiting list" in page
    assert "Critical Appraisal" in page
    assert page.index("Places to come") < page.index("Get Tweeting") < page.index("Waiting lists")
    assert page.index("Past sessions") < page.index("Critical Appraisal")


def test_my_bookings_needs_sign_in(client):
    response = client.get(reverse("training:my_bookings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_booking_twice_is_refused_in_the_second_person(client, person, session):
    services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    page = client.post(
        reverse("training:session_book", args=[session.pk]), follow=True
    ).content.decode()
    assert "You already have a place on this session." in page
    assert escape(person.display_name) + " already has" not in page
