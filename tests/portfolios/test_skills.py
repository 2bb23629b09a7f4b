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


def test_mentor_rates_only_while_a_portfolio_is_shared(candidate, candidacy, mentor, audit):
    research = rating_of(audit, "research-skills")
    with pytest.raises(NotAllowed):
        services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=2, comment="Ok")
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=2, comment="Ok")
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=False)
    with pytest.raises(NotAllowed):
        services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=3, comment="Up")
    research.refresh_from_db()
    assert research.mentor_rating == 2


def test_mentor_rating_needs_a_reason_when_given_or_changed(candidate, candidacy, mentor, audit):
    from guildbook.core.models import AuditEntry

    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    research = rating_of(audit, "research-skills")
    with pytest.raises(ServiceError) as refused:
        services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=2)
    assert refused.value.field == "mentor_comment"
    services.rating_mentor_set(
        rating=research, actor=mentor, mentor_rating=2, comment="Searches well, not yet teaching"
    )
    with pytest.raises(ServiceError):
        services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=3, comment="")
    with pytest.raises(ServiceError):
        services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=5, comment="x")
    research.refresh_from_db()
    assert (research.mentor_rating, research.mentor_comment) == (
        2,
        "Searches well, not yet teaching",
    )
    assert (research.current_label, research.mentor_label) == ("", "Developing")
    # The same again is no change, and leaves no second trail entry.
    services.rating_mentor_set(
        rating=research, actor=mentor, mentor_rating="2", comment="Searches well, not yet teaching"
    )
    assert AuditEntry.objects.filter(action="skills_mentor_rated").count() == 1
    services.rating_mentor_set(rating=research, actor=mentor, mentor_rating=None, comment="")
    research.refresh_from_db()
    assert research.mentor_rating is None


def test_mentor_rates_the_audit_and_the_candidate_sees_it_beside_theirs(
    candidate, candidacy, mentor, audit
):
    services.rating_set(
        rating=rating_of(audit, "research-skills"),
        actor=candidate,
        current=1,
        target=3,
        justification="New to searching",
    )
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    research, teaching = (
        rating_of(audit, "research-skills"),
        rating_of(audit, "literacies-and-learning"),
    )
    page = _client(mentor).get(
        reverse("portfolios:mentor_skills_audit", args=[candidacy.pk, audit.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cara Candidate" in html and "1 Basic" in html and "New to searching" in html
    url = reverse("portfolios:mentor_skills_audit", args=[candidacy.pk, audit.pk])
    # One rating without a reason: nothing saved, the reason asked for, what was typed kept.
    refused = _client(mentor).post(
        url,
        {
            f"r{research.pk}-mentor": "2",
            f"r{research.pk}-comment": "Good searches",
            f"r{teaching.pk}-mentor": "3",
        },
    )
    assert refused.status_code == 200
    assert "Say briefly why you rate" in refused.content.decode()
    assert 'value="Good searches"' in refused.content.decode()
    research.refresh_from_db()
    assert research.mentor_rating is None
    saved = _client(mentor).post(
        url, {f"r{research.pk}-mentor": "2", f"r{research.pk}-comment": "Good searches"}
    )
    assert saved.status_code == 302
    research.refresh_from_db()
    assert (research.mentor_rating, research.mentor_comment) == (2, "Good searches")
    grid = _client(mentor).get(reverse("portfolios:mentor_skills", args=[candidacy.pk]))
    assert "You: 2" in grid.content.decode()
    mine = _client(candidate).get(reverse("portfolios:skills_audit", args=[audit.pk]))
    assert "Your mentor's rating: <strong>2 Developing</strong>. Why: Good searches" in (
        mine.content.decode()
    )


def test_the_mentors_pages_are_404_to_everyone_else(candidate, candidacy, mentor, audit, stranger):
    from guildbook.qualifications import services as qualifications
    from guildbook.qualifications.models import Scheme

    urls = [
        reverse("portfolios:mentor_skills", args=[candidacy.pk]),
        reverse("portfolios:mentor_skills_audit", args=[candidacy.pk, audit.pk]),
    ]
    for url in urls:  # not shared yet: not even the mentor
        assert _client(mentor).get(url).status_code == 404
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    for url in urls:
        assert _client(stranger).get(url).status_code == 404
        assert _client(mentor).get(url).status_code == 200
    # Another person's audit through this mentee's address is a 404 too.
    other_audit = services.audit_start(
        person=stranger,
        framework=audit.framework,
        name="Start",
        taken_on=date(2026, 1, 10),
        actor=stranger,
    )
    other = reverse("portfolios:mentor_skills_audit", args=[candidacy.pk, other_audit.pk])
    assert _client(mentor).get(other).status_code == 404
    # The stranger's own candidacy, which Mo does not mentor.
    theirs = qualifications.candidacy_start(
        person=stranger,
        scheme=Scheme.objects.get(slug="chartership-2021"),
        actor=stranger,
        target_date=date(2027, 12, 1),
    )
    assert (
        _client(mentor)
        .get(reverse("portfolios:mentor_skills_audit", args=[theirs.pk, other_audit.pk]))
        .status_code
        == 404
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


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


def test_an_audit_date_is_typed_day_first_and_a_bad_one_is_a_message(candidate, pksb):
    client = Client()
    client.force_login(candidate)
    # Well formed but not a date: a message beside the form, no audit, never a 500.
    page = client.post(reverse("portfolios:skills"), {"name": "Start", "taken_on": "2026-13-45"})
    assert page.status_code == 400
    assert "Enter a date such as" in page.content.decode()
    assert not candidate.skills_audits.exists()
    client.post(reverse("portfolios:skills"), {"name": "Start", "taken_on": "10/1/2026"})
    assert candidate.skills_audits.get().taken_on == date(2026, 1, 10)


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
