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
