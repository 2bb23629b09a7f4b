"""A session's bookings for its trainer: the list, adding, moving, removing, capacity, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.training import services
from guildbook.training.models import Booking, BookingQuestion, Session
from tests.factories import BookingFactory, CourseFactory, SessionFactory, UserFactory


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def book(session, person, answers=None):
    return services.booking_create(session=session, person=person, actor=person, answers=answers)


def page(client, session):
    response = client.get(reverse("training:manage_session", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_places_then_waiting_list_with_positions_answers_and_history(
    trainer_client, course, session
):
    question = BookingQuestion.objects.create(course=course, text="What do you hope to get?")
    earlier = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=60))
    a, b, c, d = UserFactory.create_batch(4)
    for s in (earlier, SessionFactory(course=course, starts_at=earlier.starts_at)):
        BookingFactory(session=s, person=d, attendance=Booking.Attendance.NO_SHOW)
    book(session, a, {str(question.pk): "Confidence with hashtags"})
    book(session, b)
    book(session, c)
    book(session, d)
    html = page(trainer_client, session)
    assert html.index(a.email) < html.index(b.email) < html.index("Waiting list (2)")
    assert html.index("Waiting list (2)") < html.index(c.email) < html.index(d.email)
    assert "Confidence with hashtags" in html
    assert "2 earlier sessions missed" in html
    assert html.count("earlier session") == 1  # nothing is said about people with none


def test_add_a_new_person_by_email(trainer_client, session):
    response = trainer_client.post(
        reverse("training:manage_booking_add", args=[session.pk]),
        {"email": "New.Person@Example.nhs.uk", "name": "Nia Newcomer"},
        follow=True,
    )
    person = User.objects.get(email="new.person@example.nhs.uk")
    assert person.name == "Nia Newcomer"
    assert Booking.objects.get(session=session, person=person).status == "confirmed"
    assert "Nia Newcomer has a place." in response.content.decode()


def test_add_when_full_joins_the_waiting_list(trainer_client, session):
    for p in UserFactory.create_batch(2):
        book(session, p)
    response = trainer_client.post(
        reverse("training:manage_booking_add", args=[session.pk]),
        {"email": "late@example.nhs.uk"},
        follow=True,
    )
    assert "on the waiting list at number 1" in response.content.decode()


def test_adding_someone_already_booked_shows_why_beside_the_field(trainer_client, session, person):
    book(session, person)
    response = trainer_client.post(
        reverse("training:manage_booking_add", args=[session.pk]), {"email": person.email}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has a place" in html
    assert 'id="id_email_error"' in html or "errorlist" in html
    assert Booking.objects.filter(session=session).count() == 1


def test_bad_email_is_refused(trainer_client, session):
    response = trainer_client.post(
        reverse("training:manage_booking_add", args=[session.pk]), {"email": "not an address"}
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_move_a_booking_promotes_the_waiting_list_of_the_old_session(
    trainer_client, course, session
):
    other = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=30))
    a, b, c = UserFactory.create_batch(3)
    first = book(session, a)
    book(session, b)
    waiting = book(session, c)
    response = trainer_client.post(
        reverse("training:manage_booking_move", args=[first.pk]), {"to_session": other.pk}
    )
    assert response.status_code == 302
    first.refresh_from_db(), waiting.refresh_from_db()
    assert first.ending == Booking.Ending.MOVED
    assert Booking.objects.get(session=other, person=a).status == "confirmed"
    assert waiting.status == "confirmed"


def test_move_to_a_session_of_another_course_is_refused(trainer_client, session, person):
    booking = book(session, person)
    elsewhere = SessionFactory()
    response = trainer_client.post(
        reverse("training:manage_booking_move", args=[booking.pk]), {"to_session": elsewhere.pk}
    )
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_move_to_where_they_are_already_booked_shows_the_reason(trainer_client, course, session):
    person = UserFactory(name="Double Booked")
    other = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=30))
    booking = book(session, person)
    book(other, person)
    response = trainer_client.post(
        reverse("training:manage_booking_move", args=[booking.pk]), {"to_session": other.pk}
    )
    assert response.status_code == 400
    assert "Double Booked already has a place" in response.content.decode()


def test_remove_frees_the_place_for_the_waiting_list(trainer_client, session):
    a, b, c = UserFactory.create_batch(3)
    first = book(session, a)
    book(session, b)
    waiting = book(session, c)
    response = trainer_client.post(reverse("training:manage_booking_remove", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db(), waiting.refresh_from_db()
    assert first.ending == Booking.Ending.REMOVED
    assert waiting.status == "confirmed"


def test_capacity_raise_promotes_and_too_low_is_refused_with_the_reason(trainer_client, session):
    people = UserFactory.create_batch(4)
    bookings = [book(session, p) for p in people]
    url = reverse("training:manage_session_capacity", args=[session.pk])

    response = trainer_client.post(url, {"capacity": "3"})
    assert response.status_code == 302
    bookings[2].refresh_from_db()
    assert bookings[2].status == "confirmed"

    response = trainer_client.post(url, {"capacity": "2"})
    assert response.status_code == 400
    assert "3 places are taken, so the capacity cannot go below 3" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_csv_lists_places_then_the_waiting_list_with_answers(trainer_client, course, session):
    question = BookingQuestion.objects.create(course=course, text="Access needs?")
    a, b, c = UserFactory.create_batch(3)
    book(session, a, {str(question.pk): "=HYPERLINK(1)"})
    book(session, b)
    book(session, c)
    response = trainer_client.get(reverse("training:manage_session_csv", args=[session.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["email"] for r in rows] == [a.email, b.email, c.email]
    assert [r["waiting list position"] for r in rows] == ["", "", "1"]
    assert rows[0]["Access needs?"] == "'=HYPERLINK(1)"  # not run as a formula


@pytest.mark.parametrize(
    "name,method",
    [
        ("manage_session", "get"),
        ("manage_session_csv", "get"),
        ("manage_booking_add", "post"),
        ("manage_session_capacity", "post"),
    ],
)
def test_session_pages_are_404_for_non_trainers(client, person, session, name, method):
    client.force_login(person)
    url = reverse(f"training:{name}", args=[session.pk])
    assert (
        getattr(client, method)(url, {"email": "x@example.org", "capacity": 9}).status_code == 404
    )
    session.refresh_from_db()
    assert session.capacity == 2 and not Booking.objects.exists()


def test_booking_actions_are_404_for_non_trainers(client, session, person):
    booking = book(session, person)
    other = UserFactory()
    client.force_login(other)
    for name in ("manage_booking_move", "manage_booking_remove", "manage_attendance"):
        url = reverse(f"training:{name}", args=[booking.pk])
        assert client.post(url, {"attended": "yes"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.attendance == ""


def test_booking_actions_do_nothing_on_get(trainer_client, session, person):
    booking = book(session, person)
    for name in ("manage_booking_move", "manage_attendance"):
        url = reverse(f"training:{name}", args=[booking.pk])
        assert trainer_client.get(url).status_code == 405
    # Remove asks first: its GET is the question, and changes nothing.
    url = reverse("training:manage_booking_remove", args=[booking.pk])
    assert trainer_client.get(url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def fill(session, course, n):
    """n people with places, n on the waiting list, each with an answer and an earlier no-show."""
    question, _ = BookingQuestion.objects.get_or_create(course=course, text="Access needs?")
    earlier = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=30))
    Session.objects.filter(pk=session.pk).update(capacity=session.places_taken + n)
    session.refresh_from_db()
    for _ in range(2 * n):
        p = UserFactory()
        BookingFactory(session=earlier, person=p, attendance=Booking.Attendance.NO_SHOW)
        book(session, p, {str(question.pk): "None"})


def test_session_page_query_count_does_not_grow_with_bookings(trainer_client, course):
    session = SessionFactory(course=course, capacity=1)
    SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=50))
    url = reverse("training:manage_session", args=[session.pk])
    fill(session, course, 1)
    trainer_client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        trainer_client.get(url)
    fill(session, course, 10)
    with CaptureQueriesContext(connection) as large:
        response = trainer_client.get(url)
    assert response.content.decode().count('class="row-actions"') == 2 * 11
    assert len(large) == len(small), [q["sql"] for q in large]


def test_move_to_starts_empty_and_asks_for_a_date(client, trainer):
    from guildbook.training.models import Booking as B

    course = CourseFactory()
    here = SessionFactory(course=course)
    SessionFactory(course=course, starts_at=here.starts_at + timedelta(days=7))
    booking = services.booking_create(session=here, person=UserFactory(), actor=None)
    client.force_login(trainer)
    page = client.get(reverse("training:manage_session", args=[here.pk])).content.decode()
    select = page.split(f'id="move-{booking.pk}"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="">Choose a date')
    response = client.post(reverse("training:manage_booking_move", args=[booking.pk]), {})
    assert response.status_code == 400
    assert "Choose the date to move them to." in response.content.decode()
    assert B.objects.get(pk=booking.pk).session_id == here.pk
