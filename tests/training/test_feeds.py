"""Calendars: "Add to calendar", the private feed and a course's feed, read back with the
icalendar library and checked against RFC 5545's required properties, with the service's
time zone (Europe/London) as TZID and VTIMEZONE."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from guildbook.training import calendar, feeds, services
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def checked(ics: bytes, *, method: str | None) -> Calendar:
    """Parse `ics` and check what RFC 5545 requires of it, and what calendars need."""
    text = ics.decode()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "lines folded at 75"
    cal = Calendar.from_ical(ics)
    assert cal.name == "VCALENDAR"
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]).startswith("-//Guildbook//")
    if method:
        assert str(cal["METHOD"]) == method
    else:
        assert "METHOD" not in cal
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/London"
    for event in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, f"VEVENT without {required}"
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event.decoded("DTSTAMP").tzinfo is not None
    return cal


def test_the_london_vtimezone_agrees_with_the_tz_database():
    cal = Calendar.from_ical(calendar.document([], method=None))
    zone = cal.walk("VTIMEZONE")[0].to_tz()
    for moment in (
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # just before BST
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # BST begins
        datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC),  # last minute of BST
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # GMT again
        datetime(2027, 1, 15, 10, 0, tzinfo=UTC),
        datetime(2030, 3, 31, 1, 30, tzinfo=UTC),
    ):
        assert moment.astimezone(zone).utcoffset() == moment.astimezone(LONDON).utcoffset(), moment


def test_an_emailed_invite_has_method_tzid_and_local_times(session, person):
    booking = services.booking_create(session=session, person=person, actor=None)
    session.starts_at = datetime(2027, 7, 1, 10, 0, tzinfo=LONDON)  # in summer time
    session.ends_at = session.starts_at + timedelta(hours=1)
    session.save()
    booking.refresh_from_db()
    cal = checked(calendar.booking_invite(booking), method="REQUEST")
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].to_ical() == b"20270701T100000"  # 10:00 local, not 09:00Z
    assert event.decoded("DTSTART") == session.starts_at


def test_add_to_calendar_downloads_ones_own_place(client, person, session):
    booking = services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    response = client.get(reverse("training:booking_ics", args=[booking.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    cal = checked(response.content, method="PUBLISH")
    assert cal.walk("VEVENT")[0].decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    page = client.get(reverse("training:my_bookings")).content.decode()
    assert reverse("training:booking_ics", args=[booking.pk]) in page
    page = client.get(reverse("training:booking", args=[booking.pk])).content.decode()
    assert "Add to calendar" in page


def test_someone_elses_place_or_a_waiting_entry_is_not_downloadable(client, person):
    session = SessionFactory(capacity=1)
    other = services.booking_create(session=session, person=UserFactory(), actor=None)
    waiting = services.booking_create(session=session, person=person, actor=person)
    client.force_login(person)
    for booking in (other, waiting):
        assert client.get(reverse("training:booking_ics", args=[booking.pk])).status_code == 404


def _feed_path(feed):
    return reverse("training:calendar_feed", args=[feed.key])


def test_the_private_feed_lists_ones_places_and_can_be_renewed_and_stopped(client, person):
    mine = SessionFactory(course=CourseFactory(title="Get Tweeting"))
    gone = SessionFactory(course=CourseFactory(title="Cancelled one"))
    theirs = SessionFactory(course=CourseFactory(title="Not mine"))
    services.booking_create(session=mine, person=person, actor=person)
    services.booking_cancel(
        booking=services.booking_create(session=gone, person=person, actor=person), actor=person
    )
    services.booking_create(session=theirs, person=UserFactory(), actor=None)
    client.force_login(person)
    client.post(reverse("training:my_calendar_renew"))
    feed = feeds.feed_of(person)
    page = client.get(reverse("training:my_calendar")).content.decode()
    assert feed.key in page
    client.logout()  # calendars cannot sign in
    response = client.get(_feed_path(feed))
    assert response.status_code == 200
    cal = checked(response.content, method=None)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert summaries == ["Get Tweeting"]
    old = _feed_path(feed)
    feeds.calendar_feed_renew(person=person, actor=person)
    assert client.get(old).status_code == 404
    new = _feed_path(feeds.feed_of(person))
    assert client.get(new).status_code == 200
    client.force_login(person)
    client.post(reverse("training:my_calendar_revoke"))
    client.logout()
    assert client.get(new).status_code == 404


def test_the_feed_takes_the_same_queries_for_many_places(client, person):
    feed = feeds.calendar_feed_renew(person=person, actor=person)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_feed_path(feed)).status_code == 200
        return len(ctx.captured_queries)

    services.booking_create(session=SessionFactory(), person=person, actor=person)
    small = count()
    for _ in range(9):
        services.booking_create(session=SessionFactory(), person=person, actor=person)
    assert count() == small


def test_a_course_feed_for_its_trainers_only(client, trainer, person, course):
    now = timezone.now()
    SessionFactory(course=course, starts_at=now + timedelta(days=3), venue="")
    SessionFactory(course=course, starts_at=now + timedelta(days=10))
    trainer_feed = feeds.calendar_feed_renew(person=trainer, actor=trainer)
    response = client.get(reverse("training:course_feed", args=[trainer_feed.key, course.slug]))
    assert response.status_code == 200
    cal = checked(response.content, method=None)
    events = cal.walk("VEVENT")
    assert len(events) == 2
    assert str(events[0]["LOCATION"]) == "Venue to be confirmed"
    learner_feed = feeds.calendar_feed_renew(person=person, actor=person)
    url = reverse("training:course_feed", args=[learner_feed.key, course.slug])
    assert client.get(url).status_code == 404
