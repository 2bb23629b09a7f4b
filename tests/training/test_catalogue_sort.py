"""The catalogue: sorted by next date (or by title), dates typed the British way, and the
filters folded behind one button on a phone."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.forms import parse_date
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _titles(page: str) -> list[str]:
    return re.findall(r'<h2 id="course-\d+"><a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def three(db):
    now = timezone.now()
    soon = CourseFactory(title="Zotero for beginners")
    later = CourseFactory(title="Appraising evidence")
    CourseFactory(title="Making posters")  # no dates
    SessionFactory(course=soon, starts_at=now + timedelta(days=3))
    SessionFactory(course=later, starts_at=now + timedelta(days=30))


def test_courses_come_in_order_of_their_next_date_by_default(client, person, three):
    client.force_login(person)
    page = client.get(reverse("training:catalogue")).content.decode()
    assert _titles(page) == ["Zotero for beginners", "Appraising evidence", "Making posters"]


def test_courses_can_be_sorted_by_title(client, person, three):
    client.force_login(person)
    page = client.get(reverse("training:catalogue") + "?sort=title").content.decode()
    assert _titles(page) == ["Appraising evidence", "Making posters", "Zotero for beginners"]


@pytest.mark.parametrize(
    "typed", ["06/12/2026", "6/12/2026", "6 December 2026", "6 Dec 2026", "2026-12-06"]
)
def test_dates_are_read_the_british_way(typed):
    assert parse_date(typed) == date(2026, 12, 6)


def test_the_date_fields_are_text_with_a_british_hint(client, person, three):
    client.force_login(person)
    page = client.get(reverse("training:catalogue")).content.decode()
    assert 'type="date"' not in page
    assert "For example 6/12/2026 or 6 December 2026" in page
    response = client.get(reverse("training:catalogue") + "?date_from=12/31/2026")
    assert "Enter a date such as 6/12/2026 or 6 December 2026." in response.content.decode()
    ok = client.get(reverse("training:catalogue") + "?date_from=1 January 2000").content.decode()
    assert "Dates from 1 January 2000" in ok


def test_on_a_phone_the_filters_fold_behind_one_button(client, person, three):
    client.force_login(person)
    page = client.get(reverse("training:catalogue")).content.decode()
    assert re.search(r'<details class="filters-fold"[^>]*>\s*<summary', page)
    assert "Search and filter" in page


def test_one_person_matches(client, officer):
    from tests.factories import UserFactory

    UserFactory(name="Zebedee Unique")
    client.force_login(officer)
    page = client.get(reverse("training:people") + "?q=Zebedee").content.decode()
    assert "1 person</strong> matches" in page
