"""A batch of training's messages is checked and built without a query per message, and
the calendar invite (written directly) reads back with icalendar as it was meant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from guildbook.notifications import delivery
from guildbook.training import calendar, services
from tests.factories import CourseFactory, SessionFactory, UserFactory


def claim_and_build(count):
    session = SessionFactory(capacity=count)
    for person in UserFactory.create_batch(count):
        services.booking_create(session=session, person=person, actor=person)
    with CaptureQueriesContext(connection) as claiming:
        rows, _ = delivery.claim_due(worker="w", now=timezone.now(), batch=count)
    with CaptureQueriesContext(connection) as building:
        built = [delivery.prepare(row) for row in rows]
    assert len(rows) == count and not [b.error for b in built if b.error]
    assert all(b"BEGIN:VCALENDAR" in b.raw for b in built)
    return len(claiming), len(building)


def test_a_batch_of_confirmations_is_claimed_and_built_with_the_same_queries_at_10x(db):
    claim_once, build_once = claim_and_build(2)
    claim_ten, build_ten = claim_and_build(20)
    assert build_once == build_ten == 0  # session, course and person came with the claim
    assert claim_ten == claim_once


def test_an_invite_with_awkward_text_reads_back_as_it_was_meant(db, settings):
    settings.SITE_URL = "https://guildbook.example.org"
    settings.GUILDBOOK_SERVICE_NAME = "Library, Knowledge: Service ^ team"
    course = CourseFactory(
        title="Get Tweeting – Twitter; for, pros \\ all " + "long " * 12,
        summary="Line one.\r\nLine two, with café " + "é" * 60,
    )
    session = SessionFactory(
        course=course,
        venue="Room 1, Library; 2nd floor",
        online_link="https://meet.example.org/a?b=c;d,e",
    )
    person = UserFactory(name="Zoë O'Connor, ^ caret; semi: colon")
    booking = services.booking_create(session=session, person=person, actor=person)

    ics = calendar.booking_invite(booking)

    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == course.title
    assert str(event["LOCATION"]) == f"{session.venue}, {session.online_link}"
    manage = f"https://guildbook.example.org{booking.get_absolute_url()}"
    assert str(event["DESCRIPTION"]) == (
        f"Line one.\nLine two, with café {'é' * 60}\n\n"
        f"Join online: {session.online_link}\n\nYour booking: {manage}"
    )
    assert str(event["URL"]) == manage
    assert event["ATTENDEE"].params["CN"] == person.display_name
    assert event["ORGANIZER"].params["CN"] == settings.GUILDBOOK_SERVICE_NAME


@pytest.mark.parametrize("method", [calendar.REQUEST, calendar.CANCEL])
def test_the_invite_says_what_the_method_does(db, method):
    session = SessionFactory()
    person = UserFactory()
    booking = services.booking_create(session=session, person=person, actor=person)
    event = Calendar.from_ical(calendar.booking_invite(booking, method=method)).walk("VEVENT")[0]
    cancel = method == calendar.CANCEL
    assert str(event["STATUS"]) == ("CANCELLED" if cancel else "CONFIRMED")
    assert str(event["TRANSP"]) == ("TRANSPARENT" if cancel else "OPAQUE")
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
