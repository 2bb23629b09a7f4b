""" "Tell me when there's a date" in a real browser: a learner asks on a course with no date,
the trainer adds one, the worker sends her the e-mail through the outbox, and she books in
her head start while someone else is still refused. Every page on the way is axe-clean and
fits a phone."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.accounts.models import Department, Organisation, Team
from guildbook.notifications import delivery
from guildbook.training import selectors
from guildbook.training.models import Booking, CourseInterest
from tests.e2e.phone import pages_wider_than_phone
from tests.e2e.test_accessibility import readable
from tests.factories import CourseFactory, UserFactory
from tests.notifications.conftest import smtp  # noqa: F401  (the real SMTP server)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, name):
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}:\n" + readable(results)


def test_interest_is_told_first_and_books_in_the_head_start(
    new_page,
    live_server,
    smtp,  # noqa: F811  (the fixture imported above)
    settings,
):
    settings.SITE_URL = live_server.url
    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    nursing = Team.objects.create(
        name="School nursing",
        department=Department.objects.create(
            name="Children's services",
            organisation=Organisation.objects.create(name="Acme NHS Trust"),
        ),
    )
    ada = UserFactory(email="ada@example.nhs.uk", name="Ada Learner", directory_team=nursing)
    ben = UserFactory(email="ben@example.nhs.uk", name="Ben Later")
    course = CourseFactory(
        title="Get Tweeting",
        slug="get-tweeting",
        booking_opens_days=30,
        interest_head_start_days=3,
    )
    course.trainers.add(tess)

    # Ada finds no date, and asks to be told of one: one click, and an undo.
    ada_page = new_page(user=ada)
    ada_page.goto(course.get_absolute_url())
    expect(ada_page.get_by_text("No dates are planned yet.")).to_be_visible()
    assert_accessible(ada_page, "course page, no date")
    ada_page.get_by_role("button", name="Tell me when there's a date").click()
    expect(ada_page.get_by_text("We'll e-mail you", exact=True)).to_be_visible()
    expect(ada_page.get_by_role("button", name="Stop telling me")).to_be_visible()
    assert_accessible(ada_page, "course page, interest registered")
    assert CourseInterest.objects.filter(person=ada, fulfilled_at__isnull=True).count() == 1
    assert (
        pages_wider_than_phone(
            new_page,
            [
                (ada, course.get_absolute_url()),
                (ben, course.get_absolute_url()),
                (tess, reverse("training:manage_course", args=[course.slug])),
            ],
        )
        == []
    )

    # Tess sees who is waiting, with their team, and adds a date 31 days ahead: booking
    # opens to all in about a day, to Ada three days earlier, so now.
    tess_page = new_page(user=tess)
    tess_page.goto(reverse("training:manage_course", args=[course.slug]))
    waiting = tess_page.get_by_role("region", name="Waiting for a date")
    expect(waiting).to_contain_text("1 person is waiting to hear of a date")
    expect(waiting).to_contain_text("School nursing")
    expect(waiting).to_contain_text("Children's services")
    assert_accessible(tess_page, "trainer's course page with interest")
    tess_page.get_by_role("link", name="Schedule a session").click()
    day = timezone.localdate() + timedelta(days=31)
    tess_page.get_by_label("Date").fill(day.isoformat())
    tess_page.get_by_label("Starts at").fill("10:00")
    tess_page.get_by_label("Places").fill("6")
    tess_page.get_by_label("Venue").fill("Staff Library")
    tess_page.get_by_role("button", name="Schedule the session").click()
    expect(tess_page.get_by_role("heading", level=1)).to_contain_text("Get Tweeting")

    # The worker sends Ada's e-mail through the outbox, and only hers.
    delivery.Worker(worker_id="e2e").step(now=timezone.now())
    mails = [m for m in smtp.messages if str(m["Subject"]).startswith("A new date:")]
    assert [m["To"] for m in mails] == [ada.email]
    text = mails[0].get_body(("plain",)).get_content()
    assert "you can book before everyone else" in text
    link = re.search(r"(http\S+/sessions/\d+/)", text).group(1)
    assert link.startswith(live_server.url)

    # Ben, who did not ask, is told when booking opens and cannot book yet.
    ben_page = new_page(user=ben)
    ben_page.goto(link)
    expect(ben_page.get_by_text(re.compile("^Booking opens on"))).to_be_visible()
    expect(ben_page.get_by_role("button", name="Book a place")).to_have_count(0)

    # Ada follows the link and books in her head start.
    ada_page.goto(link)
    expect(ada_page.get_by_text(re.compile("you can book before everyone else"))).to_be_visible()
    assert_accessible(ada_page, "session page in the head start")
    ada_page.get_by_role("button", name="Book a place").click()
    expect(ada_page.get_by_text("You have a place").first).to_be_visible()
    assert Booking.objects.filter(person=ada, status=Booking.Status.CONFIRMED).count() == 1
    assert not Booking.objects.filter(person=ben).exists()
    # Her interest is answered: she is no longer on the trainer's list.
    assert selectors.course_interest(course) == []

    # The session page, for the one still waiting for general booking, fits a phone.
    assert pages_wider_than_phone(new_page, [(ben, link.removeprefix(live_server.url))]) == []
