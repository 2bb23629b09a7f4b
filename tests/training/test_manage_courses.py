"""Trainers create and edit courses, with their session plan, questions and materials."""

import pytest
from django.urls import reverse

from guildbook.training import services
from guildbook.training.models import AgendaItem, Course

COURSE = {
    "title": "Get Tweeting – Twitter for professional development",
    "summary": "Twitter for complete beginners.",
    "description": "",
    "learning_outcomes": "Set up an account\nFollow people",
    "level": "novice",
    "duration_minutes": "90",
    "audience": "Library staff and healthcare staff",
    "category": "",
    "tags": "social media",
    "delivery": "in_person",
    "visibility": "staff",
    "status": "active",
    "default_capacity": "12",
    "booking_opens_days": "60",
    "booking_closes_hours": "2",
    "late_cancellation_hours": "48",
    "waiting_list_enabled": "on",
}


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def post_data(agenda=(), questions=(), materials=(), **course):
    data = {**COURSE, **course}
    for prefix, rows in (("agenda", agenda), ("questions", questions), ("materials", materials)):
        initial = sum(1 for r in rows if "id" in r)
        data.update(management(prefix, len(rows), initial))
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    return data


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def test_trainer_creates_a_course_with_plan_questions_and_materials(trainer_client, trainer):
    response = trainer_client.post(
        reverse("training:manage_course_create"),
        post_data(
            trainers=[str(trainer.pk)],
            agenda=[
                {"kind": "item", "minutes": "10", "title": "Welcome", "ORDER": "1"},
                {
                    "kind": "discussion",
                    "title": "Privacy and professional boundaries with service users",
                    "notes": "Following patients back?",
                    "ORDER": "2",
                },
            ],
            questions=[
                {"text": "Is this your first time using the library?", "kind": "yes_no"},
                {"text": "Which team?", "kind": "choice", "choices": "Library\nNursing"},
            ],
            materials=[{"title": "Slides", "url": "https://example.org/slides"}],
        ),
    )
    course = Course.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:manage_course", args=[course.slug])
    assert course.booking_closes_hours == 2 and course.waiting_list_enabled
    assert list(course.trainers.all()) == [trainer]
    assert [(a.kind, a.minutes) for a in course.agenda.all()] == [
        ("item", 10),
        ("discussion", None),
    ]
    assert course.questions.count() == 2
    assert course.materials.get().url == "https://example.org/slides"

    page = trainer_client.get(response.url)
    assert "Privacy and professional boundaries with service users" in page.content.decode()


def test_editing_reorders_updates_and_removes_rows(trainer_client, trainer, course):
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[{"title": "Welcome", "minutes": 10}, {"title": "Wrap up", "minutes": 5}],
    )
    welcome, wrap = course.agenda.all()
    response = trainer_client.post(
        reverse("training:manage_course_edit", args=[course.slug]),
        post_data(
            title=course.title,
            agenda=[
                {
                    "id": welcome.pk,
                    "kind": "item",
                    "minutes": "15",
                    "title": "Welcome",
                    "ORDER": "2",
                },
                {
                    "id": wrap.pk,
                    "kind": "item",
                    "minutes": "5",
                    "title": "Wrap up",
                    "ORDER": "3",
                    "DELETE": "on",
                },
                {"kind": "item", "minutes": "30", "title": "Your first tweet", "ORDER": "1"},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(a.title, a.minutes) for a in course.agenda.all()] == [
        ("Your first tweet", 30),
        ("Welcome", 15),
    ]
    assert not AgendaItem.objects.filter(pk=wrap.pk).exists()


def test_errors_are_shown_beside_the_field_and_nothing_is_saved(trainer_client):
    response = trainer_client.post(
        reverse("training:manage_course_create"),
        post_data(
            title="",
            materials=[{"title": "Slides"}],
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Give a link or upload a file." in html
    assert Course.objects.count() == 0


def test_a_service_refusal_is_shown_on_its_formset(trainer_client, course):
    response = trainer_client.post(
        reverse("training:manage_course_edit", args=[course.slug]),
        post_data(
            title=course.title,
            questions=[{"text": "Which team?", "kind": "choice", "choices": "Library"}],
        ),
    )
    assert response.status_code == 400
    assert "list at least two choices" in response.content.decode()
    assert course.questions.count() == 0


def test_closed_course_shows_its_invitation_link_and_can_renew_it(trainer_client, trainer, course):
    services.course_update(course=course, actor=trainer, visibility="closed")
    token = course.invitation_token
    page = trainer_client.get(reverse("training:manage_course", args=[course.slug]))
    assert f"?invitation={token}" in page.content.decode()

    trainer_client.post(reverse("training:manage_course_invitation", args=[course.slug]))
    course.refresh_from_db()
    assert course.invitation_token != token
    # The learner's course page accepts the new link.
    learner_page = trainer_client.get(
        f"{course.get_absolute_url()}?invitation={course.invitation_token}"
    )
    assert learner_page.status_code == 200


@pytest.mark.parametrize(
    "name,args",
    [
        ("manage", []),
        ("manage_course_create", []),
        ("manage_course", ["get-tweeting"]),
        ("manage_course_edit", ["get-tweeting"]),
        ("manage_session_create", ["get-tweeting"]),
        ("manage_series_create", ["get-tweeting"]),
    ],
)
def test_trainer_pages_answer_404_to_everyone_else(client, person, course, name, args):
    url = reverse(f"training:{name}", args=args)
    assert client.get(url).status_code == 302  # signed out: to sign-in
    client.force_login(person)
    assert client.get(url).status_code == 404
    assert client.post(url, post_data()).status_code == 404


def test_get_changes_nothing(trainer_client, course):
    before = Course.objects.values().get(pk=course.pk)
    for name in ("manage_course", "manage_course_edit", "manage_course_invitation"):
        trainer_client.get(reverse(f"training:{name}", args=[course.slug]))
    assert Course.objects.values().get(pk=course.pk) == before


def test_session_plan_is_shown_to_trainers_only_on_the_course_page(client, trainer, person, course):
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[{"title": "Privacy and professional boundaries with service users"}],
    )
    client.force_login(person)
    assert "Privacy and professional" not in client.get(course.get_absolute_url()).content.decode()
    client.force_login(trainer)
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Privacy and professional boundaries with service users" in html
    assert reverse("training:manage_course", args=[course.slug]) in html
