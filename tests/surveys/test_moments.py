"""Trainers' pages for a course's survey moments: reachable from the course, list, add,
change and remove; others get a 404; refusals show beside their field."""

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.surveys.models import Invitation, SurveyMoment
from tests.factories import UserFactory


@pytest.fixture
def tess(db):
    return UserFactory(name="Tess Trainer", email="tess@example.nhs.uk", role="trainer")


@pytest.fixture
def as_trainer(tess):
    client = Client()
    client.force_login(tess)
    return client


def moments_url(course):
    return reverse("surveys:manage_moments", args=[course.slug])


def form_data(moment, **changes):
    data = {
        "name": moment.name,
        "template": moment.template_id,
        "days_after": moment.days_after,
        "reminder_after_days": moment.reminder_after_days or "",
        "closes_after_days": moment.closes_after_days,
        "external_url": moment.external_url,
        "note": moment.note,
        "no_show_note": moment.no_show_note,
    }
    if moment.anonymous:
        data["anonymous"] = "on"
    if moment.message_no_shows:
        data["message_no_shows"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_course_page_links_to_its_surveys(course, as_trainer):
    page = as_trainer.get(reverse("training:manage_course", args=[course.slug]))
    assert moments_url(course).encode() in page.content
    page = as_trainer.get(moments_url(course))
    assert page.status_code == 200
    assert b"Follow-up" in page.content and b"30 days after" in page.content


def test_learners_and_strangers_get_a_404(course, person):
    assert Client().get(moments_url(course)).status_code == 302  # sign in first
    client = Client()
    client.force_login(person)
    assert client.get(moments_url(course)).status_code == 404
    moment = course.survey_moments.get()
    edit = reverse("surveys:manage_moment_edit", args=[course.slug, moment.pk])
    assert client.post(edit, form_data(moment, days_after=3)).status_code == 404
    moment.refresh_from_db()
    assert moment.days_after == 30


def test_add_a_same_day_survey(course, as_trainer):
    template = course.survey_moments.get().template
    response = as_trainer.post(
        reverse("surveys:manage_moment_create", args=[course.slug]),
        {
            "name": "How was it?",
            "template": template.pk,
            "days_after": 0,
            "reminder_after_days": "",
            "closes_after_days": 3,
            "anonymous": "on",
            "note": "Thanks for coming, {first_name}.",
        },
    )
    assert response.status_code == 302
    quick = SurveyMoment.objects.get(name="How was it?")
    assert (quick.days_after, quick.reminder_after_days, quick.anonymous) == (0, None, True)
    page = as_trainer.get(moments_url(course))
    assert b"as the session ends" in page.content


def test_a_refusal_is_shown_beside_its_field(course, as_trainer):
    moment = course.survey_moments.get()
    edit = reverse("surveys:manage_moment_edit", args=[course.slug, moment.pk])
    response = as_trainer.post(edit, form_data(moment, reminder_after_days=25))
    assert response.status_code == 400
    assert b"before the survey closes" in response.content
    moment.refresh_from_db()
    assert moment.reminder_after_days == 7


def test_anonymity_cannot_change_once_people_have_answered(register, as_trainer):
    session, bookings = register
    moment = session.course.survey_moments.get()
    Invitation.objects.filter(booking=bookings["Ada"]).update(answered_at=session.ends_at)
    edit = reverse("surveys:manage_moment_edit", args=[session.course.slug, moment.pk])
    response = as_trainer.post(edit, form_data(moment, anonymous="on"))
    assert response.status_code == 400
    assert b"cannot change" in response.content
    moment.refresh_from_db()
    assert moment.anonymous is False


def test_remove_asks_first_then_stops_a_survey_that_invited_people(register, as_trainer):
    session, _bookings = register
    moment = session.course.survey_moments.get()
    url = reverse("surveys:manage_moment_remove", args=[session.course.slug, moment.pk])
    page = as_trainer.get(url)
    assert b"2 people have been invited" in page.content
    moment.refresh_from_db()
    assert moment.active
    assert as_trainer.post(url).status_code == 302
    moment.refresh_from_db()
    assert moment.active is False


def test_the_list_keeps_its_query_count_with_more_data(
    course, as_trainer, django_assert_max_num_queries
):
    from guildbook.surveys import services

    as_trainer.get(moments_url(course))
    with django_assert_max_num_queries(12) as few:
        as_trainer.get(moments_url(course))
    for n in range(10):
        services.moment_create(course=course, actor=None, name=f"Extra {n}", days_after=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = as_trainer.get(moments_url(course))
    assert page.content.count(b"Extra ") >= 10
