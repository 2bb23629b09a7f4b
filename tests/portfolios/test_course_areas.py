"""Trainers tag a course with the skills areas it develops on the trainers' course form (a
fieldset portfolios adds through training's course form parts), and a skills audit's gap in
one of those areas points to the course."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.core.models import AuditEntry
from guildbook.portfolios import services
from guildbook.portfolios.forms import CourseSkillsAreasForm
from guildbook.portfolios.models import CourseSkillsArea, SkillsArea, SkillsFramework
from guildbook.training import hooks
from guildbook.training.models import Course
from tests.training.test_manage_courses import post_data


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def areas_field() -> str:
    """The name the areas' checkboxes have on the course form."""
    [part] = [
        p for p in hooks.course_form_parts(course=None) if isinstance(p, CourseSkillsAreasForm)
    ]
    return part.add_prefix("areas")


def area(code):
    return SkillsArea.objects.get(framework__slug="cilip-pksb", code=code)


def test_the_course_form_offers_the_areas(trainer):
    page = client_for(trainer).get(reverse("training:manage_course_create"))
    html = page.content.decode()
    assert "<legend>Skills areas</legend>" in html
    assert "Research skills" in html and f'name="{areas_field()}"' in html


def test_a_trainer_tags_a_new_course_and_a_gap_lists_it(trainer, candidate):
    research, records = area("research-skills"), area("records-management")
    response = client_for(trainer).post(
        reverse("training:manage_course_create"),
        post_data(
            title="Literature searching",
            trainers=[str(trainer.pk)],
            **{areas_field(): [str(research.pk), str(records.pk)]},
        ),
    )
    assert response.status_code == 302
    course = Course.objects.get(title="Literature searching")
    assert set(CourseSkillsArea.objects.filter(course=course).values_list("area", flat=True)) == {
        research.pk,
        records.pk,
    }
    # The candidate's gap in research skills lists the course, with a link.
    audit = services.audit_start(
        person=candidate,
        framework=SkillsFramework.objects.get(slug="cilip-pksb"),
        name="Start",
        taken_on=date(2026, 1, 10),
        actor=candidate,
    )
    services.rating_set(
        rating=audit.ratings.get(area=research), actor=candidate, current=1, target=3
    )
    page = client_for(candidate).get(reverse("portfolios:skills_audit", args=[audit.pk]))
    assert course.get_absolute_url() in page.content.decode()


def test_editing_unticks_an_area_and_an_unchanged_form_leaves_the_tags_alone(trainer):
    research, records = area("research-skills"), area("records-management")
    course = Course.objects.create(title="Searching", slug="searching", summary="Finding.")
    course.trainers.add(trainer)
    services.course_areas_set(course=course, areas=[research, records], actor=trainer)
    url = reverse("training:manage_course_edit", args=[course.slug])
    page = client_for(trainer).get(url).content.decode()
    assert page.count("checked") >= 2  # the course's tags are ticked
    before = AuditEntry.objects.filter(action="course_skills_set").count()
    data = post_data(title="Searching", trainers=[str(trainer.pk)])
    data[areas_field()] = [str(research.pk), str(records.pk)]
    assert client_for(trainer).post(url, data).status_code == 302
    assert AuditEntry.objects.filter(action="course_skills_set").count() == before
    data[areas_field()] = [str(research.pk)]
    assert client_for(trainer).post(url, data).status_code == 302
    assert list(CourseSkillsArea.objects.filter(course=course).values_list("area", flat=True)) == [
        research.pk
    ]


def test_an_unknown_area_is_refused_beside_the_field_and_nothing_is_saved(trainer):
    data = post_data(title="Never saved", trainers=[str(trainer.pk)], **{areas_field(): ["999999"]})
    response = client_for(trainer).post(reverse("training:manage_course_create"), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Course.objects.filter(title="Never saved").exists()


@pytest.mark.parametrize("who", ["learner", "anonymous"])
def test_only_trainers_reach_the_form(who, person):
    client = client_for(person) if who == "learner" else Client()
    response = client.get(reverse("training:manage_course_create"))
    assert response.status_code in (302, 404)
