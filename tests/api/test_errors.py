"""The error format, authentication and the OpenAPI document."""

import json
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from guildbook.accounts.services import api_token_create, api_token_revoke
from tests.api.conftest import ApiClient, assert_error


def operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for route, methods in spec["paths"].items():
        for method, op in methods.items():
            yield route, method, op


def concrete(route: str) -> str:
    # Every path parameter ({session_id}, {candidacy_id}...) is an id.
    return re.sub(r"\{[a-z_]+\}", "1", route)


def test_every_operation_needs_a_token(db, anonymous_api):
    seen = 0
    for route, method, _ in operations(anonymous_api):
        response = anonymous_api.request(method, concrete(route))
        body = assert_error(response, 401, "unauthenticated", field=None)
        assert "Bearer" in body["detail"]
        assert response["WWW-Authenticate"] == "Bearer"
        seen += 1
    assert seen >= 10


@pytest.mark.parametrize(
    "header",
    ["Bearer gb_not-a-real-token", "Bearer ", "Token abc", "gb_abc", "Basic dXNlcjpwYXNz"],
)
def test_a_bad_authorization_header_is_401(db, header):
    client = ApiClient()
    client.headers["Authorization"] = header
    assert_error(client.get("/api/v1/courses"), 401, "unauthenticated")


def test_a_revoked_token_is_401(person):
    token, secret = api_token_create(user=person)
    client = ApiClient(token=secret)
    assert client.get("/api/v1/courses").status_code == 200
    api_token_revoke(token=token, actor=person)
    assert_error(client.get("/api/v1/courses"), 401, "unauthenticated")


def test_an_inactive_persons_token_is_401(person):
    client = ApiClient(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/me/bookings"), 401)


def test_a_session_cookie_alone_does_not_authenticate(person, client):
    client.force_login(person)
    assert_error(client.get("/api/v1/me/bookings"), 401, "unauthenticated")


def test_unknown_addresses_are_json_404(learner_api):
    for url in ["/api/v1/nothing-here", "/api/v1/courses/", "/api/v1/sessions/abc"]:
        assert_error(learner_api.get(url), 404, "not_found", field=None)


def test_a_wrong_method_is_json_405_with_allow(learner_api):
    response = learner_api.request("DELETE", "/api/v1/courses")
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_error(learner_api.request("PUT", "/api/v1/me/bookings"), 405)
    assert_error(learner_api.get("/api/v1/bookings/1/cancel"), 405)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2", "\xff\xfe", '{"email": }'])
def test_malformed_json_is_400(learner_api, session, raw):
    response = learner_api.post(f"/api/v1/sessions/{session.pk}/bookings", raw=raw)
    assert_error(response, 400, "malformed_json", field=None)


def test_a_body_of_the_wrong_shape_is_422_naming_the_field(trainer_api):
    body = assert_error(
        trainer_api.post("/api/v1/courses", {"title": "T", "summary": "S", "level": "expert"}),
        422,
        "invalid",
        field="level",
    )
    assert body["detail"].startswith("level:")
    assert_error(trainer_api.post("/api/v1/courses", [1, 2]), 422, "invalid")
    assert_error(trainer_api.post("/api/v1/courses"), 422, "invalid", field=None)


def test_bad_query_parameters_are_422(learner_api):
    assert_error(learner_api.get("/api/v1/sessions", {"from": "next tuesday"}), 422, field="from")
    assert_error(learner_api.get("/api/v1/sessions", {"limit": "0"}), 422, field="limit")
    assert_error(learner_api.get("/api/v1/sessions", {"limit": "201"}), 422, field="limit")
    assert_error(learner_api.get("/api/v1/sessions", {"status": "maybe"}), 422, field="status")


def test_an_unexpected_error_is_still_json(learner_api, monkeypatch):
    from guildbook.training import selectors

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "courses_visible_to", broken)
    body = assert_error(learner_api.get("/api/v1/courses"), 500, "server_error")
    assert "boom" not in body["detail"]


# --- OpenAPI -------------------------------------------------------------------------


def test_openapi_document_is_public_and_describes_auth_and_errors(anonymous_api, db):
    response = anonymous_api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    schemes = spec["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]
    scheme_name = next(iter(schemes))
    schemas = spec["components"]["schemas"]
    for name in ["ErrorOut", "SessionOut", "CourseOut", "BookingIn", "BookingCreatedOut"]:
        assert name in schemas
    assert set(schemas["ErrorOut"]["properties"]) == {"detail", "field", "code"}
    for route, method, op in operations(anonymous_api):
        assert op["security"] == [{scheme_name: []}], (route, method)
        assert "401" in op["responses"], (route, method)
        assert route.startswith("/api/v1/")
    sessions = spec["paths"]["/api/v1/sessions"]["get"]
    params = {p["name"] for p in sessions["parameters"]}
    assert {"course", "from", "to", "limit", "offset"} <= params
    booking = spec["paths"]["/api/v1/sessions/{session_id}/bookings"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(booking["responses"])


def test_openapi_refs_all_resolve(anonymous_api, db):
    spec = anonymous_api.get("/api/v1/openapi.json").json()
    text = json.dumps(spec)
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    refs.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    assert refs, text[:200]
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in spec["components"]["schemas"], ref


def test_openapi_document_validates_against_the_specification(anonymous_api, db):
    validator = pytest.importorskip("openapi_spec_validator")
    spec = anonymous_api.get("/api/v1/openapi.json").json()
    validator.validate(spec)


def test_the_api_root_says_where_the_document_is(anonymous_api, db):
    response = anonymous_api.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["openapi"] == "/api/v1/openapi.json"


def test_times_are_answered_in_the_service_time_zone(learner_api, session):
    item = learner_api.get("/api/v1/sessions").json()["items"][0]
    starts_at = datetime.fromisoformat(item["starts_at"])
    assert starts_at.utcoffset() == timezone.localtime(session.starts_at).utcoffset()
    assert abs(starts_at - session.starts_at) < timedelta(milliseconds=1)
