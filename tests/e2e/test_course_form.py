"""The trainers' course form in a real browser, from the keyboard only, on a phone-width
screen: two agenda items added without saving, one moved, the course saved in that order,
the focus kept on the row and the move announced; axe finds nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from guildbook.training import services
from tests.e2e.phone import PHONE_HEIGHT, PHONE_WIDTH
from tests.e2e.test_accessibility import readable
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page) -> str:
    return page.evaluate("document.activeElement.name || document.activeElement.id")


def _tab_to(page, name: str, *, limit: int = 400) -> None:
    """Press Tab until the element named `name` (its name attribute, or its value for a
    button) has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(n) => { const e = document.activeElement; return e && (e.name === n && "
            "e.tagName !== 'BUTTON' || e.tagName === 'BUTTON' && e.value === n); }",
            name,
        ):
            return
    raise AssertionError(f"Tab never reached {name}")


def test_a_trainer_adds_two_rows_reorders_and_saves_from_the_keyboard(new_page):
    from playwright.sync_api import expect

    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    course = CourseFactory(title="Get Tweeting")
    services.course_plan_set(
        course=course, actor=tess, agenda=[{"title": "Welcome", "minutes": 10}]
    )
    page = new_page(user=tess)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    page.goto(reverse("training:manage_course_edit", args=[course.slug]))
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#required-note")).to_contain_text("(required)")

    # Add two agenda items: each appears empty, with the focus in its first field.
    _tab_to(page, "agenda")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_contain_text("Added an empty agenda item, 2 of 2.")
    assert _focused(page) == "agenda-1-kind"
    page.keyboard.press("Tab")  # minutes
    page.keyboard.type("15")
    page.keyboard.press("Tab")  # title
    page.keyboard.type("Setting up your profile")
    _tab_to(page, "agenda")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_contain_text("Added an empty agenda item, 3 of 3.")
    assert _focused(page) == "agenda-2-kind"
    page.keyboard.press("Tab")
    page.keyboard.type("20")
    page.keyboard.press("Tab")
    page.keyboard.type("Introductions")

    # Move "Introductions" up twice: the focus stays on the row, and the move is announced.
    _tab_to(page, "agenda:2:up")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_contain_text("Moved “Introductions” up, now 2 of 3.")
    assert page.evaluate("document.activeElement.value") == "agenda:2:up"
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_contain_text("Moved “Introductions” up, now 1 of 3.")
    # At the top its "Move up" is gone, so the focus is on its "Move down".
    assert page.evaluate("document.activeElement.value") == "agenda:2:down"
    assert page.evaluate("window.notReloaded") is True, "all in the page, nothing saved yet"
    assert [a.title for a in course.agenda.all()] == ["Welcome"]

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    results = Axe().run(page)
    assert results.violations_count == 0, readable(results)

    # Save: the course keeps the order on the page.
    page.get_by_role("button", name="Save the course").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Course saved.")
    assert [(a.title, a.minutes) for a in course.agenda.all()] == [
        ("Introductions", 20),
        ("Welcome", 10),
        ("Setting up your profile", 15),
    ]
