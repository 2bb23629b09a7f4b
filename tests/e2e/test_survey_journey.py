"""The follow-up survey end to end, with the clock run forward: people attend or miss a
session; at 30 days the worker sends the survey only to those who came, through a real SMTP
server; one of them presses an answer in the e-mail and confirms it in a real browser; at
37 days the one reminder goes only to the person who has not answered; and the results show
the right rates.

The clock is the demo loader's: `timezone.now()` answers the time we set, for this test and
for the live server (a thread of this process) alike, so nothing sleeps.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.notifications import delivery
from guildbook.surveys import selectors
from guildbook.surveys.models import Answer, Invitation, Response
from guildbook.training import services as training
from guildbook.training.management.commands.demo import time_travel
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.notifications.conftest import smtp  # noqa: F401  (the real SMTP server)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Links(HTMLParser):
    """The links of an e-mail's HTML part, with their text."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self.links.append((self._href, ""))

    def handle_data(self, data):
        if self._href is not None and self.links:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def button_href(mail, label: str) -> str:
    parser = Links()
    parser.feed(mail.get_body(("html",)).get_content())
    hrefs = [href for href, text in parser.links if text.strip() == label]
    assert len(hrefs) == 1, f"one {label!r} button in the e-mail, got {parser.links}"
    return hrefs[0]


def survey_mail(sink):
    return {m["To"]: m for m in sink.messages if str(m["Subject"]).startswith("Has it helped?")}


def reminders(sink):
    return [m["To"] for m in sink.messages if str(m["Subject"]).startswith("Reminder:")]


def test_follow_up_at_thirty_days_answered_in_one_click_and_reminded_once(
    new_page,
    live_server,
    smtp,  # noqa: F811  (the fixture imported above)
    settings,
):
    settings.SITE_URL = live_server.url
    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    course = CourseFactory(title="Get Tweeting", slug="get-tweeting")
    course.trainers.add(tess)
    ends_at = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    session = SessionFactory(
        course=course, starts_at=ends_at - timedelta(minutes=90), ends_at=ends_at, capacity=6
    )
    people = {
        name: UserFactory(email=f"{name.lower()}@example.nhs.uk", name=f"{name} Person")
        for name in ("Ada", "Ben", "Cai", "Dee")
    }
    bookings = {
        name: training.booking_create(
            session=session, person=p, actor=p, now=session.starts_at - timedelta(days=7)
        )
        for name, p in people.items()
    }
    training.booking_cancel(
        booking=bookings["Dee"], actor=people["Dee"], now=session.starts_at - timedelta(days=3)
    )
    # The register: Ada and Ben came, Cai did not.
    for name, came in (("Ada", True), ("Ben", True), ("Cai", False)):
        training.attendance_record(booking=bookings[name], attended=came, actor=tess)

    worker = delivery.Worker(worker_id="e2e")
    with time_travel() as clock:
        # Day 29: nothing about the survey yet.
        clock.at = ends_at + timedelta(days=29, hours=23)
        worker.step(now=clock.at)
        assert survey_mail(smtp) == {}

        # Day 30: the follow-up goes to the two who came, and to nobody else.
        clock.at = ends_at + timedelta(days=30, minutes=5)
        worker.step(now=clock.at)
        mails = survey_mail(smtp)
        assert set(mails) == {"ada@example.nhs.uk", "ben@example.nhs.uk"}
        assert not [
            m for m in smtp.messages if m["To"] in ("cai@example.nhs.uk", "dee@example.nhs.uk")
        ]

        # Ada presses "Yes, a little" in her e-mail: the survey opens with it chosen, and
        # nothing is recorded until she presses the one button.
        href = button_href(mails["ada@example.nhs.uk"], "Yes, a little")
        assert href.startswith(live_server.url + "/surveys/answer/")
        page = new_page()
        page.goto(href)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Follow-up: a month after the session"
        )
        expect(page.get_by_role("radio", name="Yes, a little")).to_be_checked()
        assert not Response.objects.exists()

        # The rest is optional, folded under "Tell us more"; the question about what got in
        # the way shows only for "Not yet".
        page.get_by_text(re.compile(r"Tell us more")).click()
        got_in_the_way = page.get_by_role("textbox", name=re.compile("What got in the way"))
        expect(got_in_the_way).to_be_hidden()
        page.get_by_role("radio", name="Not yet").check()
        expect(got_in_the_way).to_be_visible()
        page.get_by_role("radio", name="Yes, a little").check()
        expect(got_in_the_way).to_be_hidden()
        page.get_by_role("textbox", name=re.compile("What helped")).fill(
            "A colleague showed me how to use lists"
        )
        page.get_by_role("radio", name="4").check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

        ada_invitation = Invitation.objects.get(booking=bookings["Ada"])
        assert ada_invitation.answered_at == clock.at
        response = Response.objects.get()
        assert response.invitation == ada_invitation
        answers = {a.question.text: a for a in Answer.objects.select_related("question", "choice")}
        assert answers["Have you used what you learned since the session?"].choice.label == (
            "Yes, a little"
        )
        assert answers["What helped?"].text == "A colleague showed me how to use lists"
        assert answers["How confident do you feel about it now?"].number == 4
        assert "What got in the way?" not in answers

        # Day 37: the one reminder, only to Ben, who has not answered.
        clock.at = ends_at + timedelta(days=37, minutes=5)
        worker.step(now=clock.at)
        assert reminders(smtp) == ["ben@example.nhs.uk"]
        clock.at = ends_at + timedelta(days=45)
        worker.step(now=clock.at)
        assert reminders(smtp) == ["ben@example.nhs.uk"]

        # The results: two invited, one answered (50%), and she has used it (100%).
        moment = course.survey_moments.get()
        results = selectors.results_for(moment=moment, session=session, now=clock.at)
        assert (results.invitations, results.responses) == (2, 1)
        assert results.response_rate.percent == 50
        assert (results.impact.count, results.impact.total) == (1, 1)
        trainer_page = new_page(user=tess)
        trainer_page.goto(reverse("surveys:results_session", args=[session.pk]))
        figures = trainer_page.locator(".results-totals")
        expect(figures).to_contain_text(re.compile(r"50%\s*response rate"))
        expect(figures).to_contain_text(re.compile(r"100%\s*impact rate"))

        # After the close, Ada's link says so, and nothing can be recorded.
        clock.at = ends_at + timedelta(days=51, minutes=1)
        page.goto(href)
        expect(page.get_by_role("heading", level=1)).to_have_text("This survey has closed")
