"""Free-text survey answers that no database can store are refused with a message beside
the question, on SQLite and PostgreSQL alike, and nothing is recorded."""

from datetime import timedelta

import pytest

from guildbook.surveys import services
from guildbook.surveys.models import Response, SurveyMoment
from tests.factories import SurveyMomentFactory, UserFactory
from tests.surveys import results_scene

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_nul_character_in_free_text_is_refused(course, anonymous):
    SurveyMoment.objects.filter(course=course).delete()
    v = results_scene.make_version()
    moment = SurveyMomentFactory(
        course=course, name="Follow-up", template=v.template, days_after=0, anonymous=anonymous
    )
    session = results_scene.ended_session(course, 1)
    invitation = results_scene.invite(moment, session, UserFactory(), template=v.template)
    answers = {
        v.q["impact"].pk: [str(v.c["Yes, regularly"].pk)],
        v.q["else"].pk: ["Great\x00 session"],
    }
    with pytest.raises(services.AnswersInvalid) as caught:
        services.response_submit(
            invitation=invitation, answers=answers, now=invitation.due_at + timedelta(hours=1)
        )
    assert caught.value.errors == {
        f"q{v.q['else'].pk}": "This answer contains a character that cannot be saved; remove it."
    }
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
