"""Building survey templates: the services' rules (versions, conditions, the impact question,
duplicating, archiving) and the trainers' editor pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from guildbook.core.errors import ServiceError
from guildbook.surveys import services
from guildbook.surveys.models import (
    Answer,
    Choice,
    SurveyTemplate,
)
from tests.factories import (
    CourseFactory,
    InvitationFactory,
    ResponseFactory,
    SessionFactory,
    SurveyMomentFactory,
    UserFactory,
)

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def survey(trainer):
    """A template like the follow-up: an impact question, a conditional one, a scale."""
    template = services.template_create(title="Get Tweeting follow-up", actor=trainer)
    used = services.question_add(
        template=template,
        kind="single",
        text="Have you used Twitter since the session?",
        choices=["Yes, regularly", "Yes, a little", "Not yet"],
        required=True,
        is_impact=True,
        actor=trainer,
    )
    not_yet = used.choices.get(label="Not yet")
    services.question_add(
        template=template,
        kind="long_text",
        text="What got in the way?",
        show_if_choice=not_yet,
        actor=trainer,
    )
    services.question_add(
        template=template,
        kind="scale",
        text="How confident do you feel now?",
        scale_low_label="Not at all",
        scale_high_label="Very",
        actor=trainer,
    )
    return template


def _invite(moment, template, *, due_at, answered_at=None):
    session = SessionFactory(course=moment.course, starts_at=due_at - timedelta(days=30, hours=2))
    return InvitationFactory(
        moment=moment, template=template, session=session, due_at=due_at, answered_at=answered_at
    )


def _answer(invitation):
    """A named response to the invitation's version: the first question, first choice."""
    question = invitation.template.questions.get(position=1)
    response = ResponseFactory(invitation=invitation, submitted_at=NOW)
    Answer.objects.create(response=response, question=question, choice=question.choices.first())
    invitation.answered_at = NOW
    invitation.save(update_fields=["answered_at"])
    return response


@pytest.fixture
def in_use(survey, course):
    """The survey used by a course: one answered invitation, one sent but unanswered, one
    still to be sent."""
    moment = SurveyMomentFactory(course=course, template=survey)
    answered = _invite(moment, survey, due_at=NOW - timedelta(days=3))
    response = _answer(answered)
    sent = _invite(moment, survey, due_at=NOW - timedelta(days=1))
    unsent = _invite(moment, survey, due_at=NOW + timedelta(days=5))
    return {
        "moment": moment,
        "answered": answered,
        "response": response,
        "sent": sent,
        "unsent": unsent,
    }


# --- Building ---------------------------------------------------------------------------


def test_yes_no_questions_get_yes_and_no_with_yes_counting_as_impact(survey, trainer):
    question = services.question_add(
        template=survey, kind="yes_no", text="Did you tweet?", actor=trainer
    )
    assert [(c.label, c.counts_as_impact) for c in question.choices.all()] == [
        ("Yes", True),
        ("No", False),
    ]
    assert question.position == 4


def test_choice_questions_need_two_answers(survey, trainer):
    with pytest.raises(ServiceError) as err:
        services.question_add(
            template=survey,
            kind="multiple",
            text="Which?",
            choices=["Only one", " "],
            actor=trainer,
        )
    assert err.value.field == "choices"
    assert survey.questions.count() == 3


def test_scale_labels_are_kept_only_on_a_scale(survey, trainer):
    question = services.question_add(
        template=survey,
        kind="short_text",
        text="Your team?",
        scale_low_label="Low",
        actor=trainer,
    )
    assert question.scale_low_label == ""
    scale = survey.questions.get(kind="scale")
    assert (scale.scale_low_label, scale.scale_high_label) == ("Not at all", "Very")


