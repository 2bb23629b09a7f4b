"""Course-created hooks (training/hooks.py): apps above training add to a new course in the
transaction that creates it, through the service, not through a signal receiver."""

import pytest

from guildbook.surveys.models import SurveyMoment
from guildbook.surveys.services import template_default
from guildbook.training import hooks, services
from guildbook.training.models import Course


def test_a_course_made_by_the_service_starts_with_the_follow_up_at_30_days(trainer):
    course = services.course_create(
        actor=trainer, title="Searching the evidence", summary="Finding good evidence."
    )
    [moment] = SurveyMoment.objects.filter(course=course)
    assert moment.days_after == 30
    assert moment.template == template_default()


def test_saving_a_course_outside_the_service_runs_no_hook(db):
    course = Course.objects.create(title="Raw", slug="raw")
    assert not SurveyMoment.objects.filter(course=course).exists()


def test_a_hook_that_fails_rolls_the_new_course_back(trainer, monkeypatch):
    def refuse(*, course):
        raise RuntimeError("no")

    monkeypatch.setattr(hooks, "_course_created", [*hooks._course_created, refuse])
    with pytest.raises(RuntimeError):
        services.course_create(actor=trainer, title="Never kept", summary="Not kept.")
    assert not Course.objects.filter(title="Never kept", summary="Not kept.").exists()
    assert not SurveyMoment.objects.exists()


class _Refusing:
    """A course form part whose save is refused by its app's service."""

    legend = "Refusing"
    help = ""

    def __init__(self, *, course, data=None, prefix=""):
        self.course = course

    def __iter__(self):
        return iter(())

    def is_valid(self):
        return True

    def save(self, *, course, actor):
        from guildbook.core.errors import ServiceError

        raise ServiceError("Refused by the part.")


def test_a_course_form_part_refusing_rolls_the_course_back(client, trainer, monkeypatch):
    from django.urls import reverse

    from tests.training.test_manage_courses import post_data

    monkeypatch.setattr(hooks, "_course_form_parts", [_Refusing])
    client.force_login(trainer)
    response = client.post(
        reverse("training:manage_course_create"),
        post_data(title="Rolled back", trainers=[str(trainer.pk)]),
    )
    assert response.status_code == 400 and "Refused by the part." in response.content.decode()
    assert not Course.objects.filter(title="Rolled back").exists()


def test_course_form_parts_are_registered_once(monkeypatch):
    monkeypatch.setattr(hooks, "_course_form_parts", [])
    hooks.add_course_form_part(_Refusing)
    hooks.add_course_form_part(_Refusing)
    [part] = hooks.course_form_parts(course=None)
    assert isinstance(part, _Refusing)
