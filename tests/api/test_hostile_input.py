"""Input an audit sent to the API that used to answer 500: each now answers a clear 4xx in
the usual JSON shape, and nothing is saved. Limits are the same as on the web pages."""

import json

import pytest
from django.conf import settings

from guildbook.accounts.services import user_create
from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import Booking, BookingQuestion, Session
from tests.api.conftest import ApiClient, assert_error
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63  # one above the largest 64-bit integer
NUL = "before\x00after"


def _paged_lists() -> list[str]:
    """Every list in the API that takes an offset and no path parameter."""
    from guildbook.api.urls import api

    spec = api.get_openapi_schema()
    return sorted(
        f"/api/v1{path}" if not path.startswith("/api/") else path
        for path, operations in spec["paths"].items()
        if "{" not in path
        and any(p["name"] == "offset" for p in operations.get("get", {}).get("parameters", []))
    )


def test_the_paged_lists_are_found():
    assert {"/api/v1/courses", "/api/v1/mentors", "/api/v1/schemes"} <= set(_paged_lists())


@pytest.mark.parametrize("path", _paged_lists())
@pytest.mark.parametrize("offset", [TOO_BIG, 10**30])
def test_an_offset_beyond_any_list_is_422(learner_api, path, offset):
    body = assert_error(learner_api.get(path, {"offset": offset}), 422, "invalid")
    assert body["field"] == "offset"


def test_a_large_but_valid_offset_is_an_empty_page(learner_api):
    body = learner_api.get("/api/v1/courses", {"offset": 2**31 - 1}).json()
    assert body["items"] == []


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/sessions/{id}"),
        ("post", "/api/v1/sessions/{id}/bookings"),
        ("get", "/api/v1/sessions/{id}/bookings"),
        ("post", "/api/v1/sessions/{id}/open"),
        ("get", "/api/v1/bookings/{id}"),
        ("post", "/api/v1/bookings/{id}/cancel"),
        ("post", "/api/v1/bookings/{id}/remove"),
    ],
)
@pytest.mark.parametrize("pk", [TOO_BIG, 10**40])
def test_an_id_beyond_any_row_is_404(trainer_api, method, path, pk):
    response = getattr(trainer_api.client, method)(
        path.format(id=pk), content_type="application/json", headers=trainer_api.headers
    )
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("ref", ["³", "١٢", str(TOO_BIG), "9" * 40])
def test_a_course_reference_that_is_no_id_matches_nothing(trainer_api, ref):
    CourseFactory()
    assert trainer_api.get("/api/v1/sessions", {"course": ref}).json()["items"] == []
    assert_error(trainer_api.get("/api/v1/surveys/results", {"course": ref}), 404)
    body = assert_error(
        trainer_api.post("/api/v1/sessions", {"course": ref, "starts_at": "2030-01-01T10:00"}),
        400,
    )
    assert body["field"] == "course"


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:00Z",
        "9999-12-31T23:59:59",
        "0065-01-01T10:00Z",
        "0001-01-01T00:00",
        "1969-12-31T10:00Z",
    ],
)
def test_a_session_time_outside_sane_years_is_refused(trainer_api, course, starts_at):
    response = trainer_api.post("/api/v1/sessions", {"course": course.pk, "starts_at": starts_at})
    body = assert_error(response, 400)
    assert body["field"] == "starts_at"
    assert not Session.objects.filter(course=course).exists()


def test_an_end_outside_sane_years_is_refused(trainer_api, course):
    response = trainer_api.post(
        "/api/v1/sessions",
        {"course": course.pk, "starts_at": "2030-01-01T10:00", "ends_at": "9999-12-31T23:59Z"},
    )
    assert assert_error(response, 400)["field"] == "ends_at"


def test_a_body_over_the_upload_limit_is_413(learner_api, session):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = learner_api.post(f"/api/v1/sessions/{session.pk}/bookings", {"name": big})
    assert_error(response, 413, "too_large")
    assert not Booking.objects.filter(session=session).exists()


@pytest.mark.parametrize("raw", ["[]", "[1, 2]", '"text"', "42", "true", "null"])
def test_a_body_that_is_not_an_object_is_422(learner_api, session, raw):
    response = learner_api.post(f"/api/v1/sessions/{session.pk}/bookings", raw=raw)
    assert_error(response, 422, "invalid")
    assert not Booking.objects.filter(session=session).exists()


def test_a_booking_answer_with_a_nul_character_is_refused(learner_api, session):
    hopes = BookingQuestion.objects.create(course=session.course, text="What do you hope for?")
    response = learner_api.post(
        f"/api/v1/sessions/{session.pk}/bookings", {"answers": {str(hopes.pk): NUL}}
    )
    body = assert_error(response, 422)
    assert body["field"] == f"answers.{hopes.pk}"
    assert not Booking.objects.filter(session=session).exists()
    # The service refuses it too, for every other way in.
    with pytest.raises(ServiceError) as caught:
        services.booking_answers_clean(session.course, {str(hopes.pk): NUL})
    assert caught.value.field == f"q{hopes.pk}"


def test_a_booking_answer_over_the_web_forms_limit_is_refused_not_cut(learner_api, session):
    hopes = BookingQuestion.objects.create(course=session.course, text="What do you hope for?")
    url = f"/api/v1/sessions/{session.pk}/bookings"
    body = assert_error(learner_api.post(url, {"answers": {str(hopes.pk): "x" * 100_000}}), 400)
    assert body["field"] == f"answers.{hopes.pk}" and "2000" in body["detail"]
    assert not Booking.objects.filter(session=session).exists()
    response = learner_api.post(url, {"answers": {str(hopes.pk): "x" * 2000}})
    assert response.status_code == 201


def test_a_name_with_a_nul_character_is_refused(trainer_api, session):
    response = trainer_api.post(
        f"/api/v1/sessions/{session.pk}/bookings", {"email": "new@example.nhs.uk", "name": NUL}
    )
    assert assert_error(response, 422)["field"] == "name"
    with pytest.raises(ServiceError):
        user_create(email="new@example.nhs.uk", name=NUL)
    assert not Booking.objects.filter(session=session).exists()


def test_query_text_with_a_nul_character_is_not_a_server_error(learner_api):
    response = learner_api.get("/api/v1/sessions", {"course": NUL})
    assert response.status_code == 200 and response.json()["items"] == []


def test_the_errors_are_json(learner_api, session):
    response = learner_api.post(f"/api/v1/sessions/{session.pk}/bookings", raw="[]")
    assert json.loads(response.content)["code"] == "invalid"
    assert ApiClient  # the shared client sends the token on every request


def test_a_post_to_an_address_no_operation_has_is_a_json_404(learner_api):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/sessions/0.5/bookings",
        "{}",
        content_type="application/json",
        headers=learner_api.headers,
    )
    assert_error(response, 404, "not_found")


def test_a_nul_character_anywhere_in_a_body_is_422_with_its_field(trainer_api, course):
    response = trainer_api.post("/api/v1/courses", {"title": "Get\x00 Tweeting", "summary": "S"})
    assert assert_error(response, 422, "invalid")["field"] == "title"
    response = trainer_api.post(
        "/api/v1/courses", {"title": "T", "summary": "S", "tags": ["a", "b\x00"]}
    )
    assert assert_error(response, 422, "invalid")["field"] == "tags.1"
    # A backslash followed by "u0000" is ordinary text.
    response = trainer_api.post("/api/v1/courses", {"title": "Path \\u0000", "summary": "S"})
    assert response.status_code == 201, response.content
