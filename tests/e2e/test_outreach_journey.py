"""A trainer logs a visit to the school nursing team's meeting, schedules a closed session for
the team from it, and sees whether bookings followed, in a real browser; every page of the
outreach log is axe clean and fits 360 px."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.training.models import Booking, OutreachEntry
from tests.e2e.test_insights_journey import _axe_clean, _fits
from tests.factories import (
    BookingFactory,
    CourseFactory,
    SessionFactory,
    UserFactory,
    directory_team,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def story(db):
    """School nursing: one booking in the 3 months before today, three since today."""
    trainer = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    nursing = directory_team("School nursing")
    course = CourseFactory(title="Get Tweeting", slug="get-tweeting")
    today = timezone.localdate()
    now = timezone.now()
    before = datetime.combine(today - timedelta(days=30), datetime.min.time(), LONDON)
    past = SessionFactory(course=course, starts_at=before + timedelta(days=2, hours=10))
    BookingFactory(
        session=past,
        person=UserFactory(directory_team=nursing),
        confirmed_at=before,
        attendance=Booking.Attendance.ATTENDED,
    )
    soon = SessionFactory(course=course, starts_at=now + timedelta(days=40))
    for _ in range(3):
        BookingFactory(session=soon, person=UserFactory(directory_team=nursing), confirmed_at=now)
    return trainer


def test_a_trainer_logs_outreach_makes_a_closed_session_and_sees_what_followed(new_page, story):
    page = new_page(user=story)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/manage/outreach/")
    _axe_clean(page)
    _fits(page)
    page.get_by_role("link", name="Log outreach").click()
    page.get_by_label("A presentation at a team meeting").check()
    page.get_by_label("Date").fill(date.today().isoformat())
    page.get_by_label("People reached").fill("14")
    page.get_by_label("Tess Trainer").check()
    page.get_by_role("button", name="Log the outreach").click()
    # A clear error beside the field, and nothing typed is lost.
    expect(page.get_by_text("Choose the team, or say who the audience was.")).to_be_visible()
    assert page.get_by_label("People reached").input_value() == "14"
    _axe_clean(page)
    _fits(page)
    page.get_by_role("combobox", name="Team").select_option(
        label="School nursing (Children's services, Acme NHS Trust)"
    )
    page.get_by_label("Notes").fill("Ten minutes at the team meeting; they want to start tweeting.")
    page.get_by_role("button", name="Log the outreach").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^School nursing"))
    followed = page.get_by_role("region", name="What followed")
    expect(
        followed.get_by_text(
            "3 bookings from School nursing in the 3 months after, "
            "up from 1 in the 3 months before."
        )
    ).to_be_visible()
    assert followed.get_by_role("img", name="Bookings and first-time users from School nursing")
    _axe_clean(page)
    _fits(page)

    page.get_by_role("textbox", name="Follow-up").fill("Send the slides to the team lead")
    page.get_by_role("button", name="Add the follow-up").click()
    page.get_by_role("button", name=re.compile(r"^Mark done\W+Send the slides")).click()
    expect(
        page.get_by_role("button", name=re.compile(r"^Mark not done\W+Send the"))
    ).to_be_visible()

    page.get_by_role("link", name="Create a closed session for this team").click()
    _axe_clean(page)
    _fits(page)
    page.get_by_label("Course").select_option(label="Get Tweeting")
    # Typed day first, as people here write dates (the box reads it so in any browser).
    day = date.today() + timedelta(days=21)
    page.get_by_label("Date").fill(f"{day.day}/{day.month}/{day.year}")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Venue").fill("Riverside Community Health offices")
    page.get_by_role("button", name="Schedule the closed session").click()
    expect(page.get_by_text("Closed session scheduled for")).to_be_visible()
    session = OutreachEntry.objects.get().sessions.get()
    assert timezone.localtime(session.starts_at).date() == day
    expect(page.get_by_text(f"/sessions/{session.pk}/")).to_be_visible()
    _axe_clean(page)
    _fits(page)
