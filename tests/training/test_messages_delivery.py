"""Training's messages delivered through a real SMTP server and read back: contents, the
calendar invite parsed with icalendar, Message-IDs. Time is passed to the worker."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from guildbook.notifications import delivery
from guildbook.notifications.models import OutboxMessage
from guildbook.training import links, messages, services
from tests.factories import CourseFactory, SessionFactory, UserFactory

SITE = "http://127.0.0.1:8000"


def deliver(now=None):
    return delivery.Worker(worker_id="test").step(now=now or timezone.now())


def book(session, person, **kwargs):
    return services.booking_create(session=session, person=person, actor=person, **kwargs)


def mails_to(sink, person):
    return [m for m in sink.messages if m["To"] == person.email]


def subject(mail):
    # An encoded (non-ASCII) subject is read back with the space its folding left.
    return str(mail["Subject"]).strip()


def text_of(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(mail):
    return mail.get_body(("html",)).get_content()


def invite(mail):
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar invite"
    part = parts[0]
    cal = Calendar.from_ical(part.get_content())
    event = cal.walk("VEVENT")[0]
    return part, cal, event


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def online_course(db):
    return CourseFactory(
        title="Get Tweeting",
        confirmation_note="Hello {first_name}: bring your phone to {course} on {start}. {oops}",
        reminder_note="See you in {venue}, {first_name}.",
    )


@pytest.fixture
def session(online_course):
    return SessionFactory(
        course=online_course,
        capacity=1,
        venue="Staff Library, Education Centre",
        online_link="https://meet.example.org/get-tweeting",
        starts_at=(timezone.now() + timedelta(days=14)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )


def test_place_confirmed_arrives_with_its_details_and_a_calendar_invite(smtp, session, person):
    booking = book(session, person)
    counts = deliver()
    assert counts["sent"] == 1  # the reminder is not due yet
    [mail] = mails_to(smtp, person)
    row = OutboxMessage.objects.get(kind=messages.CONFIRMED)
    assert mail["Message-ID"] == f"<outbox-{row.pk}@127.0.0.1>"
    assert mail["Subject"].startswith("Your place is booked: Get Tweeting, ")
    assert mail["Auto-Submitted"] == "auto-generated"
    text, html = text_of(mail), html_of(mail)
    for body in (text, html):
        assert "10:00 to 11:30" in body
        assert "Staff Library, Education Centre" in body
        assert "https://meet.example.org/get-tweeting" in body  # a confirmed place
        assert f"{SITE}/bookings/{booking.pk}/" in body
    # The trainer's paragraph: placeholders filled, unknown ones left as typed.
    assert f"Hello {person.first_name}: bring your phone to Get Tweeting on " in text
    assert "{oops}" in text
    part, cal, event = invite(mail)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"guildbook-booking-{booking.pk}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["SUMMARY"]) == "Get Tweeting"
    assert "meet.example.org" in str(event["LOCATION"])
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
    row.refresh_from_db()
    assert row.status == "sent" and row.subject == mail["Subject"]


def test_waiting_list_message_has_the_position_and_no_joining_link(smtp, session, person):
    book(session, UserFactory())
    book(session, person)
    deliver()
    [mail] = mails_to(smtp, person)
    assert mail["Subject"].startswith("You are on the waiting list (number 1): Get Tweeting")
    assert "at number 1" in text_of(mail)
    for body in (text_of(mail), html_of(mail)):
        assert "meet.example.org" not in body
        assert "Online" in body or "online" in body
    assert not [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]


def test_reschedule_sends_an_updated_invite_and_cancel_takes_it_out(smtp, session, person, trainer):
    booking = book(session, person)
    deliver()
    later = session.starts_at + timedelta(days=1)
    services.session_reschedule(
        session=session, starts_at=later, ends_at=later + timedelta(minutes=90), actor=trainer
    )
    deliver()
    services.booking_cancel(booking=booking, actor=person)
    deliver()
    confirmed, rescheduled, cancelled = mails_to(smtp, person)
    assert rescheduled["Subject"].startswith("New time: Get Tweeting is now ")
    assert "You keep your place." in text_of(rescheduled)
    _, _, event1 = invite(confirmed)
    _, cal2, event2 = invite(rescheduled)
    part3, cal3, event3 = invite(cancelled)
    assert str(event1["UID"]) == str(event2["UID"]) == str(event3["UID"])
    assert [int(e["SEQUENCE"]) for e in (event1, event2, event3)] == [0, 1, 2]
    assert event2.decoded("DTSTART") == later
    assert (cal2["METHOD"], cal3["METHOD"]) == ("REQUEST", "CANCEL")
    assert part3.get_param("method") == "CANCEL"
    assert str(event3["STATUS"]) == "CANCELLED"
    assert cancelled["Subject"].startswith("You have cancelled your place: Get Tweeting")
    # Message-IDs are the rows' ids: three different messages.
    assert len({m["Message-ID"] for m in (confirmed, rescheduled, cancelled)}) == 3


def test_reminder_carries_the_links_and_the_trainers_paragraph(smtp, session, person):
    booking = book(session, person)
    deliver()
    deliver(now=session.starts_at - timedelta(hours=48))
    reminder = mails_to(smtp, person)[-1]
    assert reminder["Subject"].startswith("Reminder: Get Tweeting, ")
    text = text_of(reminder)
    coming = f"{SITE}/booking-link/{links.booking_link_token(booking, 'coming')}/coming/"
    release = f"{SITE}/booking-link/{links.booking_link_token(booking, 'release')}/release/"
    assert coming.rsplit(":", 2)[0] in text  # tokens carry a timestamp, so compare the start
    assert "/coming/" in text and "/release/" in text
    assert release.split("/booking-link/")[0] in text
    assert f"See you in Staff Library, Education Centre, {person.first_name}." in text
    assert "I can't come" in html_of(reminder)
    assert "https://meet.example.org/get-tweeting" in text


def test_no_reminder_for_a_booking_cancelled_after_it_was_claimed(smtp, session, person):
    """The row is claimed only when it is due; still_due is asked under the lock, so a
    cancellation that voided nothing (the row was in flight elsewhere) still stops it."""
    booking = book(session, person)
    deliver()
    OutboxMessage.objects.filter(kind=messages.REMINDER).update(status="failed")
    services.booking_cancel(booking=booking, actor=person)
    OutboxMessage.objects.filter(kind=messages.REMINDER).update(status="pending")
    counts = deliver(now=session.starts_at - timedelta(hours=47))
    assert counts["void"] == 1
    assert not [m for m in mails_to(smtp, person) if m["Subject"].startswith("Reminder")]


def test_the_trainers_roster_lists_places_answers_and_the_waiting_list(smtp, trainer):
    course = CourseFactory(title="Get Tweeting")
    question = course.questions.create(text="Access needs?", kind="text")
    starts = timezone.now() + timedelta(days=5)
    session = services.session_create(
        venue="Staff Library",
        course=course,
        starts_at=starts,
        capacity=1,
        trainers=[trainer],
        actor=trainer,
    )
    ada, bo = UserFactory(name="Ada Lovelace"), UserFactory(name="Bo Waiting")
    book(session, ada, answers={str(question.pk): "A hearing loop, please"})
    book(session, bo)
    deliver(now=starts - timedelta(hours=24))
    [roster] = mails_to(smtp, trainer)
    assert roster["Subject"].startswith("Roster for Get Tweeting")
    assert roster["Subject"].endswith("1 with a place, 1 waiting")
    text = text_of(roster)
    assert "1. Ada Lovelace" in text
    assert "Access needs? A hearing loop, please" in text
    assert "Waiting list, in order:\n1. Bo Waiting" in text
    assert f"{SITE}/manage/sessions/{session.pk}/register/" in text


def test_a_late_release_reaches_the_trainer(smtp, session, person, trainer):
    session.trainers.add(trainer)
    booking = book(session, person)
    waiting = book(session, UserFactory())
    late = session.starts_at - timedelta(hours=5)
    services.booking_cancel(booking=booking, actor=person, now=late)
    deliver(now=late)
    [note] = mails_to(smtp, trainer)
    assert note["Subject"].startswith("Place released at short notice: Get Tweeting")
    assert person.display_name in text_of(note)
    assert "went to the next person on the waiting list" in text_of(note)
    promoted = mails_to(smtp, waiting.person)[-1]
    assert promoted["Subject"].startswith("Good news: a place came up for you")
    assert invite(promoted)[1]["METHOD"] == "REQUEST"


def test_a_cancelled_session_with_a_replacement_moves_the_calendar_event(smtp, session, person):
    trainer = UserFactory(role="trainer")
    booking = book(session, person)
    deliver()
    replacement = SessionFactory(
        course=session.course, starts_at=session.starts_at + timedelta(days=7), capacity=3
    )
    services.session_cancel(
        session=session, actor=trainer, move_to=replacement, reason="The room is flooded"
    )
    deliver()
    first, cancelled = mails_to(smtp, person)
    assert subject(cancelled).startswith("Cancelled: Get Tweeting")
    assert "; moved to " in subject(cancelled)
    text = text_of(cancelled)
    assert "The room is flooded" in text
    booking.refresh_from_db()
    assert f"{SITE}/bookings/{booking.moved_to_id}/" in text
    _, _, old_event = invite(first)
    _, cal, event = invite(cancelled)
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == str(old_event["UID"])
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == replacement.starts_at


def test_a_cancelled_session_without_a_replacement_cancels_the_event(smtp, session, person):
    trainer = UserFactory(role="trainer")
    booking = book(session, person)
    services.session_cancel(session=session, actor=trainer)
    deliver()
    # The confirmation was not sent yet, so it was voided; the cancellation goes out.
    [cancelled] = mails_to(smtp, person)
    _, cal, event = invite(cancelled)
    assert cal["METHOD"] == "CANCEL"
    assert str(event["UID"]) == f"guildbook-booking-{booking.pk}@127.0.0.1"
    assert "We are sorry: this session has been cancelled" in text_of(cancelled)


def test_the_demo_history_sends_nothing(smtp, course, trainer):
    """Past sessions loaded through the services (as `guildbook demo` does): no mail."""
    session = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=40))
    session.trainers.add(trainer)
    then = session.starts_at - timedelta(days=20)
    for person in UserFactory.create_batch(3):
        book(session, person, now=then)
    assert OutboxMessage.objects.filter(status="pending").exists()
    deliver()
    assert smtp.messages == []
    assert not OutboxMessage.objects.filter(status="pending").exists()
