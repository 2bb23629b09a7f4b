"""GET and POST /api/v1/courses."""

import pytest

from guildbook.core.audit import audit_trail
from guildbook.training.models import Course
from tests.api.conftest import assert_error
from tests.factories import CategoryFactory, CourseFactory


def test_the_catalogue_lists_what_the_caller_may_see(learner_api, trainer_api):
    public = CourseFactory(title="Searching the literature", visibility=Course.Visibility.PUBLIC)
    staff = CourseFactory(title="Get Tweeting", visibility=Course.Visibility.STAFF)
    closed = CourseFactory(title="Ward team session", visibility=Course.Visibility.CLOSED)
    CourseFactory(title="Old course", status=Course.Status.ARCHIVED)

    learner = learner_api.get("/api/v1/courses").json()
    assert [c["id"] for c in learner["items"]] == [staff.pk, public.pk]
    assert learner["count"] == 2
    trainer = trainer_api.get("/api/v1/courses").json()
    assert [c["id"] for c in trainer["items"]] == [staff.pk, public.pk, closed.pk]


def test_a_course_has_its_fields_and_never_its_invitation(learner_api, trainer_api):
    course = CourseFactory(
        title="Get Tweeting",
        slug="get-tweeting",
        learning_outcomes="Set up a profile\n- Follow colleagues",
        tags="social media, twitter",
        visibility=Course.Visibility.CLOSED,
    )
    item = trainer_api.get("/api/v1/courses").json()["items"][0]
    assert item["id"] == course.pk
    assert item["slug"] == "get-tweeting"
    assert item["learning_outcomes"] == ["Set up a profile", "Follow colleagues"]
    assert item["tags"] == ["social media", "twitter"]
    assert item["category"] == {"slug": "digital-skills", "name": "Digital skills"}
    assert item["url"].endswith("/courses/get-tweeting/")
    assert course.invitation_token
    assert course.invitation_token not in trainer_api.get("/api/v1/courses").content.decode()


def test_a_trainer_creates_a_course(trainer_api, trainer):
    CategoryFactory(name="Digital skills")
    response = trainer_api.post(
        "/api/v1/courses",
        {
            "title": "Get Tweeting – Twitter for professional development",
            "summary": "Twitter for complete beginners.",
            "level": "novice",
            "duration_minutes": 90,
            "category": "digital-skills",
            "tags": ["twitter", " social media "],
            "learning_outcomes": ["Set up a profile", "Follow colleagues"],
            "late_cancellation_hours": 24,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    course = Course.objects.get(pk=body["id"])
    assert course.slug == body["slug"] == "get-tweeting-twitter-for-professional-development"
    assert course.category.slug == "digital-skills"
    assert course.tag_list == ["twitter", "social media"]
    assert course.outcomes == ["Set up a profile", "Follow colleagues"]
    assert course.late_cancellation_hours == 24
    assert course.booking_opens_days == 90  # the model's default, not set by the API
    assert [(e.action, e.actor) for e in audit_trail(course)] == [("course_created", trainer)]


def test_learners_cannot_create_courses(learner_api):
    response = learner_api.post("/api/v1/courses", {"title": "Mine", "summary": "Mine."})
    assert_error(response, 403, "not_allowed", field=None)
    assert not Course.objects.exists()


def test_a_slug_in_use_is_a_conflict(trainer_api):
    CourseFactory(slug="get-tweeting")
    response = trainer_api.post(
        "/api/v1/courses", {"title": "Again", "summary": "Again.", "slug": "get-tweeting"}
    )
    assert_error(response, 409, "conflict", field="slug")


def test_the_same_title_twice_gets_a_new_slug(trainer_api):
    first = trainer_api.post("/api/v1/courses", {"title": "Get Tweeting", "summary": "A."})
    second = trainer_api.post("/api/v1/courses", {"title": "Get Tweeting", "summary": "B."})
    assert (first.json()["slug"], second.json()["slug"]) == ("get-tweeting", "get-tweeting-2")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "T", "summary": "S", "category": "no-such"}, 400, "category"),
        ({"title": "T", "summary": "S", "slug": "not a slug!"}, 400, "slug"),
        ({"title": "", "summary": "S"}, 422, "title"),
        ({"summary": "S"}, 422, "title"),
        ({"title": "T", "summary": "S", "duration_minutes": 0}, 422, "duration_minutes"),
        ({"title": "T", "summary": "S", "visibility": "secret"}, 422, "visibility"),
    ],
)
def test_bad_courses_are_refused_with_the_field(trainer_api, body, status, field):
    assert_error(trainer_api.post("/api/v1/courses", body), status, field=field)
    assert not Course.objects.exists()
