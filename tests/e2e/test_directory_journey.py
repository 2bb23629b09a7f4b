"""A staff development officer keeps the organisation directory in a real browser: adds a
team, links the people who typed a team that matched none, and merges two teams; the page
is axe clean, usable with its open parts, and fits 360 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from guildbook.accounts import organisations
from guildbook.accounts.models import Team, User
from tests.e2e.test_accessibility import readable
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db):
    trust = organisations.organisation_create(name="Acme NHS Trust")
    children = organisations.department_create(organisation=trust, name="Children's services")
    nursing = organisations.team_create(department=children, name="School nursing")
    UserFactory(name="Hana Visitor", team="Health visitors", organisation="Acme NHS Trust")
    UserFactory(name="Ravi Visitor", team="Health visitors", organisation="Acme NHS Trust")
    UserFactory(name="Nell Nurse", directory_team=nursing)
    return UserFactory(email="sam@example.nhs.uk", name="Sam Officer", role="staff_development")


def _axe_clean(page):
    results = Axe().run(page)
    assert results.violations_count == 0, readable(results)


def _fits(page, width=360):
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow}px wide at {width}px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_officer_adds_a_team_links_people_and_merges(new_page, officer):
    page = new_page(user=officer)
    page.goto("/people/")
    page.get_by_role("link", name="The organisation directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation directory")
    _axe_clean(page)

    page.get_by_text("Rename or add a team in Children's services").click()
    page.get_by_label("New team in Children's services").fill("Health visiting")
    page.get_by_role("button", name="Add the team").click()
    expect(page.locator("body")).to_contain_text("Health visiting added to Children's services.")

    row = page.get_by_role("row", name="Health visitors")
    row.get_by_label("Team for the people who typed Health visitors").select_option(
        label="Acme NHS Trust → Children's services → Health visiting"
    )
    row.get_by_role("button", name="Link the people who typed Health visitors").click()
    expect(page.locator("body")).to_contain_text("2 people linked to Health visiting.")
    assert page.get_by_role("row", name="Health visitors").count() == 0

    # One "Merge teams" form: the same team twice is refused beside the field.
    merge = page.get_by_role("group", name="Merge one team into another")
    merge.get_by_label("Merge this team").select_option(
        label="Acme NHS Trust → Children's services → Health visiting"
    )
    merge.get_by_label("into", exact=True).select_option(
        label="Acme NHS Trust → Children's services → Health visiting"
    )
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose another team to merge into.")
    _axe_clean(page)
    merge.get_by_label("into", exact=True).focus()
    page.keyboard.press("End")  # keyboard only: the last team in the list
    assert merge.get_by_label("into", exact=True).input_value() == str(
        Team.objects.get(name="School nursing").pk
    )
    _fits(page)
    page.get_by_role("button", name="Merge", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Health visiting is merged into School nursing" in page.content()
    assert not Team.objects.filter(name="Health visiting").exists()
    assert User.objects.filter(directory_team__name="School nursing").count() == 3

    # A duplicate name is refused with the reason, on the page.
    page.get_by_text("Rename or add a team in Children's services").click()
    page.get_by_label("New team in Children's services").fill("school nursing")
    page.get_by_role("button", name="Add the team").click()
    expect(page.get_by_role("alert")).to_contain_text("already has a team called")
    _axe_clean(page)
    _fits(page)
