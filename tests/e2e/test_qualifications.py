"""Qualifications in a real browser: the whole journey from starting a Chartership to the
officer's approval, and every page of the app scanned by axe and fitted to a 360-pixel
screen."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.qualifications.models import Candidacy, FundingRequest, MentorRequest
from tests.e2e.test_accessibility import readable
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.qualifications.conftest import build_scene, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_360(page) -> None:
    """No sideways scrolling on a 360-pixel-wide screen."""
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"


def test_chartership_from_start_to_funded(new_page):
    cara = UserFactory(email="cara@example.nhs.uk", name="Cara Candidate", team="Library")
    mia = mentor("mia@example.nhs.uk", name="Mia Mentor", sector="Health", capacity=2)
    mentor("max@example.nhs.uk", name="Max Mentor", sector="Academic")
    sam = UserFactory(email="sam@example.nhs.uk", name="Sam Development", role="sdo")
    course = CourseFactory(title="Building your portfolio", slug="building-your-portfolio")
    SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=10), capacity=8)

    # Cara starts Chartership (current regulations) from her qualifications page.
    page = new_page(user=cara)
    page.goto(reverse("qualifications:home"))
    page.get_by_role("link", name="Chartership (2021)").click()
    page.get_by_role("button", name="Start Chartership").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chartership")
    candidacy = Candidacy.objects.get(person=cara)

    # She finds a mentor in health and asks her.
    page.get_by_role("link", name="Find a mentor").click()
    page.get_by_label("Sector").select_option("Health")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 mentor")
    page.get_by_role("link", name="Ask Mia Mentor").click()
    page.get_by_label("Your message to the mentor").fill("I am a clinical librarian.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request has gone to Mia Mentor.")).to_be_visible()

    # Mia accepts and logs their first meeting with an action.
    mentor_page = new_page(user=mia.user)
    mentor_page.goto(reverse("qualifications:mentor_home"))
    mentor_page.get_by_role("link", name="Cara Candidate").click()
    mentor_page.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_text("You have accepted.")).to_be_visible()
    mentor_page.get_by_role("link", name="Log a meeting").click()
    mentor_page.get_by_label("Notes").fill("Went through the criteria.")
    mentor_page.locator("#id_actions-0-text").fill("Draft the CV")
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    mentor_page.locator("#id_actions-0-due_on").fill(due)
    mentor_page.get_by_role("button", name="Save the meeting").click()
    expect(mentor_page.get_by_text("Draft the CV")).to_be_visible()
    assert MentorRequest.objects.get(candidacy=candidacy).status == "accepted"

    # Cara adds a goal linked to the portfolio course and books it from her plan.
    page.reload()
    expect(page.get_by_text("Mia Mentor is the mentor")).to_be_visible()
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("What do you want to achieve?").fill("Build my portfolio")
    page.get_by_label("Personal performance").check()
    page.get_by_role("button", name="Save the goal").click()
    page.get_by_role("link", name=re.compile("Change the goal or add an activity")).click()
    page.get_by_label("Or a course from the catalogue").select_option(label=course.title)
    page.get_by_role("button", name="Add the activity").click()
    page.get_by_role("link", name=re.compile("Book a place")).click()
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text(f"You have a place on {course.title}.")).to_be_visible()
    expect(page.get_by_text(re.compile("booked for"))).to_be_visible()

    # She asks Staff Development to fund the submission fee.
    page.get_by_role("link", name="Ask Staff Development to fund a fee").click()
    expect(page.get_by_text("Membership fees cannot be funded").first).to_be_visible()
    page.get_by_label("Submission fee (£75)").check()
    page.get_by_label("Why should Staff Development fund it?").fill("Agreed at appraisal.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request has gone to Staff Development")).to_be_visible()

    # Sam approves it.
    officer = new_page(user=sam)
    officer.goto(reverse("qualifications:funding_queue"))
    officer.get_by_role("link", name="Cara Candidate").click()
    officer.get_by_label("Comment to the candidate").fill("Good luck!")
    officer.get_by_role("button", name="Approve").click()
    expect(officer.get_by_text("Approved. The candidate has been told.")).to_be_visible()
    assert FundingRequest.objects.get(candidacy=candidacy).status == "approved"

    # Cara sees it on her journey, on a phone too.
    page.reload()
    funding = page.get_by_role("table", name="Funding requests")
    expect(funding).to_contain_text("Approved")
    expect(funding).to_contain_text("Good luck!")
    fits_360(page)


# (page name, who, address from the scene)
PAGES = [
    ("dashboard", "candidate", lambda s: reverse("qualifications:home")),
    ("scheme", "candidate", lambda s: reverse("qualifications:scheme", args=["chartership-2009"])),
    (
        "candidacy",
        "candidate",
        lambda s: reverse("qualifications:candidacy", args=[s.candidacy.pk]),
    ),
    (
        "candidacy as mentor",
        "mentor",
        lambda s: reverse("qualifications:candidacy", args=[s.candidacy.pk]),
    ),
    ("withdraw", "candidate", lambda s: reverse("qualifications:withdraw", args=[s.candidacy.pk])),
    (
        "find a mentor",
        "candidate",
        lambda s: reverse("qualifications:find_mentor", args=[s.candidacy.pk]),
    ),
    (
        "ask a mentor",
        "candidate",
        lambda s: reverse(
            "qualifications:request_mentor",
            args=[s.candidacy.pk, s.other_mentor.mentor_profile.pk],
        ),
    ),
    ("goal", "candidate", lambda s: reverse("qualifications:goal_edit", args=[s.goal.pk])),
    (
        "book from the plan",
        "candidate",
        lambda s: reverse("qualifications:activity_book", args=[s.activity.pk]),
    ),
    (
        "funding request form",
        "candidate",
        lambda s: reverse("qualifications:funding_new", args=[s.candidacy.pk]),
    ),
    ("mentor directory", "learner", lambda s: reverse("qualifications:directory")),
    ("mentoring", "mentor", lambda s: reverse("qualifications:mentor_home")),
    ("mentor profile", "mentor", lambda s: reverse("qualifications:mentor_profile")),
    (
        "answer a request",
        "other_mentor",
        lambda s: reverse(
            "qualifications:request_answer", args=[s.other_candidacy.mentor_requests.get().pk]
        ),
    ),
    (
        "log a meeting",
        "mentor",
        lambda s: reverse("qualifications:meeting_new", args=[s.candidacy.pk]),
    ),
    (
        "completion form",
        "mentor",
        lambda s: reverse("qualifications:completion", args=[s.candidacy.pk]),
    ),
    ("funding queue", "officer", lambda s: reverse("qualifications:funding_queue")),
    (
        "funding request",
        "officer",
        lambda s: reverse("qualifications:funding_detail", args=[s.funding.pk]),
    ),
    ("funding report", "officer", lambda s: reverse("qualifications:funding_report")),
    ("training record with qualifications", "candidate", lambda s: reverse("training:my_record")),
]


@pytest.fixture
def scene(db):
    return build_scene()


@pytest.mark.parametrize(("name", "who", "address"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible_and_fits_a_phone(new_page, scene, name, who, address):
    page = new_page(user=getattr(scene, who))
    response = page.goto(address(scene))
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    results = Axe().run(page)
    assert results.violations_count == 0, (
        f"{name} ({page.url}) has {results.violations_count} accessibility violation(s):\n"
        + readable(results)
    )
    fits_360(page)
