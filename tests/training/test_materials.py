"""Uploaded materials are served through the course's visibility rules, not from MEDIA_ROOT."""

import pytest
from django.core.files.base import ContentFile

from guildbook.training.models import Course, CourseMaterial
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def material(course, *, trainers_only=False):
    m = CourseMaterial(course=course, title="Handout", for_trainers_only=trainers_only)
    m.file.save("handout.txt", ContentFile(b"Tweet well"), save=True)
    return m


def test_public_material_downloads_for_anyone(client):
    m = material(CourseFactory(visibility=Course.Visibility.PUBLIC))
    assert m.href == f"/materials/{m.pk}/"
    response = client.get(m.href)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Tweet well"


def test_staff_material_needs_sign_in(client):
    m = material(CourseFactory(visibility=Course.Visibility.STAFF))
    assert client.get(m.href).status_code == 404
    client.force_login(UserFactory())
    assert client.get(m.href).status_code == 200


def test_trainers_material_is_for_trainers_only(client, trainer):
    m = material(CourseFactory(visibility=Course.Visibility.PUBLIC), trainers_only=True)
    client.force_login(UserFactory())
    assert client.get(m.href).status_code == 404
    client.force_login(trainer)
    assert client.get(m.href).status_code == 200


def test_closed_course_material_needs_the_invitation(client):
    course = CourseFactory(visibility=Course.Visibility.CLOSED)
    m = material(course)
    client.force_login(UserFactory())
    assert client.get(m.href).status_code == 404
    client.get(course.get_absolute_url(), {"invitation": course.invitation_token})
    assert client.get(m.href).status_code == 200


def test_uploads_are_not_served_from_media_root_in_development(client, settings):
    """In development too the only way to an upload is the view that checks permission:
    the file's own /media/ path answers 404."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        m = material(CourseFactory(visibility=Course.Visibility.PUBLIC), trainers_only=True)
        client.force_login(UserFactory())
        assert client.get(f"{settings.MEDIA_URL}{m.file.name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
