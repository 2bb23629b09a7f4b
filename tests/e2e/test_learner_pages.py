"""Learner pages in a real browser: a new sign-in code, "tell me when booking opens", and
My bookings' history."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.accounts.services import user_create
from guildbook.training import alerts
from guildbook.training.models import BookingAlert
from tests.e2e.conftest import sign_in_code_from
from tests.e2e.phone import PHONE_WIDTH
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_code_page_sends_a_new_code_that_works(new_page, outbox):
    ada = user_create(email="ada@example.nhs.uk", name="Ada Learner")
    page = new_page()
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto("/accounts/login/")
    page.get_by_role("textbox", name=re.compile(r"e-?mail", re.I)).fill(ada.email)
    page.get_by_role("button", name=re.compile(r"code", re.I)).click()
    code_box = page.get_by_role("textbox", name=re.compile(r"code", re.I))
    expect(code_box).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert len([m for m in outbox if ada.email in m.to]) == 1
    page.get_by_role("button", name="Send a new code").click()
    expect(code_box).to_be_visible()
    codes = [m for m in outbox if ada.email in m.to]
    assert len(codes) == 2, "a second code was sent"
    code_box.fill(sign_in_code_from(codes[-1]))
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(page.get_by_role("button", name=re.compile(r"sign out", re.I))).to_be_visible()


def test_tell_me_when_booking_opens_from_the_session_page(new_page):
    ada = UserFactory(email="ada@example.nhs.uk", name="Ada Learner")
    course = CourseFactory(title="Get Tweeting", booking_opens_days=30)
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=60))
    page = new_page(user=ada)
    page.goto(session.get_absolute_url())
    box = page.get_by_role("region", name=re.compile(r"booking", re.I))
    expect(box).to_contain_text("Booking opens on")
    expect(box.get_by_role("button", name="Book a place")).to_have_count(0)
    box.get_by_role("button", name="Tell me when booking opens").click()
    expect(page.get_by_text("We will e-mail you when booking opens, on")).to_be_visible()
    assert BookingAlert.objects.filter(session=session, person=ada).exists()
    page.get_by_role("button", name="Don’t e-mail me").click()
    expect(page.get_by_text("We will not e-mail you when booking opens.")).to_be_visible()
    assert not BookingAlert.objects.exists()
    assert alerts.BOOKING_OPENS


def test_on_a_phone_the_catalogue_shows_courses_first_and_filters_behind_one_button(new_page):
    for n in range(3):
        SessionFactory(course=CourseFactory(title=f"Course {n}", visibility="public"))
    page = new_page()
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto("/")
    search = page.get_by_role("searchbox", name="Search")
    expect(search).to_be_hidden()
    first = page.get_by_role("heading", name="Course 0")
    assert first.bounding_box()["y"] < 740, "a course on the first screen"
    page.get_by_text("Search and filter").click()
    expect(search).to_be_visible()
    page.get_by_role("textbox", name="Dates from").fill("6 December 2026")
    page.get_by_role("button", name="Show courses").click()
    expect(page.get_by_role("status")).to_contain_text("Dates from 6 December 2026")
    wide = new_page()
    wide.set_viewport_size({"width": 1280, "height": 800})
    wide.goto("/")
    expect(wide.get_by_role("searchbox", name="Search")).to_be_visible()
    expect(wide.get_by_text("Search and filter")).to_be_hidden()
