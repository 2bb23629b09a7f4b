"""A trainer reads a course's figures, compares two years, downloads them and asks the
planner how often to run it, in a real browser; both pages are axe clean and fit 360 px."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from guildbook.training.history import history_import
from guildbook.training.history_demo import CourseHistory, history_csv, history_rows
from tests.e2e.test_accessibility import readable
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(db):
    trainer = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    courses = [
        CourseHistory(
            "Get Tweeting",
            [(date(2023, 1, 10), 1), (date(2024, 1, 9), 2)],
            date(2025, 1, 1),
            demand_per_month=7,
        ),
        CourseHistory("Critical appraisal", [(date(2023, 1, 20), 2)], date(2025, 1, 1), 4),
    ]
    assert history_import(text=history_csv(history_rows(courses, seed=5))).errors == []
    return trainer


def _fits(page, width=360):
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow}px wide at {width}px"


def _axe_clean(page):
    results = Axe().run(page)
    assert results.violations_count == 0, readable(results)


def test_a_trainer_compares_two_years_and_asks_the_planner(new_page, story):
    page = new_page(user=story)
    page.goto("/manage/insights/")
    page.get_by_label("Course").select_option(label="Get Tweeting (retired)")
    page.get_by_label("Sessions from", exact=True).fill("1/1/2023")
    page.get_by_label("to", exact=True).fill("2023-12-31")
    page.get_by_label("Compare with sessions from").fill("2024-01-01")
    page.get_by_label("to (comparison)").fill("2024-12-31")
    page.get_by_role("button", name="Show figures").click()
    table = page.get_by_role("table", name="1 January 2023 to 31 December 2023 beside")
    assert table.get_by_role("row", name="Sessions run").inner_text().split()[-2:] == ["12", "6"]
    expect(page.get_by_role("img", name="Fill and attendance, month by month")).to_be_visible()
    _axe_clean(page)
    _fits(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_download() as download:
        page.get_by_role("link", name="Figures (CSV)").click()
    assert download.value.suggested_filename == "insights-get-tweeting-figures.csv"

    page.get_by_role("link", name="How often should we run it? (planner)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^How often"))
    page.get_by_label("Places a session").fill("20")
    page.get_by_role("button", name="Work it out").click()
    expect(page.get_by_role("table", name="a session of 20 places")).to_be_visible()
    expect(page.get_by_role("row", name="Quarterly")).to_be_visible()
    _axe_clean(page)
    _fits(page)
