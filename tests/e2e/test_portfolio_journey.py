"""A candidate's portfolio journey in a real browser, at phone size (360 px wide): add
evidence with a photo, rate the skills audit and turn a gap into a goal, write the statement
with references (the live count moves), run the completeness check, export and open the PDF.
Every page is scanned with axe and must fit the screen without sideways scrolling."""

import io
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from guildbook.portfolios import services as portfolio_services
from guildbook.portfolios.models import Evidence, SkillsArea
from guildbook.qualifications import services as qualifications
from guildbook.qualifications.models import Goal, Scheme
from tests.e2e.conftest import TIMEOUT_MS, _session_cookie
from tests.e2e.test_accessibility import readable
from tests.factories import CourseFactory, UserFactory
from tests.portfolios.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PORTFOLIO_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def phone(playwright_browser, live_server):
    def open_phone(user):
        context = playwright_browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 360, "height": 740},
            is_mobile=True,
            has_touch=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([_session_cookie(user, live_server.url)])
        return context.new_page()

    return open_phone


def check(page, name):
    """axe-clean, and nothing wider than the screen."""
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}:\n" + readable(results)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360px"


def test_portfolio_journey_on_a_phone(phone, tmp_path):
    cara = UserFactory(email="cara@example.nhs.uk", name="Cara Candidate")
    candidacy = qualifications.candidacy_start(
        person=cara,
        scheme=Scheme.objects.get(slug="chartership-2021"),
        actor=cara,
        target_date=date(2027, 12, 1),
    )
    course = CourseFactory(title="Literature searching", slug="literature-searching")
    portfolio_services.course_areas_set(
        course=course, areas=SkillsArea.objects.filter(code="research-skills"), actor=None
    )
    page = phone(cara)
    from playwright.sync_api import expect

    # 1. Evidence from a phone: one screen, a photo from the camera.
    page.goto(reverse("portfolios:evidence_add"))
    check(page, "add evidence")
    page.get_by_label("Kind").select_option("file")
    page.get_by_label("Title").fill("Flipchart from the team meeting")
    page.get_by_role("textbox", name="Text").fill("We planned a **search surgery**.")
    page.get_by_label("Chartership: Personal performance").check()
    photo = tmp_path / "IMG_0001.png"
    photo.write_bytes(png_bytes())
    page.get_by_label("Take a photo").set_input_files(str(photo))
    page.get_by_role("button", name="Add to my log").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E1")
    expect(page.locator("img.evidence-image")).to_be_visible()
    check(page, "evidence")
    page.goto(reverse("portfolios:evidence_add"))
    page.get_by_label("Title").fill("Searched for the school nurses")
    page.get_by_role("textbox", name="Text").fill("They used two papers.")
    page.get_by_role("button", name="Add to my log").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E2")
    assert [e.number for e in Evidence.objects.filter(person=cara).order_by("number")] == [1, 2]
    page.goto(reverse("portfolios:evidence_log"))
    check(page, "evidence log")

    # 2. The skills audit: rate, see the gap, make it a goal.
    page.goto(reverse("portfolios:skills"))
    check(page, "skills")
    page.get_by_role("button", name="Start the audit").click()
    area = page.locator("#area-research-skills")
    area.get_by_label("Now").select_option("1")
    area.get_by_label("Target").select_option("3")
    page.get_by_role("button", name="Save the audit").click()
    expect(page.get_by_role("heading", name="Gaps")).to_be_visible()
    expect(page.get_by_role("link", name="Literature searching")).to_be_visible()
    check(page, "skills audit")
    page.get_by_role("button", name="Make it a goal for Research skills").click()
    expect(page.get_by_role("status")).to_contain_text("Develop Research skills")
    assert Goal.objects.filter(plan__candidacy=candidacy, what="Develop Research skills").exists()

    # 3. The statement: the live count ignores [E1] references and moves as we type.
    page.goto(reverse("portfolios:statement", args=[candidacy.pk]))
    check(page, "statement")
    box = page.get_by_label("Your statement")
    box.fill("## Personal performance\n\nI ran a search [E2] and a surgery [E1].")
    expect(page.locator("#word-count")).to_contain_text("9 words of 1,000")
    page.get_by_role("button", name="Save a draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft 1 saved: 9 words")
    expect(page.get_by_role("link", name="[E2]")).to_be_visible()

    # 4. The completeness check, then the export and the PDF.
    page.goto(reverse("portfolios:builder", args=[candidacy.pk]))
    expect(page.get_by_text("Not ready yet")).to_be_visible()
    check(page, "builder")
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Portfolio PDF")
    check(page, "export status")
    call_command("worker", "--once", verbosity=0)
    expect(page.get_by_role("link", name="Download")).to_be_visible(timeout=20_000)
    check(page, "export ready")
    response = page.request.get(page.get_by_role("link", name="Download").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    assert len(reader.pages) >= 4
    assert "DRAFT" in reader.pages[0].extract_text()

    # 5. The mentor of the shared portfolio adds their own rating beside Cara's.
    mo = UserFactory(email="mo@example.nhs.uk", name="Mo Mentor")
    profile = qualifications.mentor_profile_save(user=mo, actor=mo, capacity=2)
    request = qualifications.mentor_request_create(
        candidacy=candidacy, mentor=profile, actor=cara, message="Please"
    )
    qualifications.mentor_request_accept(request=request, actor=mo)
    portfolio_services.mentor_share_set(candidacy=candidacy, actor=cara, shared=True, confirm=True)
    mentor_page = phone(mo)
    mentor_page.goto(reverse("portfolios:builder", args=[candidacy.pk]))
    mentor_page.get_by_role("link", name="Skills audits: add your rating").first.click()
    expect(mentor_page.get_by_role("heading", level=1)).to_contain_text("skills audits")
    check(mentor_page, "mentor's skills audits")
    mentor_page.get_by_role("link", name="Start audit: rate it").click()
    check(mentor_page, "mentor's rating")
    area = mentor_page.locator("#area-research-skills")
    area.get_by_label("Your rating").select_option("2")
    mentor_page.get_by_role("button", name="Save your ratings").click()
    expect(mentor_page.get_by_role("alert")).to_contain_text("Nothing was saved")
    check(mentor_page, "mentor's rating refused")
    area.get_by_label("Why").fill("Searches well; next, teach it")
    mentor_page.get_by_role("button", name="Save your ratings").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("are saved")
    page.goto(reverse("portfolios:skills"))
    page.get_by_role("link", name="Start").click()
    expect(page.locator("#area-research-skills")).to_contain_text(
        "Your mentor's rating: 2 Developing. Why: Searches well; next, teach it"
    )


def test_a_trainer_tags_a_course_with_skills_areas_on_a_phone(phone):
    from playwright.sync_api import expect

    from guildbook.portfolios.models import CourseSkillsArea

    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    course = CourseFactory(title="Literature searching", slug="literature-searching")
    course.trainers.add(tess)
    page = phone(tess)
    page.goto(reverse("training:manage_course_edit", args=[course.slug]))
    fieldset = page.get_by_role("group", name="Skills areas")
    expect(fieldset).to_be_visible()
    check(page, "course form")
    fieldset.get_by_label("Research skills").check()
    page.get_by_role("button", name="Save the course").click()
    expect(page.get_by_role("status")).to_contain_text("Course saved")
    assert [link.area.code for link in CourseSkillsArea.objects.filter(course=course)] == [
        "research-skills"
    ]
