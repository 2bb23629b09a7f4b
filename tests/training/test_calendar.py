"""Calendar invites: what calendars need to add, update and remove a place's event."""

from datetime import timedelta

from icalendar import Calendar

from guildbook.training import calendar, services
from tests.factories import SessionFactory, UserFactory


def parse(ics: bytes):
    cal = Calendar.from_ical(ics)
    return cal, cal.walk("VEVENT")[0]


def test_an_invite_for_a_place(session, person, settings):
    settings.SITE_URL = "https://guildbook.example.org"
    session.online_link = "https://meet.example.org/x"
    session.save()
    booking = services.booking_create(session=session, person=person, actor=person)
    cal, event = parse(calendar.booking_invite(booking))
    assert cal["METHOD"] == "REQUEST" and cal["VERSION"] == "2.0"
    assert str(event["UID"]) == f"guildbook-booking-{booking.pk}@guildbook.example.org"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == session.ends_at.replace(microsecond=0)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "https://meet.example.org/x" in str(event["LOCATION"])
    assert f"https://guildbook.example.org/bookings/{booking.pk}/" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:training@localhost"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{person.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"


def test_a_cancellation_has_the_same_uid(session, person):
    booking = services.booking_create(session=session, person=person, actor=person)
    services.booking_cancel(booking=booking, actor=person)
    booking.refresh_from_db()
    cal, event = parse(calendar.booking_invite(booking, method=calendar.CANCEL))
    assert cal["METHOD"] == "CANCEL"
    assert str(event["UID"]) == calendar.booking_uid(booking)
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_joining_link_is_only_for_a_confirmed_place(session):
    session.capacity = 1
    session.online_link = "https://meet.example.org/secret"
    session.save()
    services.booking_create(session=session, person=UserFactory(), actor=None)
    waiting = services.booking_create(session=session, person=UserFactory(), actor=None)
    assert waiting.status == "waiting"
    ics = calendar.booking_invite(waiting)
    assert b"meet.example.org" not in ics


def test_a_moved_booking_keeps_the_event(session, person, trainer):
    booking = services.booking_create(session=session, person=person, actor=person)
    other = SessionFactory(course=session.course, starts_at=session.starts_at + timedelta(days=7))
    new = services.booking_move(booking=booking, to_session=other, actor=trainer)
    _, old_event = parse(calendar.booking_invite(booking))
    _, new_event = parse(calendar.booking_invite(new))
    assert str(new_event["UID"]) == str(old_event["UID"])
    assert int(new_event["SEQUENCE"]) == 1
    assert new_event.decoded("DTSTART") == other.starts_at.replace(microsecond=0)