def test_a_condition_must_point_to_an_earlier_choice_question_of_the_same_template(survey, trainer):
    used, in_the_way, scale = survey.questions.order_by("position")
    assert in_the_way.show_if_question == used
    assert in_the_way.show_if_choice.label == "Not yet"

    # A later question cannot be the condition.
    later = services.question_add(
        template=survey, kind="yes_no", text="Did you tweet?", actor=trainer
    )
    with pytest.raises(ServiceError) as err:
        services.question_set_condition(
            question=scale, show_if_choice=later.choices.first(), actor=trainer
        )
    assert err.value.field == "show_if_choice"

    # Another template's question cannot either.
    other = services.template_create(title="How was it?", actor=trainer)
    elsewhere = services.question_add(template=other, kind="yes_no", text="OK?", actor=trainer)
    with pytest.raises(ServiceError):
        services.question_set_condition(
            question=scale, show_if_choice=elsewhere.choices.first(), actor=trainer
        )

    # An earlier question's answer can; None removes the condition again.
    question = services.question_set_condition(
        question=scale, show_if_choice=used.choices.get(label="Yes, a little"), actor=trainer
    )
    assert question.show_if_question == used
    question = services.question_set_condition(question=scale, show_if_choice=None, actor=trainer)
    assert question.show_if_question is None and question.show_if_choice is None


def test_moving_a_question_above_the_one_it_depends_on_is_refused(survey, trainer):
    used, in_the_way, scale = survey.questions.order_by("position")
    with pytest.raises(ServiceError) as err:
        services.question_move(question=in_the_way, direction="up", actor=trainer)
    assert "must stay below" in err.value.message
    with pytest.raises(ServiceError):
        services.question_move(question=used, direction="down", actor=trainer)

    services.question_move(question=scale, direction="up", actor=trainer)
    assert list(survey.questions.order_by("position").values_list("text", flat=True)) == [
        used.text,
        scale.text,
        in_the_way.text,
    ]
    # The first question cannot go further up: nothing changes.
    services.question_move(question=used, direction="up", actor=trainer)
    assert survey.questions.get(position=1) == used


def test_removing_a_question_others_depend_on_is_refused_and_positions_close_up(survey, trainer):
    used, in_the_way, scale = survey.questions.order_by("position")
    with pytest.raises(ServiceError) as err:
        services.question_remove(question=used, actor=trainer)
    assert "Question 2" in err.value.message
    with pytest.raises(ServiceError):
        services.choice_remove(choice=in_the_way.show_if_choice, actor=trainer)

    services.question_remove(question=in_the_way, actor=trainer)
    assert list(survey.questions.values_list("position", "text")) == [
        (1, used.text),
        (2, scale.text),
    ]


def test_there_is_one_impact_question_and_it_has_one_answer(survey, trainer):
    used = survey.questions.get(position=1)
    did = services.question_add(
        template=survey, kind="yes_no", text="Did you tweet?", is_impact=True, actor=trainer
    )
    assert list(survey.questions.filter(is_impact=True)) == [did]
    with pytest.raises(ServiceError) as err:
        services.question_set_impact(
            template=survey, question=survey.questions.get(kind="scale"), actor=trainer
        )
    assert err.value.field == "is_impact"
    services.question_set_impact(template=survey, question=used, actor=trainer)
    assert list(survey.questions.filter(is_impact=True)) == [used]
    with pytest.raises(ServiceError) as err:
        services.question_update(
            question=used, text=used.text, kind="multiple", required=True, actor=trainer
        )
    assert err.value.field == "kind"


def test_choices_are_added_renamed_reordered_and_removed(survey, trainer):
    used = survey.questions.get(position=1)
    tried = services.choice_add(question=used, label="I tried and stopped", actor=trainer)
    with pytest.raises(ServiceError):
        services.choice_add(question=used, label="not yet", actor=trainer)
    services.choice_update(
        choice=tried, label="I tried, then stopped", counts_as_impact=False, actor=trainer
    )
    ids = list(used.choices.values_list("pk", flat=True))
    services.choices_reorder(question=used, order=[ids[-1], *ids[:-1]], actor=trainer)
    assert list(used.choices.values_list("label", flat=True)) == [
        "I tried, then stopped",
        "Yes, regularly",
        "Yes, a little",
        "Not yet",
    ]
    services.choice_remove(choice=used.choices.get(label="Yes, a little"), actor=trainer)
    assert list(used.choices.values_list("position", flat=True)) == [1, 2, 3]
    yes_no = services.question_add(template=survey, kind="yes_no", text="OK?", actor=trainer)
    with pytest.raises(ServiceError):
        services.choice_add(question=yes_no, label="Maybe", actor=trainer)


