"""Each kind of status has its own named enum in the OpenAPI document, so the document
describes courses, sessions and bookings as they are answered and filtered."""

import pytest

from guildbook.training.models import Booking, Course, Session

pytestmark = pytest.mark.django_db


def _resolve(spec, schema):
    if "anyOf" in schema:  # an optional parameter: the enum or null
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_each_status_is_its_own_named_enum(anonymous_api):
    spec = anonymous_api.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["CourseStatus"]["enum"] == list(Course.Status.values)
    assert schemas["SessionStatus"]["enum"] == list(Session.Status.values)
    assert schemas["BookingStatus"]["enum"] == list(Booking.Status.values)
    assert "Status" not in schemas
    assert not [name for name in schemas if "__" in name]  # no module-path names

    def status_of(name):
        return _resolve(spec, schemas[name]["properties"]["status"])["enum"]

    assert status_of("CourseOut") == list(Course.Status.values)
    assert status_of("SessionOut") == list(Session.Status.values)
    assert status_of("SessionBrief") == list(Session.Status.values)
    for name in ("BookingCreatedOut", "SessionBookingOut", "MyBookingOut", "BookingEndedOut"):
        assert status_of(name) == list(Booking.Status.values), name
    sessions = spec["paths"]["/api/v1/sessions"]["get"]
    status = next(p for p in sessions["parameters"] if p["name"] == "status")
    assert _resolve(spec, status["schema"])["enum"] == list(Session.Status.values)


def test_the_documented_session_filter_works(learner_api, session):
    for value in Session.Status.values:
        response = learner_api.get("/api/v1/sessions", {"status": value})
        assert response.status_code == 200, response.content
    assert learner_api.get("/api/v1/sessions", {"status": "confirmed"}).status_code == 422
