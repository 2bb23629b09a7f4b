"""GET /api/v1/insights/courses/{id}: the figures as JSON, for trainers and officers only."""

import pytest

from guildbook.insights import cache
from tests.api.conftest import ApiClient, assert_error


@pytest.fixture
def officer_api(officer):
    return ApiClient(officer)


def test_the_figures_for_a_period(scene, officer_api):
    r = officer_api.get(
        f"/api/v1/insights/courses/{scene.pk}", {"from": "2024-01-01", "to": "2024-12-31"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["from"] == "2024-01-01" and body["to"] == "2024-12-31"
    expected = {
        "sessions": 2,
        "places_offered": 6,
        "bookings": 8,
        "attended": 4,
        "no_shows": 1,
        "cancellations": 2,
        "late_cancellations": 1,
        "waiting_list_joins": 3,
    }
    assert {k: body[k] for k in expected} == expected
    assert body["fill_rate"] == {"count": 5, "total": 6, "percent": 83}
    assert body["attendance_rate"] == {"count": 4, "total": 6, "percent": 67}
    assert body["no_show_rate"] == {"count": 1, "total": 5, "percent": 20}
    assert body["response_rate"] == {"count": 0, "total": 0, "percent": None}
    assert set(body["impact_rate"]) == {"count", "total", "percent"}
    library = {"organisation": "", "department": "", "team": "Library", "people": 1,
               "first_time": 0, "new_question_answered": 0, "said_new": 0}  # fmt: skip
    assert library in body["reach"]
    assert body["said_new_to_library"] == {"count": 0, "total": 0, "percent": None}


def test_a_trainer_may_use_the_slug_and_no_dates(scene, trainer):
    body = ApiClient(trainer).get(f"/api/v1/insights/courses/{scene.slug}").json()
    assert body["sessions"] == 3 and body["from"] is None


def test_learners_are_refused_before_anything_is_loaded(scene, person):
    api = ApiClient(person)
    assert_error(api.get(f"/api/v1/insights/courses/{scene.pk}"), 403, "not_allowed")
    assert_error(api.get("/api/v1/insights/courses/999999"), 403, "not_allowed")


def test_bad_input_is_a_clear_error(scene, officer_api):
    assert_error(officer_api.get("/api/v1/insights/courses/999999"), 404, "not_found")
    bad = officer_api.get(
        f"/api/v1/insights/courses/{scene.pk}", {"from": "2024-12-31", "to": "2024-01-01"}
    )
    assert_error(bad, 400, field="from")
    assert (
        officer_api.get(f"/api/v1/insights/courses/{scene.pk}", {"from": "31/12/2024"}).status_code
        == 422
    )


def test_query_count_is_the_same_for_a_small_and_a_large_period(
    scene, officer_api, django_assert_max_num_queries
):
    url = f"/api/v1/insights/courses/{scene.pk}"
    officer_api.get(url)  # the token's first use writes its time
    cache.clear()
    with django_assert_max_num_queries(20) as one:
        officer_api.get(url, {"from": "2024-06-01", "to": "2024-06-30"})
    cache.clear()
    with django_assert_max_num_queries(20) as every:
        officer_api.get(url)
    assert len(one.captured_queries) == len(every.captured_queries)


def test_the_planner_answers_each_cadence_with_intervals(scene, trainer):
    api = ApiClient(trainer)
    r = api.get(f"/api/v1/planner/courses/{scene.pk}", {"capacity": 10, "cadences": "4,1.5"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["capacity"] == 10
    assert [c["months"] for c in body["cadences"]] == [1, 1.5, 2, 3, 4]
    for c in body["cadences"]:
        for key in ("bookings_per_session", "fill_rate", "attendance_rate",
                    "unmet_demand_rate", "empty_seats"):  # fmt: skip
            band = c[key]
            assert band["low"] <= band["mean"] <= band["high"]
        for key in ("fill_rate", "attendance_rate", "unmet_demand_rate"):
            assert c[key]["low"] >= 0 and c[key]["high"] <= 1
        assert c["trainer_hours_per_year"] > 0
    assert body["recommended"] in (None, 1, 1.5, 2, 3, 4)
    assert body["reason"]


def test_the_planner_refuses_learners_and_bad_cadences(scene, person, trainer):
    assert_error(ApiClient(person).get(f"/api/v1/planner/courses/{scene.pk}"), 403, "not_allowed")
    bad = ApiClient(trainer).get(f"/api/v1/planner/courses/{scene.pk}", {"cadences": "2,x"})
    assert_error(bad, 400, field="cadences")
    assert_error(
        ApiClient(trainer).get(f"/api/v1/planner/courses/{scene.pk}", {"capacity": 0}),
        400,
        field="capacity",
    )


def test_figures_are_kept_until_a_booking_changes(scene, officer_api, django_assert_num_queries):
    from guildbook.training.models import Booking

    url = f"/api/v1/insights/courses/{scene.pk}"
    assert officer_api.get(url).json()["attended"] == 5
    # The token and its person, their two permission sets, the course and the version: the
    # figures are kept in this process.
    with django_assert_num_queries(5):
        assert officer_api.get(url).json()["attended"] == 5
    # Another server process reads the shared copy (a table in the database), one query more.
    cache.here.clear()
    with django_assert_num_queries(6):
        assert officer_api.get(url).json()["attended"] == 5
    booking = Booking.objects.filter(attendance="attended").first()
    booking.attendance = "no_show"
    booking.save()
    assert officer_api.get(url).json()["attended"] == 4
