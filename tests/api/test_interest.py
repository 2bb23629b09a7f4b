"""POST/DELETE /api/v1/courses/{id}/interest: "tell me when there's a date" for the caller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.training.models import Course, CourseInterest
from tests.api.conftest import assert_error
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def url(course):
    return f"/api/v1/courses/{course.pk}/interest"


def test_register_and_withdraw_interest(learner_api, person):
    course = CourseFactory(interest_head_start_days=3)
    response = learner_api.post(url(course))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["course"] == course.pk and body["head_start_days"] == 3
    assert learner_api.post(url(course)).status_code == 201  # twice: still one
    assert CourseInterest.objects.filter(person=person).count() == 1
    assert learner_api.request("DELETE", url(course)).status_code == 204
    assert not CourseInterest.objects.exists()
    assert_error(learner_api.request("DELETE", url(course)), 404)


def test_a_course_with_a_date_is_refused_with_a_field(learner_api):
    course = CourseFactory()
    SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=20))
    assert_error(learner_api.post(url(course)), 400, field="course")
    assert not CourseInterest.objects.exists()


def test_a_course_one_may_not_see_is_a_404(learner_api, anonymous_api):
    closed = CourseFactory(visibility=Course.Visibility.CLOSED)
    assert_error(learner_api.post(url(closed)), 404)
    assert anonymous_api.post(url(CourseFactory())).status_code == 401
