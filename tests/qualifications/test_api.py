"""The qualifications API, over HTTP with personal API tokens."""

import pytest

from guildbook.qualifications.models import MentorProfile
from tests.api.conftest import ApiClient, assert_error
from tests.factories import UserFactory
from tests.qualifications.conftest import mentor


def test_schemes_lists_every_version_with_fees_in_pence(scene):
    body = ApiClient(scene.learner).get("/api/v1/schemes").json()
    by_slug = {s["slug"]: s for s in body["items"]}
    assert by_slug["chartership-2009"]["fees"] == {"enrolment": 5000, "submission": 0}
    assert by_slug["chartership-2021"]["fees"] == {"enrolment": 7500, "submission": 7500}
    assert by_slug["revalidation-2021"]["fees"] == {"enrolment": 0, "submission": 0}
    assert [c["code"] for c in by_slug["fellowship-2021"]["criteria"]] == [
        "personal-performance",
        "organisational-context",
        "wider-professional-context",
    ]
    statement = next(
        s for s in by_slug["chartership-2021"]["sections"] if s["code"] == "evaluative-statement"
    )
    assert statement == {
        "code": "evaluative-statement",
        "title": "Evaluative statement",
        "required": True,
        "word_limit": 1000,
    }
    assert len(by_slug["chartership-2009"]["criteria"]) == 4


def test_schemes_needs_a_token(db):
    assert_error(ApiClient().get("/api/v1/schemes"), 401)


def test_start_a_candidacy_and_read_its_steps(db):
    person = UserFactory()
    api = ApiClient(person)
    response = api.post("/api/v1/candidacies", {"scheme": "chartership-2009"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scheme"] == "chartership-2009"
    assert body["steps"][0] == {
        "code": "membership",
        "title": "Membership confirmed",
        "status": "todo",
        "due": body["steps"][0]["due"],
        "done_at": None,
    }
    assert {s["status"] for s in body["steps"]} <= {"todo", "done", "overdue"}
    assert api.get(f"/api/v1/candidacies/{body['id']}").json()["id"] == body["id"]
    assert_error(api.post("/api/v1/candidacies", {"scheme": "chartership-2009"}), 409)
    assert_error(api.post("/api/v1/candidacies", {"scheme": "nope"}), 422, field="scheme")


def test_candidacy_visibility(scene):
    url = f"/api/v1/candidacies/{scene.candidacy.pk}"
    for who in ("candidate", "mentor", "officer"):
        assert ApiClient(getattr(scene, who)).get(url).status_code == 200, who
    for who in ("learner", "other_candidate", "other_mentor"):
        assert_error(ApiClient(getattr(scene, who)).get(url), 404)
    # Officers see a candidacy only while it has a funding request.
    assert_error(
        ApiClient(scene.officer).get(f"/api/v1/candidacies/{scene.other_candidacy.pk}"), 404
    )
    # A mentor sees it once a request has been sent to them.
    assert (
        ApiClient(scene.other_mentor)
        .get(f"/api/v1/candidacies/{scene.other_candidacy.pk}")
        .status_code
        == 200
    )


def test_mentors_filter_whole_values_ignoring_case(scene):
    api = ApiClient(scene.learner)
    names = lambda r: {m["name"] for m in r.json()["items"]}  # noqa: E731
    assert names(api.get("/api/v1/mentors", {"sector": "health"})) == {"Mia Mentor"}
    assert names(api.get("/api/v1/mentors", {"sector": "heal"})) == set()
    assert names(api.get("/api/v1/mentors", {"sector": "ACADEMIC", "remote": "true"})) == {
        "Max Mentor"
    }
    item = api.get("/api/v1/mentors", {"region": "london"}).json()["items"][0]
    assert set(item) == {"id", "name", "region", "sector", "specialisms", "remote", "places_left"}


def test_request_accept_decline_and_mentor_full(db):
    m = mentor("one@example.nhs.uk", name="Olive One", capacity=1)
    a, b = UserFactory(), UserFactory()
    ids = []
    for person in (a, b):
        c = ApiClient(person).post("/api/v1/candidacies", {"scheme": "chartership-2021"}).json()
        r = ApiClient(person).post(
            f"/api/v1/candidacies/{c['id']}/mentor-requests",
            {"mentor": m.pk, "message": "Would you?"},
        )
        assert r.status_code == 201 and r.json()["status"] == "pending", r.content
        ids.append(r.json()["id"])
    assert_error(ApiClient(a).post(f"/api/v1/mentor-requests/{ids[0]}/accept"), 404)
    mentor_api = ApiClient(m.user)
    assert mentor_api.post(f"/api/v1/mentor-requests/{ids[0]}/accept").json()["status"] == (
        "accepted"
    )
    assert_error(mentor_api.post(f"/api/v1/mentor-requests/{ids[1]}/accept"), 409, "mentor_full")
    declined = mentor_api.post(f"/api/v1/mentor-requests/{ids[1]}/decline", {"reason": "Full"})
    assert declined.json()["status"] == "declined" and declined.json()["reason"] == "Full"
    assert MentorProfile.objects.get(pk=m.pk).mentees == 1
    # At capacity: no longer listed, and a new request is refused.
    assert m.pk not in [x["id"] for x in mentor_api.get("/api/v1/mentors").json()["items"]]


def test_funding_requests(scene):
    api = ApiClient(scene.candidate)
    assert_error(
        api.post(
            "/api/v1/funding-requests",
            {"candidacy": scene.candidacy.pk, "fee": "membership", "justification": "x"},
        ),
        422,
        field="fee",
    )
    created = api.post(
        "/api/v1/funding-requests",
        {"candidacy": scene.candidacy.pk, "fee": "enrolment", "justification": "Appraisal"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["fee"], body["amount"], body["status"]) == ("enrolment", 7500, "requested")
    url = f"/api/v1/funding-requests/{body['id']}"
    for who in ("candidate", "mentor", "learner"):
        assert_error(ApiClient(getattr(scene, who)).post(url + "/approve", {}), 403)
    approved = ApiClient(scene.officer).post(url + "/approve", {"comment": "Yes"})
    assert approved.json()["status"] == "approved"
    assert_error(ApiClient(scene.officer).post(url + "/decline", {"comment": "No"}), 409)
    assert_error(
        ApiClient(scene.other_candidate).post(
            "/api/v1/funding-requests",
            {"candidacy": scene.candidacy.pk, "fee": "enrolment", "justification": "x"},
        ),
        404,
    )


@pytest.mark.parametrize(
    "path",
    ["/api/v1/schemes", "/api/v1/mentors"],
)
def test_openapi_lists_the_operations(db, path):
    spec = ApiClient().get("/api/v1/openapi.json").json()
    assert path in spec["paths"]