# --- Versions ---------------------------------------------------------------------------


def test_a_version_nobody_has_been_sent_is_changed_in_place(survey, trainer, course):
    moment = SurveyMomentFactory(course=course, template=survey)
    unsent = _invite(moment, survey, due_at=NOW + timedelta(days=5))
    changed = services.template_update(
        template=survey, title="Twitter, a month on", actor=trainer, now=NOW
    )
    assert changed.pk == survey.pk and changed.version == 1
    assert SurveyTemplate.objects.filter(family=survey.family).count() == 1
    unsent.refresh_from_db()
    assert unsent.template_id == survey.pk


def test_editing_an_answered_version_makes_a_new_one_and_moves_what_is_unsent(
    survey, trainer, in_use
):
    old_questions = {q.pk: q for q in survey.questions.all()}
    used = survey.questions.get(position=1)
    question = services.question_update(
        question=used,
        text="Have you tweeted since the session?",
        required=True,
        actor=trainer,
        now=NOW,
    )
    new = question.template
    survey.refresh_from_db()
    assert new.pk != survey.pk and new.family == survey.family
    assert (new.version, new.is_current) == (2, True)
    assert survey.is_current is False

    # The old version is untouched: the answer still points at the question asked.
    assert set(survey.questions.values_list("pk", flat=True)) == set(old_questions)
    assert survey.questions.get(position=1).text == "Have you used Twitter since the session?"
    answer = in_use["response"].answers.get()
    assert answer.question_id == used.pk and answer.question.template_id == survey.pk

    # The copy has every question, with the condition pointed at the copied answer.
    copies = list(new.questions.order_by("position"))
    assert [q.text for q in copies] == [
        "Have you tweeted since the session?",
        "What got in the way?",
        "How confident do you feel now?",
    ]
    assert copies[1].show_if_question == copies[0]
    assert copies[1].show_if_choice.question == copies[0]
    assert copies[1].show_if_choice.label == "Not yet"
    assert copies[0].is_impact and copies[2].scale_high_label == "Very"
    assert not set(
        Choice.objects.filter(question__template=new).values_list("pk", flat=True)
    ) & set(Choice.objects.filter(question__template=survey).values_list("pk", flat=True))

    # The course's moment and the unsent invitation move; the sent ones stay.
    for key in ("moment", "answered", "sent", "unsent"):
        in_use[key].refresh_from_db()
    assert in_use["moment"].template == new
    assert in_use["unsent"].template == new
    assert in_use["answered"].template == survey
    assert in_use["sent"].template == survey
    assert in_use["response"].template == survey


def test_every_change_after_the_first_goes_to_the_new_version(survey, trainer, in_use):
    first = services.template_update(
        template=survey, title="Twitter, a month on", actor=trainer, now=NOW
    )
    second = services.question_add(
        template=first, kind="short_text", text="Your team?", actor=trainer, now=NOW
    )
    assert second.template == first
    assert SurveyTemplate.objects.filter(family=survey.family).count() == 2


def test_a_change_to_a_replaced_version_is_refused(survey, trainer, in_use):
    used = survey.questions.get(position=1)
    services.template_update(template=survey, title="Twitter, a month on", actor=trainer, now=NOW)
    with pytest.raises(services.TemplateChanged):
        services.question_update(question=used, text="Changed?", actor=trainer, now=NOW)
    assert SurveyTemplate.objects.filter(family=survey.family).count() == 2


