"""Booking through the API: places, the waiting list, my bookings, cancelling, and the
trainer's side (everyone on a session, removing someone, the register)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.training import services
from guildbook.training.models import Booking, BookingQuestion, Course, Session
from tests.api.conftest import assert_error
from tests.factories import CourseFactory, SessionFactory, UserFactory

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")


def url(session):
    return f"/api/v1/sessions/{session.pk}/bookings"


def book(session, person):
    return services.booking_create(session=session, person=person, actor=person)


# --- POST /sessions/{id}/bookings -----------------------------------------------------


def test_a_place_then_the_waiting_list(api_as, session):
    answers = []
    for person in UserFactory.create_batch(4):
        response = api_as(person).post(url(session))
        assert response.status_code == 201, response.content
        answers.append(response.json())
    assert [(a["status"], a["waiting_list_position"]) for a in answers] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waiting", 1),
        ("waiting", 2),
    ]
    first = Booking.objects.get(pk=answers[0]["id"])
    assert first.session == session and first.booked_by == first.person
    assert answers[0]["person"]["email"] == first.person.email
    session.refresh_from_db()
    assert session.places_taken == 2


def test_an_empty_json_object_is_the_same_as_no_body(learner_api, session, person):
    response = learner_api.post(url(session), {})
    assert response.status_code == 201
    assert response.json()["person"]["id"] == person.pk


def test_holding_a_place_or_a_waiting_list_entry_is_409(api_as, session):
    a, b, c = UserFactory.create_batch(3)
    for p in (a, b, c):
        assert api_as(p).post(url(session)).status_code == 201
    body = assert_error(api_as(a).post(url(session)), 409, "already_booked")
    assert "You already have a place" in body["detail"]
    body = assert_error(api_as(c).post(url(session)), 409, "already_booked")
    assert "waiting list" in body["detail"] and "number 1" in body["detail"]
    assert Booking.objects.filter(session=session).count() == 3


def test_booking_that_is_not_open_is_422_with_the_reason(learner_api, course, trainer):
    not_yet = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=200))
    body = assert_error(learner_api.post(url(not_yet)), 422, "booking_not_open")
    assert body["detail"].startswith("Booking opens on ")
    started = SessionFactory(course=course, starts_at=timezone.now() - timedelta(minutes=5))
    body = assert_error(learner_api.post(url(started)), 422, "booking_not_open")
    assert "already started" in body["detail"]
    cancelled = SessionFactory(course=course)
    services.session_cancel(session=cancelled, actor=trainer)
    body = assert_error(learner_api.post(url(cancelled)), 422, "booking_not_open")
    assert "cancelled" in body["detail"]
    closes = CourseFactory(booking_closes_hours=48)
    too_late = SessionFactory(course=closes, starts_at=timezone.now() + timedelta(hours=24))
    body = assert_error(learner_api.post(url(too_late)), 422, "booking_not_open")
    assert body["detail"].startswith("Booking closed on ")
    assert not Booking.objects.exists()


def test_a_full_session_without_a_waiting_list_is_422(db, api_as):
    session = SessionFactory(course=CourseFactory(waiting_list_enabled=False), capacity=1)
    assert api_as(UserFactory()).post(url(session)).status_code == 201
    body = assert_error(api_as(UserFactory()).post(url(session)), 422, "full")
    assert "no waiting list" in body["detail"]


def test_a_session_the_caller_cannot_see_is_404(learner_api):
    closed = SessionFactory(course=CourseFactory(visibility=Course.Visibility.CLOSED))
    assert_error(learner_api.post(url(closed)), 404, "not_found")
    assert_error(learner_api.post("/api/v1/sessions/987654/bookings"), 404, "not_found")
    assert not Booking.objects.exists()


def test_a_trainer_books_someone_new_by_email(trainer_api, trainer, session):
    response = trainer_api.post(
        url(session), {"email": "  New.Person@Example.NHS.uk ", "name": "Nia Newcomer"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = User.objects.get(email="new.person@example.nhs.uk")
    assert person.name == "Nia Newcomer"
    assert body["person"] == {"id": person.pk, "email": person.email, "name": "Nia Newcomer"}
    booking = Booking.objects.get(pk=body["id"])
    assert (booking.person, booking.booked_by, booking.status) == (person, trainer, "confirmed")
    assert_error(trainer_api.post(url(session), {"email": person.email}), 409, "already_booked")


def test_a_trainer_may_book_someone_before_booking_opens(trainer_api, person, course):
    not_yet = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=200))
    response = trainer_api.post(url(not_yet), {"email": person.email})
    assert response.status_code == 201, response.content


def test_a_learner_cannot_book_someone_else(learner_api, session, person):
    other = UserFactory(email="other@example.nhs.uk")
    assert_error(learner_api.post(url(session), {"email": other.email}), 403, "not_allowed")
    assert_error(learner_api.post(url(session), {"email": "new@example.nhs.uk"}), 403)
    assert not Booking.objects.exists()
    assert not User.objects.filter(email="new@example.nhs.uk").exists()
    # Their own address (in any case) is simply booking themselves.
    response = learner_api.post(url(session), {"email": person.email.upper()})
    assert response.status_code == 201
    assert response.json()["person"]["id"] == person.pk


def test_a_bad_email_is_refused_with_the_field(trainer_api, session):
    assert_error(trainer_api.post(url(session), {"email": "not-an-address"}), 400, field="email")


def test_answers_to_booking_questions(learner_api, session):
    first_time = BookingQuestion.objects.create(
        course=session.course, text="Is this your first time?", kind="yes_no", required=True
    )
    hopes = BookingQuestion.objects.create(course=session.course, text="What do you hope for?")
    body = assert_error(learner_api.post(url(session), {"answers": {}}), 400)
    assert body["field"] == f"answers.{first_time.pk}"
    body = assert_error(
        learner_api.post(url(session), {"answers": {str(first_time.pk): "perhaps"}}), 400
    )
    assert body["field"] == f"answers.{first_time.pk}"
    response = learner_api.post(
        url(session), {"answers": {str(first_time.pk): True, str(hopes.pk): "Find journals"}}
    )
    assert response.status_code == 201, response.content
    answers = Booking.objects.get(pk=response.json()["id"]).answers
    assert answers[str(first_time.pk)]["answer"] == "yes"
    assert answers[str(hopes.pk)]["answer"] == "Find journals"


# --- GET /me/bookings -----------------------------------------------------------------


def test_my_bookings_are_mine_only_with_positions_and_links(api_as, person, course):
    online = SessionFactory(course=course, capacity=1, online_link="https://meet.example/abc")
    later = SessionFactory(
        course=course,
        capacity=1,
        starts_at=timezone.now() + timedelta(days=20),
        online_link="https://meet.example/xyz",
    )
    book(online, person)
    book(later, UserFactory())
    book(later, UserFactory())
    mine_waiting = book(later, person)
    book(SessionFactory(course=course), UserFactory())  # someone else's booking elsewhere

    body = api_as(person).get("/api/v1/me/bookings").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["session"]["id"] == online.pk
    assert (first["status"], first["waiting_list_position"]) == ("confirmed", None)
    assert first["online_link"] == "https://meet.example/abc"
    assert first["session"]["course"]["slug"] == course.slug
    assert second["id"] == mine_waiting.pk
    assert (second["status"], second["waiting_list_position"]) == ("waiting", 2)
    assert second["online_link"] is None  # only for people with a place


def test_my_bookings_include_cancelled_ones_and_can_be_limited_to_upcoming(api_as, person):
    session = SessionFactory(capacity=5)
    booking = book(session, person)
    services.booking_cancel(booking=booking, actor=person)
    body = api_as(person).get("/api/v1/me/bookings").json()
    assert [(i["id"], i["status"]) for i in body["items"]] == [(booking.pk, "cancelled")]
    past = SessionFactory(starts_at=timezone.now() - timedelta(days=10))
    Booking.objects.create(
        session=past, person=person, status="confirmed", confirmed_at=past.starts_at
    )
    assert api_as(person).get("/api/v1/me/bookings").json()["count"] == 2
    upcoming = api_as(person).get("/api/v1/me/bookings", {"upcoming": "true"}).json()
    assert [i["id"] for i in upcoming["items"]] == [booking.pk]


def test_my_bookings_take_the_same_number_of_queries_at_1x_and_10x(api_as, person):
    client = api_as(person)
    client.get("/api/v1/me/bookings")

    def add(n):
        for _ in range(n):
            session = SessionFactory(capacity=1)
            book(session, UserFactory())
            book(session, UserFactory())
            book(session, person)  # waiting, position 2

    def measure(expected):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/api/v1/me/bookings", {"limit": 200}).json()
        assert body["count"] == expected
        assert {i["waiting_list_position"] for i in body["items"]} == {2}
        return len(ctx.captured_queries)

    add(1)
    at_1x = measure(1)
    add(9)
    assert measure(10) == at_1x


# --- GET /bookings/{id}, POST /bookings/{id}/cancel ----------------------------------


def test_cancel_my_place_promotes_the_waiting_list(api_as, session):
    a, b, c = UserFactory.create_batch(3)
    mine = api_as(a).post(url(session)).json()
    api_as(b).post(url(session))
    waiting = api_as(c).post(url(session)).json()
    response = api_as(a).post(f"/api/v1/bookings/{mine['id']}/cancel")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": mine["id"], "status": "cancelled", "late": False}
    promoted = api_as(c).get(f"/api/v1/bookings/{waiting['id']}").json()
    assert (promoted["status"], promoted["waiting_list_position"]) == ("confirmed", None)


def test_a_cancellation_inside_the_window_is_late(learner_api, course):
    soon = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=5))
    booking = learner_api.post(url(soon)).json()
    body = learner_api.post(f"/api/v1/bookings/{booking['id']}/cancel").json()
    assert body == {"id": booking["id"], "status": "cancelled", "late": True}


def test_leaving_the_waiting_list_is_never_late(api_as, course):
    soon = SessionFactory(course=course, capacity=1, starts_at=timezone.now() + timedelta(hours=5))
    book(soon, UserFactory())
    waiter = UserFactory()
    booking = api_as(waiter).post(url(soon)).json()
    assert booking["status"] == "waiting"
    body = api_as(waiter).post(f"/api/v1/bookings/{booking['id']}/cancel").json()
    assert body["late"] is False
    assert Booking.objects.get(pk=booking["id"]).ending == "left_waiting_list"


def test_cancelling_twice_is_refused(learner_api, session):
    booking = learner_api.post(url(session)).json()
    learner_api.post(f"/api/v1/bookings/{booking['id']}/cancel")
    body = assert_error(learner_api.post(f"/api/v1/bookings/{booking['id']}/cancel"), 400)
    assert body["code"] == "not_active"


def test_another_persons_booking_is_404(learner_api, trainer_api, session):
    theirs = book(session, UserFactory())
    for path in (f"/api/v1/bookings/{theirs.pk}", f"/api/v1/bookings/{theirs.pk}/cancel"):
        method = learner_api.get if path.endswith(str(theirs.pk)) else learner_api.post
        body = assert_error(method(path), 404, "not_found")
        assert theirs.person.email not in body["detail"]
    # Trainers may open it, but /cancel is only for one's own bookings.
    assert trainer_api.get(f"/api/v1/bookings/{theirs.pk}").json()["id"] == theirs.pk
    assert_error(trainer_api.post(f"/api/v1/bookings/{theirs.pk}/cancel"), 404)
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"
    # And a booking that does not exist looks the same.
    assert_error(learner_api.post("/api/v1/bookings/999999/cancel"), 404, "not_found")


# --- the trainer's side ---------------------------------------------------------------


def test_a_trainer_removes_someone_and_the_place_goes_on(trainer_api, learner_api, session):
    a, b, c = UserFactory.create_batch(3)
    first, _, waiting = (book(session, p) for p in (a, b, c))
    assert_error(learner_api.post(f"/api/v1/bookings/{first.pk}/remove"), 403, "not_allowed")
    response = trainer_api.post(f"/api/v1/bookings/{first.pk}/remove")
    assert response.json() == {"id": first.pk, "status": "cancelled", "late": False}
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.ending == "removed"
    assert waiting.status == "confirmed"
    assert_error(trainer_api.post("/api/v1/bookings/999999/remove"), 404)


def test_everyone_on_a_session_for_the_trainer(trainer_api, learner_api, session):
    people = [UserFactory(name=f"Person {n}") for n in range(5)]
    bookings = [book(session, p) for p in people]
    services.booking_cancel(booking=bookings[4], actor=people[4])

    assert_error(learner_api.get(url(session)), 403, "not_allowed")
    items = trainer_api.get(url(session)).json()
    assert [(i["person"]["email"], i["status"], i["waiting_list_position"]) for i in items] == [
        (people[0].email, "confirmed", None),
        (people[1].email, "confirmed", None),
        (people[2].email, "waiting", 1),
        (people[3].email, "waiting", 2),
    ]
    assert items[0]["person"]["name"] == "Person 0"
    assert items[0]["attendance"] is None
    everyone = trainer_api.get(url(session), {"include_cancelled": "true"}).json()
    assert everyone[-1]["id"] == bookings[4].pk and everyone[-1]["status"] == "cancelled"
    assert_error(trainer_api.get("/api/v1/sessions/999999/bookings"), 404)


def test_the_session_list_for_a_trainer_is_a_constant_number_of_queries(trainer_api, session):
    trainer_api.get(url(session))

    def measure(expected):
        with CaptureQueriesContext(connection) as ctx:
            items = trainer_api.get(url(session)).json()
        assert len(items) == expected
        return len(ctx.captured_queries)

    book(session, UserFactory())
    at_1x = measure(1)
    for p in UserFactory.create_batch(9):
        book(session, p)
    assert measure(10) == at_1x


@pytest.fixture
def starting_soon(course):
    # Booking is open until the start; marks are taken from the start (`started`).
    return SessionFactory(
        course=course, capacity=1, starts_at=timezone.now() + timedelta(minutes=30)
    )


def started(session):
    """The session began five minutes ago (after its places were booked)."""
    begun = timezone.now() - timedelta(minutes=5)
    Session.objects.filter(pk=session.pk).update(
        starts_at=begun, ends_at=begun + timedelta(hours=1)
    )


def test_a_trainer_marks_attendance(trainer_api, learner_api, starting_soon, person, trainer):
    booking = book(starting_soon, person)
    started(starting_soon)
    path = f"/api/v1/bookings/{booking.pk}/attendance"
    assert_error(learner_api.post(path, {"attended": True}), 403, "not_allowed")
    response = trainer_api.post(path, {"attended": True, "arrived_late": True})
    assert response.json() == {
        "id": booking.pk,
        "status": "confirmed",
        "attendance": "attended",
        "arrived_late": True,
    }
    body = trainer_api.post(path, {"attended": False}).json()
    assert (body["attendance"], body["arrived_late"]) == ("no_show", False)
    listed = trainer_api.get(url(starting_soon)).json()
    assert listed[0]["attendance"] == "no_show"
    booking.refresh_from_db()
    assert booking.attendance == "no_show"


def test_attendance_is_only_for_places_and_only_once_the_register_opens(
    trainer_api, starting_soon, session
):
    book(starting_soon, UserFactory())
    waiting = book(starting_soon, UserFactory())
    body = assert_error(
        trainer_api.post(f"/api/v1/bookings/{waiting.pk}/attendance", {"attended": True}), 400
    )
    assert body["field"] == "attended"
    early = book(session, UserFactory())
    body = assert_error(
        trainer_api.post(f"/api/v1/bookings/{early.pk}/attendance", {"attended": True}), 400
    )
    assert "once the session starts" in body["detail"]
    assert_error(
        trainer_api.post(f"/api/v1/bookings/{early.pk}/attendance", {}), 422, field="attended"
    )
    assert_error(trainer_api.post("/api/v1/bookings/999999/attendance", {"attended": True}), 404)


def test_my_bookings_shows_an_offered_place_with_its_expiry(db):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from guildbook.accounts.services import api_token_create, user_create
    from guildbook.training import services
    from guildbook.training.models import Course
    from tests.factories import CourseFactory, SessionFactory

    course = CourseFactory(waiting_list_mode="offer", visibility=Course.Visibility.PUBLIC)
    session = SessionFactory(
        course=course, capacity=1, starts_at=timezone.now() + timedelta(days=20)
    )
    first, second = (user_create(email=f"p{i}@x.example", name=f"P{i}") for i in (1, 2))
    held = services.booking_create(session=session, person=first, actor=first)
    services.booking_create(session=session, person=second, actor=second)
    services.booking_cancel(booking=held, actor=first)
    _token, secret = api_token_create(user=second)
    items = (
        Client().get("/api/v1/me/bookings", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]
    )
    assert [(b["status"], b["offer_expires_at"] is not None) for b in items] == [("offered", True)]
