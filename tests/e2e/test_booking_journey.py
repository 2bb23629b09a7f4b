"""The core loop in a real browser: sign in by e-mailed code, book, see it, cancel, and the
person at the head of the waiting list gets the place."""

import re

import pytest
from playwright.sync_api import expect

from guildbook.accounts.services import user_create
from guildbook.training.models import Booking
from tests.e2e.conftest import sign_in_code_from
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_by_code(page, outbox, email: str) -> None:
    """Sign in as a newcomer would: the Sign in link, an e-mail address, the code from the mail."""
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name=re.compile(r"e-?mail", re.I)).fill(email)
    sent_before = len(outbox)
    page.get_by_role("button", name=re.compile(r"code", re.I)).click()
    code_box = page.get_by_role("textbox", name=re.compile(r"code", re.I))
    expect(code_box).to_be_visible()
    codes = [m for m in outbox[sent_before:] if email in m.to]
    assert len(codes) == 1, f"expected one sign-in e-mail to {email}, got {len(codes)}"
    code_box.fill(sign_in_code_from(codes[0]))
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(page.get_by_role("button", name=re.compile(r"sign out", re.I))).to_be_visible()


def booking_region(page):
    return page.get_by_role("region", name=re.compile(r"booking", re.I))


def test_sign_in_book_cancel_and_the_waiting_list_moves_up(new_page, outbox):
    # Created the way a trainer or an import creates people: the address counts as verified.
    ada = user_create(email="ada@example.nhs.uk", name="Ada Learner")
    ben = UserFactory(email="ben@example.nhs.uk", name="Ben Waiting")
    course = CourseFactory(title="Get Tweeting – Twitter for professional development")
    session = SessionFactory(course=course, capacity=1)
    session_href = session.get_absolute_url()

    # Ada signs in with an e-mailed code and books the only place, from the catalogue.
    ada_page = new_page()
    sign_in_by_code(ada_page, outbox, ada.email)
    ada_page.goto("/")
    ada_page.get_by_role("link", name=course.title).first.click()
    expect(ada_page.get_by_role("heading", level=1)).to_have_text(course.title)
    ada_page.locator(f'main a[href="{session_href}"]').first.click()
    ada_page.get_by_role("button", name=re.compile(r"book a place", re.I)).click()
    expect(booking_region(ada_page)).to_contain_text(re.compile(r"place confirmed", re.I))

    # Ben finds the session full and joins the waiting list, at number 1.
    ben_page = new_page(user=ben)
    ben_page.goto(session_href)
    ben_page.get_by_role("button", name=re.compile(r"waiting list", re.I)).click()
    expect(booking_region(ben_page)).to_contain_text(re.compile(r"waiting list", re.I))
    expect(booking_region(ben_page)).to_contain_text(re.compile(r"number 1\b"))

    # Ada sees her place under My bookings and cancels it there.
    ada_page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    row = ada_page.get_by_role("row").filter(has_text=course.title)
    expect(row).to_contain_text(re.compile(r"place confirmed", re.I))
    row.get_by_role("link", name=re.compile(r"cancel", re.I)).click()
    ada_page.get_by_role("button", name=re.compile(r"cancel my place", re.I)).click()
    expect(ada_page.get_by_role("heading", level=1)).to_have_text("My bookings")
    expect(ada_page.get_by_role("status").first).to_contain_text(re.compile(r"cancelled", re.I))
    # The place is gone from "Places to come" and kept in the history, as cancelled.
    upcoming = ada_page.get_by_role("table", name="Places you have booked")
    expect(upcoming).to_have_count(0)
    history = ada_page.get_by_role("table", name=re.compile(r"past and cancelled", re.I))
    expect(history.get_by_role("row").filter(has_text=course.title)).to_contain_text("Cancelled")

    # The freed place went straight to Ben: his page says so.
    ben_page.reload()
    expect(booking_region(ben_page)).to_contain_text(re.compile(r"place confirmed", re.I))

    bookings = {b.person_id: b for b in Booking.objects.filter(session=session)}
    assert bookings[ada.pk].status == Booking.Status.CANCELLED
    assert bookings[ben.pk].status == Booking.Status.CONFIRMED
    session.refresh_from_db()
    assert session.places_taken == 1
