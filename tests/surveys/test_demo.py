"""The demo's follow-up surveys: Get Tweeting asks about Twitter, and past sessions have
answers that keep the answering rules, so results pages show something."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.surveys import selectors
from guildbook.surveys.messages import REMINDER
from guildbook.surveys.models import Invitation, Response, SurveyMoment
from guildbook.training.models import Booking

pytestmark = pytest.mark.slow


def test_the_demo_has_follow_up_answers_that_keep_the_rules(db):
    call_command("demo", seed=7, password="heron-quill-lantern-42")
    now = timezone.now()

    tweeting = SurveyMoment.objects.get(course__slug="get-tweeting")
    assert tweeting.template.questions.first().text == "Have you used Twitter since the session?"
    assert set(Invitation.objects.filter(moment=tweeting).values_list("template", flat=True)) == {
        tweeting.template_id
    }

    # Only people who attended were invited.
    assert not Invitation.objects.exclude(booking__attendance=Booking.Attendance.ATTENDED).exists()

    results = selectors.results_for(moment=tweeting, course=tweeting.course, now=now)
    assert results.invitations > 20 and 0 < results.responses < results.invitations
    assert 0 < results.impact.count < results.impact.total

    # Named answers point at their invitation; anonymous ones at nobody and no time.
    anonymous = SurveyMoment.objects.get(course__slug="critical-appraisal-rcts")
    assert anonymous.anonymous
    assert Response.objects.filter(moment=anonymous).exists()
    assert not Response.objects.filter(moment=anonymous, invitation__isnull=False).exists()
    assert not Response.objects.filter(moment=anonymous, submitted_at__isnull=False).exists()
    named = Response.objects.exclude(moment=anonymous)
    assert not named.filter(invitation__isnull=True).exists()
    answered = Invitation.objects.filter(answered_at__isnull=False)
    assert answered.exclude(moment=anonymous).count() == named.count()
    assert not answered.filter(answered_at__gt=now).exists()
    # Nobody who answered is reminded.
    assert not OutboxMessage.objects.filter(
        kind=REMINDER, status="pending", object_id__in=answered.values("pk")
    ).exists()
