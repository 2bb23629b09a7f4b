"""Answering a follow-up survey from its link: a GET shows (mail scanners follow links),
one POST records; required and conditional questions are enforced on the server; an
anonymous response keeps nothing that points at the person."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.notifications.models import OutboxMessage
from guildbook.surveys import messages, services, tokens
from guildbook.surveys.models import Answer, Invitation, Question, Response


def url(invitation, query=""):
    return reverse("surveys:answer", args=[tokens.make_token(invitation, "answer")]) + query


def questions(invitation):
    return list(invitation.template.questions.order_by("position"))


def choice(question, label):
    return question.choices.get(label=label)


def send(browser, invitation, data, query=""):
    """Open the page as a person would, then press its button (CSRF checked)."""
    page = browser.get(url(invitation, query))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the page has a form"
    return browser.post(url(invitation), {"csrfmiddlewaretoken": token.group(1), **data})


def test_a_one_click_get_shows_the_answer_chosen_and_records_nothing(invitation, browser):
    q1 = questions(invitation)[0]
    yes = choice(q1, "Yes, regularly")
    for _ in range(3):  # a mail scanner, a preview, the person
        page = browser.get(url(invitation, f"?choice={yes.pk}"))
        assert page.status_code == 200
    html = page.content.decode()
    assert re.search(rf'id="q{q1.pk}-{yes.pk}"[^>]*value="{yes.pk}" checked', html)
    assert "Send my answer" in html
    assert html.count('type="submit"') == 1 + html.count("Sign out")  # one button
    assert "Tell us more (optional, 4 questions)" in html  # the rest folds away
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_a_choice_of_another_question_is_not_preselected(invitation, browser):
    q1 = questions(invitation)[0]
    page = browser.get(url(invitation, "?choice=999999"))
    assert page.status_code == 200
    assert (
        "checked" not in page.content.decode().split(f"q{q1.pk}-block")[1].split("</fieldset>")[0]
    )


def test_post_records_a_named_response_and_stops_the_reminder(invitation, browser):
    q1, helped, _got, confidence, _else = questions(invitation)
    yes = choice(q1, "Yes, a little")
    response = send(
        browser,
        invitation,
        {f"q{q1.pk}": yes.pk, f"q{helped.pk}": "A colleague", f"q{confidence.pk}": "4"},
        query=f"?choice={yes.pk}",
    )
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    saved = Response.objects.get()
    invitation.refresh_from_db()
    assert saved.invitation == invitation and saved.submitted_at == invitation.answered_at
    answers = {a.question_id: a for a in saved.answers.all()}
    assert answers[q1.pk].choice == yes
    assert answers[helped.pk].text == "A colleague"
    assert answers[confidence.pk].number == 4
    reminder = OutboxMessage.objects.get(kind=messages.REMINDER, object_id=invitation.pk)
    assert reminder.status == "void"
    thanks = browser.get(response["Location"])
    assert b"Thank you" in thanks.content
    assert b"A colleague" in thanks.content  # named: their answers, to change


def test_a_named_person_may_change_their_answers_until_the_close(invitation, browser):
    q1 = questions(invitation)[0]
    send(browser, invitation, {f"q{q1.pk}": choice(q1, "Not yet").pk})
    first_time = Invitation.objects.get(pk=invitation.pk).answered_at
    page = browser.get(url(invitation))
    assert b"You have answered this survey" in page.content
    assert b"Save my changes" in page.content
    send(browser, invitation, {f"q{q1.pk}": choice(q1, "Yes, regularly").pk})
    [answer] = Answer.objects.all()
    assert answer.choice.label == "Yes, regularly"
    assert Invitation.objects.get(pk=invitation.pk).answered_at == first_time
    assert Response.objects.count() == 1


def test_the_required_question_is_required(invitation, browser):
    _q1, helped, *_ = questions(invitation)
    response = send(browser, invitation, {f"q{helped.pk}": "Some text"})
    assert response.status_code == 400
    assert b"Please answer this question." in response.content
    assert b"Some text" in response.content  # what was typed is kept
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("other-question", b"Choose one of the answers shown."),
        ("two-choices", b"Choose one answer."),
        ("scale-9", b"Choose a number from 1 to 5."),
    ],
)
def test_answers_that_do_not_fit_the_question_are_refused(invitation, browser, data, message):
    q1, _helped, _got, confidence, _else = questions(invitation)
    other = Question.objects.exclude(template=invitation.template).first()
    values = {
        "other-question": {f"q{q1.pk}": "999999"},
        "two-choices": {f"q{q1.pk}": [c.pk for c in q1.choices.all()[:2]]},
        "scale-9": {f"q{q1.pk}": q1.choices.first().pk, f"q{confidence.pk}": "9"},
    }[data]
    assert other is None or other.pk  # (another template's choices are never accepted)
    response = send(browser, invitation, values)
    assert response.status_code == 400
    assert message in response.content
    assert not Response.objects.exists()


def test_an_answer_to_a_hidden_conditional_question_is_ignored(invitation, browser):
    q1, _helped, got_in_the_way, *_ = questions(invitation)
    assert got_in_the_way.show_if_choice.label == "Not yet"
    send(
        browser,
        invitation,
        {f"q{q1.pk}": choice(q1, "Yes, regularly").pk, f"q{got_in_the_way.pk}": "Time"},
    )
    assert not Answer.objects.filter(question=got_in_the_way).exists()


def test_a_shown_conditional_question_is_kept_and_its_required_rule_applies(invitation, browser):
    q1, _helped, got_in_the_way, *_ = questions(invitation)
    Question.objects.filter(pk=got_in_the_way.pk).update(required=True)
    # Hidden (condition not met): its required rule does not apply.
    services.response_submit(
        invitation=invitation, answers={q1.pk: [str(choice(q1, "Yes, a little").pk)]}
    )
    # Shown: it is required.
    with pytest.raises(services.AnswersInvalid) as caught:
        services.response_submit(
            invitation=invitation, answers={q1.pk: [str(choice(q1, "Not yet").pk)]}
        )
    assert set(caught.value.errors) == {f"q{got_in_the_way.pk}"}
    services.response_submit(
        invitation=invitation,
        answers={q1.pk: [str(choice(q1, "Not yet").pk)], got_in_the_way.pk: ["No time"]},
    )
    assert Answer.objects.get(question=got_in_the_way).text == "No time"


def test_the_page_works_without_scripts_and_loads_only_a_static_one(invitation, browser):
    html = browser.get(url(invitation)).content.decode()
    q1 = questions(invitation)[0]
    assert f'data-show-if="q{q1.pk}"' in html
    assert "For those who answered “Not yet” to question 1." in html
    assert re.search(r'<script src="[^"]*surveys/conditions\.js"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script


def test_an_anonymous_response_has_no_invitation_and_no_time(course, register, browser):
    _session, bookings = register
    moment = course.survey_moments.get()
    services.moment_update(moment=moment, actor=None, anonymous=True)
    invitation = Invitation.objects.get(booking=bookings["Ben"])
    q1, helped, *_ = questions(invitation)
    response = send(
        browser, invitation, {f"q{q1.pk}": choice(q1, "Yes, regularly").pk, f"q{helped.pk}": "X"}
    )
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.invitation_id is None and saved.submitted_at is None
    assert saved.anonymous
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    # Afterwards only the fact is shown: no answers, nothing to change.
    page = browser.get(url(invitation))
    assert b"You have answered this survey" in page.content
    assert b"Save my changes" not in page.content and b">X<" not in page.content
    again = Client().post(url(invitation), {f"q{q1.pk}": choice(q1, "Not yet").pk})
    assert again.status_code == 200 and b"You have answered" in again.content
    assert Response.objects.count() == 1 and Answer.objects.count() == 2


def test_the_external_done_page_marks_the_invitation_answered(invitation, browser):
    done = reverse("surveys:external_done", args=[tokens.make_token(invitation, "done")])
    for _ in range(2):  # repeats are harmless
        page = browser.get(done)
        assert page.status_code == 200
        assert b"You will not get a reminder" in page.content
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert not Response.objects.exists()  # the answers live in the external survey
    reminder = OutboxMessage.objects.get(kind=messages.REMINDER, object_id=invitation.pk)
    assert reminder.status == "void"


def test_answering_after_the_close_is_refused_by_the_service(invitation):
    q1 = questions(invitation)[0]
    with pytest.raises(services.ServiceError) as caught:
        services.response_submit(
            invitation=invitation,
            answers={q1.pk: [str(q1.choices.first().pk)]},
            now=invitation.closes_at + timedelta(seconds=1),
        )
    assert caught.value.code == "closed"
