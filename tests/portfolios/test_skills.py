"""Skills audits: ratings with reasons, audits side by side, the mentor's rating, courses
tagged with areas, and a gap turned into a goal."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import SkillsFramework
from guildbook.qualifications.models import Goal
from tests.factories import CourseFactory
from tests.portfolios.conftest import add


@pytest.fixture
def pksb(db):
    return SkillsFramework.objects.get(slug="cilip-pksb")


@pytest.fixture
def audit(candidate, pksb):
    return services.audit_start(
        person=candidate, framework=pksb, name="Start", taken_on=date(2026, 1, 10), actor=candidate
    )


def rating_of(audit, code):
    return audit.ratings.get(area__code=code)


def test_audit_rates_every_area(audit):
    assert audit.ratings.count() == 12


def test_first_rating_needs_no_reason_a_change_does(candidate, audit):
    r = services.rating_set(
        rating=rating_of(audit, "research-skills"), actor=candidate, current=1, target=3
    )
    assert r.is_gap
    with pytest.raises(ServiceError) as refused:
        services.rating_set(rating=r, actor=candidate, current=2, target=3)
    assert refused.value.field == "justification"
    evidence = add(candidate, title="Literature search for the board")
    r = services.rating_set(
        rating=r,
        actor=candidate,
        current=2,
        target=3,
        justification="Ran two searches",
        evidence=evidence,
    )
    assert (r.current, r.evidence) == (2, evidence)


@pytest.mark.parametrize("value", [5, -1, "lots"])
def test_ratings_stay_on_the_scale(candidate, audit, value):
    with pytest.raises(ServiceError):
        services.rating_set(
            rating=rating_of(audit, "research-skills"), actor=candidate, current=value
        )


def test_someone_elses_evidence_or_rating_is_refused(candidate, stranger, audit):
    theirs = add(stranger)
    with pytest.raises(ServiceError):
        services.rating_set(
            rating=rating_of(audit, "research-skills"), actor=candidate, current=1, evidence=theirs
        )
    with pytest.raises(NotAllowed):
        services.rating_set(rating=rating_of(audit, "research-skills"), actor=stranger, current=1)


def test_next_audit_starts_from_the_last_and_sits_beside_it(
    candidate, audit, pksb, django_assert_num_queries
):
    services.rating_set(
        rating=rating_of(audit, "research-skills"), actor=candidate, current=1, target=3
    )
    middle = services.audit_start(
        person=candidate, framework=pksb, name="Middle", taken_on=date(2026, 6, 1), actor=candidate
    )
    assert (
        rating_of(middle, "research-skills").current,
        rating_of(middle, "research-skills").target,
    ) == (1, 3)
    services.rating_set(
        rating=rating_of(middle, "research-skills"),
        actor=candidate,
        current=2,
        target=3,
        justification="Better",
    )
    with django_assert_num_queries(3):
        audits, rows = selectors.audit_grid(candidate, pksb)
    research = next(cells for area, cells in rows if area.code == "research-skills")
    assert [a.name for a in audits] == ["Start", "Middle"]
    assert [c.current for c in research] == [1, 2]


def test_mentor_rating_only_by_the_mentor(candidate, stranger, audit):
    with pytest.raises(NotAllowed):
        services.rating_mentor_set(
            rating=rating_of(audit, "research-skills"), actor=stranger, mentor_rating=2
        )


def test_gap_becomes_a_goal_once_and_lists_tagged_courses(candidate, audit, candidacy, pksb):
    r = services.rating_set(
        rating=rating_of(audit, "research-skills"), actor=candidate, current=1, target=3
    )
    course = CourseFactory(title="Literature searching")
    services.course_areas_set(
        course=course, areas=pksb.areas.filter(code="research-skills"), actor=None
    )
    goal = services.gap_to_goal(rating=r, candidacy=candidacy, actor=candidate)
    assert goal.what == "Develop Research skills" and goal.plan.candidacy == candidacy
    assert services.gap_to_goal(rating=r, candidacy=candidacy, actor=candidate) == goal
    assert Goal.objects.filter(plan__candidacy=candidacy).count() == 1
    assert selectors.courses_for_areas([r.area_id]) == {r.area_id: [course]}


def test_no_gap_no_goal(candidate, audit, candidacy):
    r = services.rating_set(
        rating=rating_of(audit, "research-skills"), actor=candidate, current=3, target=3
    )
    with pytest.raises(ServiceError):
        services.gap_to_goal(rating=r, candidacy=candidacy, actor=candidate)


def test_pages_rate_and_turn_a_gap_into_a_goal(candidate, candidacy, pksb):
    client = Client()
    client.force_login(candidate)
    response = client.post(
        reverse("portfolios:skills"), {"name": "Start", "taken_on": "2026-01-10"}
    )
    audit = candidate.skills_audits.get()
    assert response["Location"] == reverse("portfolios:skills_audit", args=[audit.pk])
    r = rating_of(audit, "research-skills")
    response = client.post(
        reverse("portfolios:skills_audit", args=[audit.pk]),
        {f"r{r.pk}-current": "1", f"r{r.pk}-target": "3"},
    )
    assert response.status_code == 302
    page = client.get(reverse("portfolios:skills_audit", args=[audit.pk]))
    assert b"Make it a goal" in page.content
    client.post(reverse("portfolios:skills_gap_goal", args=[r.pk]), {"candidacy": candidacy.pk})
    assert Goal.objects.filter(plan__candidacy=candidacy, what="Develop Research skills").exists()
    # A change without a reason is not saved, and says why.
    page = client.post(
        reverse("portfolios:skills_audit", args=[audit.pk]),
        {f"r{r.pk}-current": "2", f"r{r.pk}-target": "3"},
    )
    assert page.status_code == 200 and "changed" in page.content.decode()
    assert client.get(reverse("portfolios:skills")).status_code == 200


def test_skills_pages_are_404_for_others(candidate, stranger, audit, candidacy):
    client = Client()
    client.force_login(stranger)
    r = rating_of(audit, "research-skills")
    assert client.get(reverse("portfolios:skills_audit", args=[audit.pk])).status_code == 404
    assert client.post(reverse("portfolios:skills_audit", args=[audit.pk])).status_code == 404
    assert (
        client.post(
            reverse("portfolios:skills_gap_goal", args=[r.pk]), {"candidacy": candidacy.pk}
        ).status_code
        == 404
    )
