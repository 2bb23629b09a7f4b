"""Offer mode end to end: the offer e-mail through a real SMTP server, its two links (a GET
changes nothing, the one button does), and the worker expiring an offer and sending the
"lapsed" e-mail."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from guildbook.notifications import delivery
from guildbook.notifications.due_work import registered_due_work
from guildbook.training import services
from guildbook.training.models import Booking, Course
from tests.factories import CourseFactory, SessionFactory, UserFactory

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def deliver():
    return delivery.Worker(worker_id="test").step(now=timezone.now())


def text_of(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(mail):
    return mail.get_body(("html",)).get_content()


def mails_to(sink, person):
    return [m for m in sink.messages if m["To"] == person.email]


def offered_session(now, starts_in, waiting=2):
    course = CourseFactory(
        title="Searching Medline", waiting_list_mode=Course.WaitingListMode.OFFER
    )
    session = SessionFactory(
        course=course,
        capacity=1,
        venue="Room 2",
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(hours=2),
    )
    people = UserFactory.create_batch(1 + waiting)
    bookings = [
        services.booking_create(session=session, person=p, actor=p, now=now) for p in people
    ]
    services.booking_cancel(booking=bookings[0], actor=people[0], now=now)
    return session, bookings


def link(text, purpose):
    return re.search(rf"{re.escape(SITE)}(/booking-link/[^/\s]+/{purpose}/)", text).group(1)


def test_the_offer_email_and_its_claim_link(smtp, client, db):
    now = timezone.now()
    _session, (_a, b, c) = offered_session(now, timedelta(days=10))
    deliver()
    [mail] = [m for m in mails_to(smtp, b.person) if "offered" in str(m["Subject"])]
    assert str(mail["Subject"]).startswith("A place is offered to you: Searching Medline, ")
    text, html = text_of(mail), html_of(mail)
    assert "Claim my place" in html and "No thanks, pass it on" in html
    claim, decline = link(text, "claim"), link(text, "decline")
    assert claim in html and decline in html
    assert not mails_to(smtp, c.person) or all(
        "offered" not in str(m["Subject"]) for m in mails_to(smtp, c.person)
    )

    # A GET (a mail scanner following the link) changes nothing.
    page = client.get(claim)
    assert page.status_code == 200
    assert b"Claim my place" in page.content
    b.refresh_from_db()
    assert b.status == Booking.Status.OFFERED
    # The claim token cannot decline, and a changed token is refused.
    assert client.get(claim.replace("/claim/", "/decline/")).status_code == 400
    assert client.get(claim[:-8] + "x/claim/").status_code == 400

    page = client.post(claim)
    assert b"The place is yours" in page.content
    b.refresh_from_db()
    assert b.status == Booking.Status.CONFIRMED
    # Pressing it again says so and changes nothing.
    page = client.post(claim)
    assert page.status_code == 409
    deliver()
    assert any("a place came up for you" in str(m["Subject"]) for m in mails_to(smtp, b.person))


def test_no_thanks_passes_the_place_to_the_next(client, db):
    from guildbook.training.messages import booking_link_url

    _session, (_a, b, c) = offered_session(timezone.now(), timedelta(days=10))
    decline = booking_link_url(b, "decline").removeprefix(SITE)
    assert b"Pass the place on?" in client.get(decline).content
    page = client.post(decline)
    assert b"passed on" in page.content
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.ending == Booking.Ending.DECLINED_OFFER
    assert c.status == Booking.Status.OFFERED


def test_the_second_claimer_in_the_last_24_hours_is_told_it_has_gone(smtp, client, db):
    now = timezone.now()
    _session, (_a, b, c) = offered_session(now, timedelta(hours=10))
    deliver()
    links = {}
    for booking in (b, c):
        [mail] = mails_to(smtp, booking.person)[-1:]
        assert "first to claim it gets it" in str(mail["Subject"])
        links[booking.pk] = link(text_of(mail), "claim")
    assert b"The place is yours" in client.post(links[c.pk]).content
    page = client.post(links[b.pk])
    assert page.status_code == 409
    assert b"someone else claimed it first" in page.content
    assert b"number 1" in page.content
    b.refresh_from_db()
    assert b.status == Booking.Status.WAITING


def test_the_worker_expires_offers_and_sends_the_lapsed_email(smtp, db):
    assert "training.offers_expire" in registered_due_work()
    # Offered 50 hours ago with a 48-hour window: lapsed two hours ago.
    then = timezone.now() - timedelta(hours=50)
    session, (_a, b, c) = offered_session(then, timedelta(days=12))
    b.refresh_from_db()
    assert b.status == Booking.Status.OFFERED
    call_command("worker", "--once", verbosity=0)
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.ending == Booking.Ending.OFFER_EXPIRED
    assert c.status == Booking.Status.OFFERED
    subjects = [str(m["Subject"]) for m in mails_to(smtp, b.person)]
    assert any(s.startswith("Your offered place has lapsed") for s in subjects)
    # The lapsed offer's own e-mail, not yet sent when it lapsed, never goes out.
    assert not any("offered to you" in s for s in subjects)
    assert any("offered to you" in str(m["Subject"]) for m in mails_to(smtp, c.person))
    session.refresh_from_db()
    assert session.places_taken == 1


# --- Pages --------------------------------------------------------------------------------


def test_the_learner_sees_the_offer_and_claims_it_from_the_booking_page(client, db):
    session, (_a, b, _c) = offered_session(timezone.now(), timedelta(days=10))
    client.force_login(b.person)
    b.refresh_from_db()
    for url in (f"/bookings/{b.pk}/", f"/sessions/{session.pk}/", "/me/bookings/"):
        page = client.get(url).content.decode()
        assert "A place is offered to you" in page, url
    page = client.get(f"/bookings/{b.pk}/").content.decode()
    assert "Claim my place" in page
    assert client.get(f"/bookings/{b.pk}/claim/").status_code == 405  # a GET changes nothing
    response = client.post(f"/bookings/{b.pk}/claim/")
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == Booking.Status.CONFIRMED


def test_someone_else_cannot_claim_an_offer(client, db):
    _session, (_a, b, _c) = offered_session(timezone.now(), timedelta(days=10))
    client.force_login(UserFactory())
    assert client.post(f"/bookings/{b.pk}/claim/").status_code == 404
    b.refresh_from_db()
    assert b.status == Booking.Status.OFFERED


def test_the_trainer_sees_offered_places_with_their_expiry(client, trainer):
    session, (_a, b, c) = offered_session(timezone.now(), timedelta(days=10))
    client.force_login(trainer)
    page = client.get(f"/manage/sessions/{session.pk}/").content.decode()
    assert "Place offered until" in page
    assert escape(b.person.display_name) in page and escape(c.person.display_name) in page


def test_the_course_form_sets_the_mode(client, trainer):
    from django.urls import reverse

    from tests.training.test_manage_courses import post_data

    client.force_login(trainer)
    course = CourseFactory(title="Evidence searching")
    page = client.get(reverse("training:manage_course_edit", args=[course.slug])).content.decode()
    assert "When a place comes free" in page
    response = client.post(
        reverse("training:manage_course_edit", args=[course.slug]),
        post_data(title=course.title, waiting_list_mode="offer"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    course.refresh_from_db()
    assert course.waiting_list_mode == "offer"
