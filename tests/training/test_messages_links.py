"""The links in a reminder, without signing in: a GET shows a page and changes nothing
(mail scanners follow links); the one button POSTs. Also the "Messages we have sent you"
page and the trainer's e-mail settings on the course form."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guildbook.notifications import delivery
from guildbook.notifications.models import OutboxMessage
from guildbook.training import links, services
from guildbook.training.models import Booking
from tests.factories import SessionFactory, UserFactory


def book(session, person):
    return services.booking_create(session=session, person=person, actor=person)


def link(booking, purpose):
    name = f"training:booking_link_{purpose}"
    return reverse(name, args=[links.booking_link_token(booking, purpose)])


def button_post(client, url):
    """Open the page as a person would, then press its button (CSRF checked)."""
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the page has a form with one button"
    return client.post(url, {"csrfmiddlewaretoken": token.group(1)})


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def booked(session):
    """A full session: Ada has the last place and Bo waits."""
    ada = UserFactory(name="Ada Learner")
    bo = UserFactory(name="Bo Waiting")
    book(session, UserFactory())
    return book(session, ada), book(session, bo)


def test_release_link_get_changes_nothing_and_post_gives_the_place_away(booked, browser, smtp):
    booking, waiting = booked
    url = link(booking, "release")
    for _ in range(3):  # a mail scanner, a preview, the person
        page = browser.get(url)
        assert page.status_code == 200
        assert b"Release your place?" in page.content
        assert b"Yes, release my place" in page.content
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    queued = OutboxMessage.objects.count()

    page = button_post(browser, url)
    assert page.status_code == 200
    assert b"Your place is released" in page.content
    booking.refresh_from_db()
    waiting.refresh_from_db()
    assert (booking.status, booking.ending) == ("cancelled", "cancelled")
    assert waiting.status == "confirmed"
    assert OutboxMessage.objects.count() > queued

    delivery.Worker(worker_id="t").step(now=timezone.now())
    promoted = [m for m in smtp.messages if m["To"] == waiting.person.email][-1]
    assert promoted["Subject"].startswith("Good news: a place came up for you")
    released = [m for m in smtp.messages if m["To"] == booking.person.email][-1]
    assert released["Subject"].startswith("You have cancelled your place")

    # The link again: nothing left to do, and no error.
    again = browser.post(url)
    assert again.status_code == 403  # no CSRF token: a forged post is refused
    page = browser.get(url)
    assert b"This booking no longer has a place" in page.content


def test_release_inside_the_late_window_is_recorded_as_late(session, browser):
    soon = SessionFactory(course=session.course, starts_at=timezone.now() + timedelta(hours=5))
    booking = book(soon, UserFactory())
    page = browser.get(link(booking, "release"))
    assert b"Late cancellation" in page.content
    button_post(browser, link(booking, "release"))
    booking.refresh_from_db()
    assert booking.late_cancellation is True


def test_still_coming_is_recorded_only_by_the_button(booked, browser):
    booking, _waiting = booked
    url = link(booking, "coming")
    page = browser.get(url)
    assert b"Still coming?" in page.content
    booking.refresh_from_db()
    assert booking.still_coming_at is None
    page = button_post(browser, url)
    assert b"Thank you, see you there" in page.content
    booking.refresh_from_db()
    assert booking.still_coming_at is not None and booking.status == "confirmed"
    page = browser.get(url)
    assert b"You told us on" in page.content


@pytest.mark.parametrize("mangle", ["tamper", "other_purpose", "nonsense"])
def test_a_bad_link_gets_a_friendly_page_and_changes_nothing(booked, browser, mangle):
    booking, _waiting = booked
    token = links.booking_link_token(booking, "coming")
    if mangle == "tamper":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif mangle == "nonsense":
        token = "not-a-token"
    url = reverse("training:booking_link_release", args=[token])
    for response in (browser.get(url), browser.post(url)):
        assert response.status_code in (400, 403)
    page = browser.get(url)
    assert page.status_code == 400
    assert b"This link does not work" in page.content
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_link_for_a_cancelled_session_says_so(booked, browser, trainer):
    booking, _waiting = booked
    services.session_cancel(session=booking.session, actor=trainer)
    page = browser.get(link(booking, "release"))
    assert page.status_code == 200
    assert b"Yes, release my place" not in page.content


# --- Messages we have sent you ------------------------------------------------------------


def test_people_see_the_messages_sent_to_them_and_no_one_elses(client, booked, smtp, person):
    booking, _waiting = booked
    delivery.Worker(worker_id="t").step(now=timezone.now())
    client.force_login(booking.person)
    profile = client.get(reverse("accounts:profile"))
    assert reverse("notifications:sent").encode() in profile.content
    page = client.get(reverse("notifications:sent"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Messages we have sent you" in html
    assert "Your place is booked" in html and "Place confirmed" in html
    assert "waiting list" not in html  # Bo's message is Bo's
    client.force_login(person)
    assert (
        "We have not sent you any messages yet"
        in client.get(reverse("notifications:sent")).content.decode()
    )


def test_messages_page_needs_sign_in(client, db):
    response = client.get(reverse("notifications:sent"))
    assert response.status_code == 302


# --- The trainer's e-mail settings ------------------------------------------------------


def test_trainer_sets_reminder_hours_and_paragraphs_on_the_course_form(client, trainer, course):
    course.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("training:manage_course_edit", args=[course.slug])
    page = client.get(url)
    assert b"E-mails to people who book" in page.content
    assert b'name="reminder_note"' in page.content
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "trainers"}
    data.update(
        {
            "category": course.category_id or "",
            "trainers": [trainer.pk],
            "reminder_hours": 24,
            "confirmation_note": "Hello {first_name}, bring a charged phone.",
            "reminder_note": "See you at {venue}.",
        }
    )
    for prefix in ("agenda", "questions", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    course.refresh_from_db()
    assert course.reminder_hours == 24
    assert course.confirmation_note == "Hello {first_name}, bring a charged phone."
    assert course.reminder_note == "See you at {venue}."
