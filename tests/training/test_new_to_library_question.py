"""The "new to the library?" booking question: one a course (a database constraint too), a
yes or no or one-of-a-list question, with the answer that means new; the mark can move."""

import pytest
from django.db import IntegrityError, transaction

from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import BookingQuestion

NEW = {"text": "Is this your first time using the library?", "kind": "yes_no", "asks_if_new": True}
TEAM = {"text": "Which team?", "kind": "choice", "choices": "Wards\nLibrary\nFirst time here"}


def test_a_yes_no_question_means_new_on_yes_unless_told(course, trainer):
    services.course_plan_set(course=course, actor=trainer, questions=[NEW, TEAM])
    new, team = course.questions.all()
    assert (new.asks_if_new, new.new_answer) == (True, "yes")
    assert (team.asks_if_new, team.new_answer) == (False, "")


def test_the_mark_moves_from_one_question_to_another(course, trainer):
    services.course_plan_set(course=course, actor=trainer, questions=[NEW, TEAM])
    new, team = course.questions.all()
    services.course_plan_set(
        course=course,
        actor=trainer,
        questions=[
            {"id": new.pk, **NEW, "asks_if_new": False},
            {"id": team.pk, **TEAM, "asks_if_new": True, "new_answer": "First time here"},
        ],
    )
    new.refresh_from_db()
    team.refresh_from_db()
    assert (new.asks_if_new, new.new_answer) == (False, "")
    assert (team.asks_if_new, team.new_answer) == (True, "First time here")


@pytest.mark.parametrize(
    "questions, words",
    [
        ([NEW, {**TEAM, "asks_if_new": True, "new_answer": "Wards"}], "Questions 1 and 2"),
        ([{**TEAM, "asks_if_new": True, "new_answer": "Nope"}], "one of its choices"),
        ([{**NEW, "new_answer": "maybe"}], "yes or no"),
        ([{"text": "Your team", "kind": "text", "asks_if_new": True}], "only a yes or no"),
    ],
)
def test_a_wrong_mark_is_refused_with_the_reason_and_nothing_saved(
    course, trainer, questions, words
):
    with pytest.raises(ServiceError) as err:
        services.course_plan_set(course=course, actor=trainer, questions=questions)
    assert err.value.field == "questions"
    assert words in err.value.message
    assert not course.questions.exists()


def test_the_database_keeps_one_marked_question_a_course(course):
    BookingQuestion.objects.create(
        course=course, text="New?", kind="yes_no", asks_if_new=True, new_answer="yes"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingQuestion.objects.create(
            course=course, text="New too?", kind="yes_no", asks_if_new=True, new_answer="yes"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingQuestion.objects.create(
            course=course, text="Team", kind="text", asks_if_new=True, new_answer="x"
        )


def test_a_trainer_marks_the_question_on_the_course_form_and_moves_it(client, trainer, course):
    from django.urls import reverse

    from tests.training.test_manage_courses import post_data

    client.force_login(trainer)
    url = reverse("training:manage_course_edit", args=[course.slug])
    page = client.get(url).content.decode()
    assert "This asks if they are new to the library" in page
    response = client.post(
        url,
        post_data(
            title=course.title,
            trainers=[str(trainer.pk)],
            questions=[
                {"text": NEW["text"], "kind": "yes_no", "asks_if_new": "on", "ORDER": "1"},
                {**TEAM, "ORDER": "2"},
            ],
        ),
    )
    assert response.status_code == 302
    new, team = course.questions.all()
    assert (new.asks_if_new, new.new_answer) == (True, "yes")
    shown = client.get(reverse("training:manage_course", args=[course.slug])).content.decode()
    assert "asks if they are new to the library" in shown

    rows = [
        {"id": new.pk, "text": NEW["text"], "kind": "yes_no", "ORDER": "1"},
        {
            "id": team.pk,
            **TEAM,
            "asks_if_new": "on",
            "new_answer": "First time here",
            "ORDER": "2",
        },
    ]
    response = client.post(
        url, post_data(title=course.title, trainers=[str(trainer.pk)], questions=rows)
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.asks_if_new, team.new_answer) == (True, "First time here")

    rows[0]["asks_if_new"] = "on"
    response = client.post(
        url, post_data(title=course.title, trainers=[str(trainer.pk)], questions=rows)
    )
    assert response.status_code == 400
    assert "a course has one" in response.content.decode()
