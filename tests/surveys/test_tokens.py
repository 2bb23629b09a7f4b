"""Survey links: 128 random bits signed for one purpose, good until the survey closes. A
link that cannot be used gets a plain page saying why, never an error page, and changes
nothing."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from guildbook.surveys import tokens
from guildbook.surveys.models import Invitation, Response
from guildbook.training import links
from tests.factories import UserFactory
from tests.surveys.conftest import book, mark, past_session


def answer_page(token):
    return reverse("surveys:answer", args=[token])


def first_choice(invitation):
    question = invitation.template.questions.first()
    return question, question.choices.first()


def test_a_token_names_its_invitation_for_its_purpose_only(invitation):
    token = tokens.make_token(invitation, "answer")
    assert tokens.invitation_from_token(token, "answer") == invitation
    with pytest.raises(tokens.BadToken) as caught:
        tokens.invitation_from_token(token, "done")
    assert caught.value.reason == "invalid"
    # The signed value is the random key, not the row id: ids are guessable, keys are not.
    assert signing.loads(token, salt="guildbook.surveys.answer") == invitation.key
    assert str(invitation.pk) != invitation.key


def test_the_valid_link_opens_the_survey(invitation, browser):
    page = browser.get(answer_page(tokens.make_token(invitation, "answer")))
    assert page.status_code == 200
    assert b"Have you used what you learned since the session?" in page.content


@pytest.mark.parametrize("mangle", ["tamper", "truncate", "nonsense", "other_key"])
def test_a_tampered_link_gets_the_friendly_page_and_records_nothing(invitation, browser, mangle):
    token = tokens.make_token(invitation, "answer")
    if mangle == "tamper":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif mangle == "truncate":
        token = token[: len(token) // 2]
    elif mangle == "nonsense":
        token = "not-a-token"
    else:  # a real signature over a key that is not an invitation's
        token = signing.dumps("A" * 22, salt="guildbook.surveys.answer")
    question, choice = first_choice(invitation)
    for response in (
        browser.get(answer_page(token)),
        Client().post(answer_page(token), {f"q{question.pk}": [choice.pk]}),
    ):
        assert response.status_code == 200
        assert b"This link does not work" in response.content
        assert b"Traceback" not in response.content
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_a_token_for_another_purpose_does_not_work(invitation, browser):
    done = tokens.make_token(invitation, "done")
    page = browser.get(answer_page(done))
    assert b"This link does not work" in page.content
    answer = tokens.make_token(invitation, "answer")
    page = browser.get(reverse("surveys:external_done", args=[answer]))
    assert b"This link does not work" in page.content
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_a_training_booking_link_token_is_refused(invitation, browser):
    booking = invitation.booking
    for purpose in links.LINK_PURPOSES:
        token = links.booking_link_token(booking, purpose)
        page = browser.get(answer_page(token))
        assert page.status_code == 200
        assert b"This link does not work" in page.content
    # And the other way round: a survey token is no booking link.
    survey = tokens.make_token(invitation, "answer")
    with pytest.raises(links.BadLink):
        links.booking_from_link_token(survey, "release")


def test_an_expired_link_says_the_survey_has_closed(course, browser):
    # Ended 45 days ago: the survey was due 15 days ago and closes in 6 days; then it is
    # moved to have closed yesterday.
    session = past_session(course, ended_ago=timedelta(days=45))
    booking = book(session, UserFactory())
    mark(booking, True)
    invitation = Invitation.objects.get(booking=booking)
    token = tokens.make_token(invitation, "answer")
    assert browser.get(answer_page(token)).status_code == 200
    Invitation.objects.filter(pk=invitation.pk).update(
        closes_at=session.ends_at + timedelta(days=44)
    )
    page = browser.get(answer_page(token))
    assert page.status_code == 410
    assert b"This survey has closed" in page.content


def test_signing_max_age_is_a_backstop(invitation, monkeypatch):
    token = tokens.make_token(invitation, "answer")
    monkeypatch.setattr(tokens, "MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(tokens.BadToken) as caught:
        tokens.invitation_from_token(token, "answer")
    assert caught.value.reason == "closed"


def test_replaying_an_answer_after_the_close_is_refused(invitation, browser):
    token = tokens.make_token(invitation, "answer")
    question, choice = first_choice(invitation)
    page = browser.get(answer_page(token) + f"?choice={choice.pk}")
    csrf = page.cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": csrf, f"q{question.pk}": [choice.pk]}
    first = browser.post(answer_page(token), data)
    assert first.status_code == 302
    answered = Invitation.objects.get(pk=invitation.pk).answered_at
    # The survey closes (moved rather than waited for): the same post again is refused.
    Invitation.objects.filter(pk=invitation.pk).update(
        due_at=answered - timedelta(days=21), closes_at=answered - timedelta(seconds=1)
    )
    again = browser.post(answer_page(token), {**data, f"q{question.pk}": [choice.pk]})
    assert again.status_code == 410
    assert b"This survey has closed" in again.content
    assert Response.objects.get().answers.count() == 1


def test_a_withdrawn_invitation_gets_its_own_page(register, browser):
    _session, bookings = register
    invitation = Invitation.objects.get(booking=bookings["Ben"])
    token = tokens.make_token(invitation, "answer")
    mark(bookings["Ben"], False)
    page = browser.get(answer_page(token))
    assert page.status_code == 410
    assert b"This survey is no longer for you" in page.content
    question, choice = first_choice(invitation)
    Client().post(answer_page(token), {f"q{question.pk}": [choice.pk]})
    assert not Response.objects.exists()
