"""The demo's qualification journeys: a dozen mentors, both regulation sets and Revalidation,
candidates at different stages, and the demo accounts placed in the story."""

import pytest
from django.core.management import call_command

from guildbook.accounts.models import User
from guildbook.qualifications import selectors
from guildbook.qualifications.models import Candidacy, FundingRequest, MentorProfile

pytestmark = pytest.mark.slow


def test_the_demo_has_mentors_and_candidates_at_different_stages(db):
    call_command("demo", seed=3, password="heron-quill-lantern-42")
    assert MentorProfile.objects.count() == 12
    margaret = User.objects.get(name="Margaret Ellis")
    assert margaret.has_perm("qualifications.act_as_mentor")

    slugs = set(Candidacy.objects.values_list("scheme__slug", flat=True))
    assert {"chartership-2009", "certification-2009"} <= slugs  # the seed's regulations
    assert {"certification-2021", "chartership-2021", "fellowship-2021"} <= slugs
    assert "revalidation-2021" in slugs
    statuses = set(Candidacy.objects.values_list("status", flat=True))
    assert {"active", "awarded", "withdrawn"} <= statuses

    jamie = User.objects.get(name="Jamie Carter")
    (mine,) = selectors.my_candidacies(jamie)
    assert mine.mentor_now.mentor.user == margaret
    assert 0 < mine.journey.percent < 100
    assert mine.meetings.exists() and mine.plan.goals.exists()
    assert FundingRequest.objects.filter(candidacy=mine, status="requested").exists()
    assert FundingRequest.objects.filter(status="paid").exists()
    # Someone is behind their plan.
    assert any(selectors.journey(c).overdue for c in Candidacy.objects.filter(status="active"))