def test_a_sent_invitation_freezes_its_version_too(survey, trainer, course):
    moment = SurveyMomentFactory(course=course, template=survey)
    sent = _invite(moment, survey, due_at=NOW - timedelta(hours=1))
    choice = survey.questions.get(position=1).choices.first()
    changed = services.choice_update(choice=choice, label="Yes, every week", actor=trainer, now=NOW)
    assert changed.question.template.version == 2
    choice.refresh_from_db()
    assert choice.label == "Yes, regularly"  # what the e-mail's buttons said
    sent.refresh_from_db()
    assert sent.template == survey


def test_removing_a_question_of_an_answered_version_removes_it_from_the_copy_only(
    survey, trainer, in_use
):
    scale = survey.questions.get(kind="scale")
    new = services.question_remove(question=scale, actor=trainer, now=NOW)
    assert new.version == 2
    assert new.questions.count() == 2
    assert survey.questions.filter(pk=scale.pk).exists()


def test_usage_counts_answers_and_sent_invitations(survey, in_use):
    usage = services.template_usage(template=survey, now=NOW)
    assert usage == {"answered": 1, "sent": 2, "frozen": True}


# --- Duplicating and archiving ----------------------------------------------------------


def test_duplicate_copies_questions_choices_and_conditions_into_a_new_template(survey, trainer):
    copy = services.template_duplicate(template=survey, actor=trainer)
    assert copy.family != survey.family
    assert (copy.version, copy.is_current, copy.is_default) == (1, True, False)
    assert copy.title == "Copy of Get Tweeting follow-up"
    questions = list(copy.questions.order_by("position"))
    assert [q.text for q in questions] == list(
        survey.questions.order_by("position").values_list("text", flat=True)
    )
    assert questions[1].show_if_choice.question == questions[0]
    assert questions[0].choices.count() == 3


def test_archive_refuses_the_default_and_templates_in_use(survey, trainer, course):
    moment = SurveyMomentFactory(course=course, template=survey)
    with pytest.raises(ServiceError) as err:
        services.template_archive(template=survey, actor=trainer)
    assert "1 course still uses" in err.value.message
    moment.active = False
    moment.save()
    archived = services.template_archive(template=survey, actor=trainer)
    assert archived.archived
    with pytest.raises(ServiceError):
        services.question_add(template=archived, kind="short_text", text="More?", actor=trainer)
    services.template_restore(template=archived, actor=trainer)

    default = services.template_create(title="Follow-up", actor=trainer)
    SurveyTemplate.objects.filter(is_default=True).update(is_default=False)
    SurveyTemplate.objects.filter(pk=default.pk).update(is_default=True)
    default.refresh_from_db()
    with pytest.raises(ServiceError) as err:
        services.template_archive(template=default, actor=trainer)
    assert "default" in err.value.message
    default.refresh_from_db()
    assert not default.archived


def test_the_default_can_be_edited_and_stays_the_default(trainer, course):
    default = services.template_create(title="Follow-up", actor=trainer)
    SurveyTemplate.objects.filter(is_default=True).update(is_default=False)
    SurveyTemplate.objects.filter(pk=default.pk).update(is_default=True)
    services.question_add(template=default, kind="yes_no", text="Used it?", actor=trainer)
    moment = SurveyMomentFactory(course=course, template=default)
    _answer(_invite(moment, default, due_at=NOW - timedelta(days=1)))
    new = services.template_update(template=default, title="Follow-up, a month on", actor=trainer)
    assert new.is_default and new.is_current
    assert SurveyTemplate.objects.get(is_default=True, is_current=True) == new


# --- Pages ------------------------------------------------------------------------------


