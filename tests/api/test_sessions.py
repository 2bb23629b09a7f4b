"""GET and POST /api/v1/sessions."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.core.audit import audit_trail
from guildbook.training import services
from guildbook.training.models import Course, Session
from tests.api.conftest import assert_error
from tests.factories import CourseFactory, SessionFactory, UserFactory, directory_team


def book(session, person):
    return services.booking_create(session=session, person=person, actor=person)


def test_a_session_has_the_documented_fields(learner_api, session):
    a, b, c = UserFactory.create_batch(3)
    for p in (a, b, c):
        book(session, p)
    response = learner_api.get("/api/v1/sessions")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == {
        "id",
        "course",
        "starts_at",
        "ends_at",
        "capacity",
        "places_left",
        "waiting_list_length",
        "status",
        "venue",
        "online",
        "url",
    }
    assert item["id"] == session.pk
    assert item["course"] == {
        "id": session.course.pk,
        "slug": "get-tweeting",
        "title": "Get Tweeting",
    }
    assert (item["capacity"], item["places_left"], item["waiting_list_length"]) == (2, 0, 1)
    assert item["status"] == "scheduled"
    assert item["venue"] == "Staff Library, Education Centre"
    assert item["url"].endswith(f"/sessions/{session.pk}/")


def test_sessions_of_courses_the_caller_cannot_see_are_not_listed(learner_api, trainer_api):
    staff = SessionFactory(course=CourseFactory(visibility=Course.Visibility.STAFF))
    public = SessionFactory(course=CourseFactory(visibility=Course.Visibility.PUBLIC))
    closed = SessionFactory(course=CourseFactory(visibility=Course.Visibility.CLOSED))
    archived = SessionFactory(course=CourseFactory(status=Course.Status.ARCHIVED))

    def ids(client):
        return {i["id"] for i in client.get("/api/v1/sessions").json()["items"]}

    assert ids(learner_api) == {staff.pk, public.pk}
    assert ids(trainer_api) == {staff.pk, public.pk, closed.pk}
    assert archived.pk not in ids(trainer_api)
    assert_error(learner_api.get(f"/api/v1/sessions/{closed.pk}"), 404, "not_found")
    assert trainer_api.get(f"/api/v1/sessions/{closed.pk}").json()["id"] == closed.pk


def test_filter_by_course_id_or_slug(learner_api, session):
    other = SessionFactory()
    for ref in (str(session.course.pk), "get-tweeting"):
        items = learner_api.get("/api/v1/sessions", {"course": ref}).json()["items"]
        assert [i["id"] for i in items] == [session.pk], ref
    assert learner_api.get("/api/v1/sessions", {"course": "no-such"}).json()["count"] == 0
    assert learner_api.get("/api/v1/sessions", {"course": other.course.slug}).json()["count"] == 1


def test_filter_by_local_dates_and_default_from_today(learner_api, course):
    tz = timezone.get_current_timezone()

    def at(day, hour):
        return SessionFactory(
            course=course,
            starts_at=datetime.combine(day, datetime.min.time(), tz).replace(hour=hour),
        )

    today = timezone.localdate()
    past = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=3))
    d1, d2, d3 = (today + timedelta(days=n) for n in (10, 11, 12))
    early, late, next_day, after = at(d1, 0), at(d1, 23), at(d2, 9), at(d3, 9)

    def ids(**params):
        return [i["id"] for i in learner_api.get("/api/v1/sessions", params).json()["items"]]

    assert past.pk not in ids()
    assert ids() == [early.pk, late.pk, next_day.pk, after.pk]
    assert ids(**{"from": d1.isoformat(), "to": d1.isoformat()}) == [early.pk, late.pk]
    assert ids(**{"from": d2.isoformat()}) == [next_day.pk, after.pk]
    assert ids(**{"to": d2.isoformat()}) == [early.pk, late.pk, next_day.pk]
    assert past.pk in ids(**{"from": (today - timedelta(days=5)).isoformat()})


def test_cancelled_sessions_are_listed_with_their_status(learner_api, trainer, course):
    kept = SessionFactory(course=course)
    dropped = SessionFactory(course=course)
    services.session_cancel(session=dropped, actor=trainer)
    items = learner_api.get("/api/v1/sessions").json()["items"]
    assert {i["id"]: i["status"] for i in items} == {kept.pk: "scheduled", dropped.pk: "cancelled"}
    scheduled = learner_api.get("/api/v1/sessions", {"status": "scheduled"}).json()
    assert [i["id"] for i in scheduled["items"]] == [kept.pk]


def test_pages_with_limit_and_offset(learner_api, course):
    start = timezone.now() + timedelta(days=2)
    made = [SessionFactory(course=course, starts_at=start + timedelta(days=n)) for n in range(7)]
    first = learner_api.get("/api/v1/sessions", {"limit": 3}).json()
    assert (first["count"], first["limit"], first["offset"]) == (7, 3, 0)
    assert [i["id"] for i in first["items"]] == [s.pk for s in made[:3]]
    last = learner_api.get("/api/v1/sessions", {"limit": 3, "offset": 6}).json()
    assert [i["id"] for i in last["items"]] == [made[6].pk]
    assert learner_api.get("/api/v1/sessions").json()["limit"] == 50


def _scene(n_courses: int):
    """n courses, each with 2 sessions that have places, bookings and a waiting list."""
    for _ in range(n_courses):
        course = CourseFactory()
        for _ in range(2):
            s = SessionFactory(course=course, capacity=1)
            for p in UserFactory.create_batch(2):
                book(s, p)


@pytest.mark.parametrize("as_trainer", [False, True])
def test_the_list_takes_the_same_number_of_queries_at_1x_and_10x(db, api_as, as_trainer):
    caller = UserFactory(role="trainer" if as_trainer else None)
    client = api_as(caller)
    client.get("/api/v1/sessions")  # first use of the token records its last-use time

    def measure(expected_count):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/sessions", {"limit": 200})
        body = response.json()
        assert body["count"] == expected_count
        assert all(i["waiting_list_length"] == 1 for i in body["items"])
        return len(ctx.captured_queries)

    _scene(1)
    at_1x = measure(2)
    _scene(9)
    at_10x = measure(20)
    assert at_1x == at_10x
    assert at_1x <= 6


# --- POST /sessions ----------------------------------------------------------------


def test_a_trainer_schedules_a_session(trainer_api, trainer, course):
    starts = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    response = trainer_api.post(
        "/api/v1/sessions",
        {
            "course": "get-tweeting",
            "starts_at": starts.isoformat(),
            "capacity": 15,
            "venue": "Room 2",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    session = Session.objects.get(pk=body["id"])
    assert session.starts_at == starts
    assert session.ends_at == starts + timedelta(minutes=course.duration_minutes)
    assert (session.capacity, session.venue) == (15, "Room 2")
    assert (body["places_left"], body["waiting_list_length"]) == (15, 0)
    assert [e.action for e in audit_trail(session)] == ["session_created"]
    assert audit_trail(session).first().actor == trainer


def test_a_time_without_an_offset_is_read_in_local_time(trainer_api, course):
    day = timezone.localdate() + timedelta(days=200)  # summer or winter, whichever it is
    response = trainer_api.post(
        "/api/v1/sessions",
        {
            "course": course.pk,
            "starts_at": f"{day.isoformat()}T10:00:00",
            "capacity": 3,
            "venue": "Staff Library",
        },
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 10, 0)
    assert response.json()["starts_at"].startswith(f"{day.isoformat()}T10:00:00")


def test_only_trainers_schedule_sessions(learner_api, course):
    starts = (timezone.now() + timedelta(days=30)).isoformat()
    response = learner_api.post("/api/v1/sessions", {"course": course.pk, "starts_at": starts})
    assert_error(response, 403, "not_allowed")
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"course": "no-such-course"}, "course"),
        ({"course": 999999}, "course"),
        ({"ends_at": "2000-01-01T00:00:00Z"}, "ends_at"),
        ({"online_link": "not a link"}, "online_link"),
    ],
)
def test_bad_sessions_are_refused_with_the_field(trainer_api, course, change, field):
    starts = (timezone.now() + timedelta(days=30)).isoformat()
    body = {"course": course.pk, "starts_at": starts, **change}
    assert_error(trainer_api.post("/api/v1/sessions", body), 400, field=field)
    assert not Session.objects.exists()


def test_capacity_below_one_is_refused(trainer_api, course):
    starts = (timezone.now() + timedelta(days=30)).isoformat()
    body = {"course": course.pk, "starts_at": starts, "capacity": 0}
    assert_error(trainer_api.post("/api/v1/sessions", body), 422, "invalid", field="capacity")


def test_a_trainer_opens_a_closed_session_to_everyone(trainer_api, learner_api, course):
    closed = SessionFactory(course=course, for_team=directory_team("School nursing"))
    listed = lambda: [s["id"] for s in learner_api.get("/api/v1/sessions").json()["items"]]  # noqa: E731
    assert closed.pk not in listed()
    assert_error(learner_api.post(f"/api/v1/sessions/{closed.pk}/open"), 403)
    response = trainer_api.post(f"/api/v1/sessions/{closed.pk}/open")
    assert response.status_code == 200 and response.json()["id"] == closed.pk
    assert closed.pk in listed()
    assert audit_trail(closed).filter(action="session_opened_to_all").exists()
    again = assert_error(trainer_api.post(f"/api/v1/sessions/{closed.pk}/open"), 400)
    assert again["detail"] == "This session is already open to everyone."