def test_learners_cannot_reach_the_template_pages(client, person, survey):
    question = survey.questions.first()
    addresses = [
        reverse("surveys:manage_templates"),
        reverse("surveys:manage_template_create"),
        reverse("surveys:manage_template", args=[survey.family]),
        reverse("surveys:manage_template_preview", args=[survey.family]),
        reverse("surveys:manage_question_edit", args=[question.pk]),
    ]
    for address in addresses:
        assert client.get(address).status_code == 302  # to sign in
    client.force_login(person)
    for address in addresses:
        assert client.get(address).status_code == 404
    response = client.post(
        reverse("surveys:manage_question_move", args=[question.pk]), {"direction": "down"}
    )
    assert response.status_code == 404
    assert survey.questions.get(pk=question.pk).position == 1


def test_a_trainer_builds_a_template_with_a_conditional_question_and_previews_it(client, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("surveys:manage_template_create"),
        {"title": "Get Tweeting: a month on", "intro": "It takes a minute."},
    )
    template = SurveyTemplate.objects.get(title="Get Tweeting: a month on")
    editor = reverse("surveys:manage_template", args=[template.family])
    assert response.status_code == 302 and response.url == editor

    add_single = reverse("surveys:manage_question_add", args=[template.family, "single"])
    assert "Answers to choose from" in client.get(add_single).content.decode()
    response = client.post(
        add_single,
        {
            "kind": "single",
            "text": "Have you used Twitter since the session?",
            "required": "on",
            "is_impact": "on",
            "choices": "Yes, regularly\nYes, a little\nNot yet",
        },
    )
    assert response.status_code == 302
    first = template.questions.get()
    not_yet = first.choices.get(label="Not yet")

    add_text = reverse("surveys:manage_question_add", args=[template.family, "long_text"])
    page = client.get(add_text).content.decode()
    assert "the answer is “Not yet”" in page
    assert "Words for 1" not in page  # scale labels only for a scale
    client.post(
        add_text,
        {"kind": "long_text", "text": "What got in the way?", "show_if": str(not_yet.pk)},
    )
    second = template.questions.get(position=2)
    assert second.show_if_choice == not_yet

    page = client.get(editor).content.decode()
    assert "Shown only if the answer to question 1 is “Not yet”." in page
    assert "Impact question" in page

    preview = client.get(reverse("surveys:manage_template_preview", args=[template.family]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "What got in the way?" in html
    assert f'data-show-if-choice="{not_yet.pk}"' in html
    assert "For those who answered “Not yet” to question 1." in html


def test_a_refused_condition_is_shown_beside_its_field(client, trainer, survey):
    client.force_login(trainer)
    scale = survey.questions.get(kind="scale")
    in_the_way = survey.questions.get(position=2)
    # Question 2 is offered no later question's answers; a forged one is refused.
    later = services.question_add(template=survey, kind="yes_no", text="Tweeted?", actor=trainer)
    response = client.post(
        reverse("surveys:manage_question_edit", args=[in_the_way.pk]),
        {"kind": "long_text", "text": in_the_way.text, "show_if": str(later.choices.first().pk)},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    in_the_way.refresh_from_db()
    assert in_the_way.show_if_choice.label == "Not yet"
    assert scale.show_if_choice is None


def test_moving_with_htmx_swaps_the_editor_and_says_what_happened(client, trainer, survey):
    client.force_login(trainer)
    scale = survey.questions.get(kind="scale")
    response = client.post(
        reverse("surveys:manage_question_move", args=[scale.pk]),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="editor-status" hx-swap-oob="innerHTML"' in html
    assert "Question moved to number 2." in html
    scale.refresh_from_db()
    assert scale.position == 2

    # Moving a question above the one it depends on is refused, and said so.
    in_the_way = survey.questions.get(text="What got in the way?")
    move = reverse("surveys:manage_question_move", args=[in_the_way.pk])
    client.post(move, {"direction": "up"}, headers={"HX-Request": "true"})
    assert survey.questions.get(position=2) == in_the_way
    response = client.post(move, {"direction": "up"}, headers={"HX-Request": "true"})
    assert 'role="alert"' in response.content.decode()
    assert "must stay below" in response.content.decode()


def test_the_editor_warns_before_a_change_makes_a_new_version_and_moves_on_to_it(
    client, trainer, survey, in_use
):
    client.force_login(trainer)
    editor = reverse("surveys:manage_template", args=[survey.family])
    page = client.get(editor).content.decode()
    assert "1 person has answered version 1." in page
    assert "Your changes make version 2" in page

    choice = survey.questions.get(position=1).choices.get(label="Not yet")
    response = client.post(
        reverse("surveys:manage_choice", args=[choice.pk]),
        {"action": "save", "label": "Not yet, but I will"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == editor
    new = SurveyTemplate.objects.get(family=survey.family, is_current=True)
    assert new.version == 2
    assert new.questions.get(position=1).choices.filter(label="Not yet, but I will").exists()
    page = client.get(editor).content.decode()
    assert "You are now editing version 2." in page
    assert "Changing this template makes a new version." not in page

    # The page opened before the change still holds version 1's rows: refused, not applied.
    response = client.post(reverse("surveys:manage_choice", args=[choice.pk]), {"action": "remove"})
    assert response.status_code == 302 and response.url == editor
    assert Choice.objects.filter(pk=choice.pk).exists()
    assert SurveyTemplate.objects.filter(family=survey.family).count() == 2


def test_copy_archive_and_remove_from_the_editor(client, trainer, survey, course):
    client.force_login(trainer)
    editor = reverse("surveys:manage_template", args=[survey.family])
    response = client.post(reverse("surveys:manage_template_duplicate", args=[survey.family]))
    copy = SurveyTemplate.objects.get(title="Copy of Get Tweeting follow-up")
    assert response.url == reverse("surveys:manage_template", args=[copy.family])

    moment = SurveyMomentFactory(course=course, template=survey)
    archive = reverse("surveys:manage_template_archive", args=[survey.family])
    response = client.post(archive, follow=True)
    assert "1 course still uses this template" in response.content.decode()
    moment.active = False
    moment.save()
    response = client.post(archive, follow=True)
    assert response.redirect_chain[-1][0] == reverse("surveys:manage_templates")
    assert "Archived templates" in response.content.decode()
    page = client.get(editor).content.decode()
    assert "Bring it back" in page and "Move up" not in page

    # Removing asks first; the answer is a POST.
    question = copy.questions.get(kind="scale")
    remove = reverse("surveys:manage_question_remove", args=[question.pk])
    assert "Remove question 3?" in client.get(remove).content.decode()
    assert copy.questions.filter(pk=question.pk).exists()
    client.post(remove)
    assert not copy.questions.filter(pk=question.pk).exists()


def _templates_in_use(n, trainer):
    for i in range(n):
        template = services.template_create(title=f"Template {i}", actor=trainer)
        question = services.question_add(
            template=template, kind="yes_no", text="Used it?", actor=trainer
        )
        course = CourseFactory()
        moment = SurveyMomentFactory(course=course, template=template)
        invitation = _invite(moment, template, due_at=NOW - timedelta(days=1))
        _answer(invitation)
        assert question.template == template


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("surveys:manage_templates"))
    assert response.status_code == 200
    return len(queries), response


def test_the_list_takes_the_same_queries_for_1_and_10_templates(client, trainer):
    client.force_login(trainer)
    _templates_in_use(1, trainer)
    one, _response = _list_queries(client)
    _templates_in_use(9, trainer)
    ten, response = _list_queries(client)
    assert ten == one
    html = response.content.decode()
    assert html.count('<td class="num">1</td>') >= 30  # 10 rows: version, courses, answers


def test_the_editor_takes_the_same_queries_for_3_and_30_questions(client, trainer, survey):
    client.force_login(trainer)
    editor = reverse("surveys:manage_template", args=[survey.family])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(editor).status_code == 200
        return len(captured)

    few = queries()
    used = survey.questions.get(position=1)
    for i in range(27):
        services.question_add(
            template=survey,
            kind="single",
            text=f"Question {i}",
            choices=["One", "Two", "Three"],
            show_if_choice=used.choices.first(),
            actor=trainer,
        )
    assert queries() == few


# --- Admin ------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    client.force_login(
        UserFactory(
            email="admin@example.nhs.uk", name="Ann Admin", is_staff=True, is_superuser=True
        )
    )
    return client


def test_the_admin_shows_no_person_for_an_anonymous_response(staff_client, survey, course):
    moment = SurveyMomentFactory(course=course, template=survey, anonymous=True)
    invitation = _invite(moment, survey, due_at=NOW - timedelta(days=1))
    person = invitation.booking.person
    # Names with apostrophes are escaped in the page: the checks below must allow for that.
    person.name = "Aoife O'Connor"
    person.save(update_fields=["name"])
    response = ResponseFactory(
        invitation=None,
        submitted_at=None,
        moment=moment,
        template=survey,
        session=invitation.session,
    )
    question = survey.questions.get(position=1)
    Answer.objects.create(response=response, question=question, choice=question.choices.first())
    named = _answer(
        _invite(
            SurveyMomentFactory(course=course, template=survey),
            survey,
            due_at=NOW - timedelta(days=2),
        )
    )

    listing = staff_client.get(reverse("admin:surveys_response_changelist")).content.decode()
    page = staff_client.get(
        reverse("admin:surveys_response_change", args=[response.pk])
    ).content.decode()
    assert "Anonymous" in listing and "Anonymous" in page
    for html in (listing, page):
        assert person.email not in html and escape(person.name) not in html
        assert reverse("admin:surveys_invitation_change", args=[invitation.pk]) not in html
        assert reverse("admin:training_booking_change", args=[invitation.booking_id]) not in html
    named.invitation.booking.person.name = "Carolyn O'Neill"
    named.invitation.booking.person.save(update_fields=["name"])
    named_page = staff_client.get(
        reverse("admin:surveys_response_change", args=[named.pk])
    ).content.decode()
    assert escape(named.invitation.booking.person.display_name) in named_page


def test_changing_an_answered_template_in_the_admin_makes_a_new_version(
    staff_client, survey, in_use
):
    address = reverse("admin:surveys_surveytemplate_change", args=[survey.pk])
    assert staff_client.get(address).status_code == 200
    response = staff_client.post(
        address,
        {
            "title": "Twitter, a month on",
            "intro": "",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Get Tweeting follow-up" and not survey.is_current
    new = SurveyTemplate.objects.get(family=survey.family, is_current=True)
    assert (new.version, new.title, new.questions.count()) == (2, "Twitter, a month on", 3)
    # The answered version can no longer be changed there.
    assert staff_client.post(address, {"title": "Again"}).status_code == 403


# --- At the same moment -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_trainers_changing_an_answered_version_at_once_make_one_new_version(trainer):
    """Both start from version 1, which people answered. The row lock lets one copy it; the
    other's change, aimed at a version that is no longer current, is refused."""
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        # SQLite's in-memory test database refuses a second writer outright instead of
        # making it wait; its IMMEDIATE transactions serialise these changes anyway.
        pytest.skip("runs on PostgreSQL, where writers really run side by side")

    course = CourseFactory()
    template = services.template_create(title="Follow-up", actor=trainer)
    question = services.question_add(
        template=template, kind="yes_no", text="Used it?", actor=trainer
    )
    moment = SurveyMomentFactory(course=course, template=template)
    _answer(_invite(moment, template, due_at=NOW - timedelta(days=1)))

    barrier = threading.Barrier(2)
    outcomes = []

    def change(text):
        try:
            barrier.wait(timeout=10)
            services.question_update(question=question, text=text, actor=trainer)
            outcomes.append("changed")
        except services.TemplateChanged:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(t,)) for t in ("Tweeted?", "Used Twitter?")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["changed", "refused"]
    versions = SurveyTemplate.objects.filter(family=template.family)
    assert versions.count() == 2
    assert versions.filter(is_current=True).get().version == 2
    moment.refresh_from_db()
    assert moment.template.version == 2
