"""What a first week of real use found missing from training's e-mails: a confirmation when
someone declines an offered place; a late-release note when no trainer runs the session
(to the service's training inbox, and on the trainers' dashboard); the trainer's own
paragraph in the e-mails that give someone a place on another session."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guildbook.notifications import delivery
from guildbook.training import services
from guildbook.training.models import Booking, Course
from tests.factories import CourseFactory, SessionFactory, UserFactory

NOTE = "Bring your phone, {first_name}: we meet in {venue}."


def deliver():
    return delivery.Worker(worker_id="test").step(now=timezone.now())


def text_of(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(mail):
    return mail.get_body(("html",)).get_content()


def mails_to(sink, person):
    return [m for m in sink.messages if m["To"] == person.email]


def test_declining_an_offer_is_confirmed(smtp, db):
    now = timezone.now()
    course = CourseFactory(
        title="Searching Medline", waiting_list_mode=Course.WaitingListMode.OFFER
    )
    session = SessionFactory(course=course, capacity=1, starts_at=now + timedelta(days=5))
    first, second = UserFactory.create_batch(2)
    held = services.booking_create(session=session, person=first, actor=first)
    offered = services.booking_create(session=session, person=second, actor=second)
    services.booking_cancel(booking=held, actor=first)
    offered.refresh_from_db()
    assert offered.status == Booking.Status.OFFERED
    deliver()
    services.offer_decline(booking=offered, actor=second)
    deliver()
    subjects = [m["Subject"] for m in mails_to(smtp, second)]
    assert any(s.startswith("You passed on the place: Searching Medline") for s in subjects)
    mail = next(m for m in mails_to(smtp, second) if m["Subject"].startswith("You passed on"))
    assert "no longer on the waiting list" in text_of(mail)


@pytest.fixture
def untrained_session(db):
    """A session whose course names no trainer, inside its late-cancellation window."""
    now = timezone.now()
    course = CourseFactory(title="Health literacy", late_cancellation_hours=48)
    course.trainers.clear()
    return SessionFactory(course=course, capacity=4, starts_at=now + timedelta(hours=20))


def test_a_late_release_with_no_trainer_goes_to_the_training_inbox(
    smtp, settings, untrained_session, person
):
    settings.GUILDBOOK_TRAINING_INBOX = "training@example.nhs.uk"
    booking = services.booking_create(session=untrained_session, person=person, actor=person)
    services.booking_cancel(booking=booking, actor=person)
    deliver()
    notes = [m for m in smtp.messages if m["To"] == "training@example.nhs.uk"]
    assert len(notes) == 1
    assert "Ada Learner released their place" in text_of(notes[0])
    assert not text_of(notes[0]).startswith("Hello ,")


def test_without_a_training_inbox_the_note_waits_on_the_dashboard(
    client, settings, untrained_session, person, trainer
):
    settings.GUILDBOOK_TRAINING_INBOX = ""
    booking = services.booking_create(session=untrained_session, person=person, actor=person)
    services.booking_cancel(booking=booking, actor=person)
    client.force_login(trainer)
    page = client.get(reverse("training:manage")).content.decode()
    assert "Late cancellations on sessions with no trainer" in page
    assert "Ada Learner" in page and "Health literacy" in page


@pytest.fixture
def noted_course(db):
    return CourseFactory(title="Get Tweeting", confirmation_note=NOTE)


def test_the_trainers_paragraph_is_in_the_moved_email(smtp, noted_course, person, trainer):
    now = timezone.now()
    source = SessionFactory(course=noted_course, starts_at=now + timedelta(days=5))
    target = SessionFactory(course=noted_course, starts_at=now + timedelta(days=12), venue="Room 4")
    booking = services.booking_create(session=source, person=person, actor=person)
    deliver()
    services.booking_move(booking=booking, to_session=target, actor=trainer)
    deliver()
    moved = next(m for m in mails_to(smtp, person) if "moved" in m["Subject"].lower())
    assert "Bring your phone, Ada: we meet in Room 4." in text_of(moved)
    assert "Bring your phone, Ada: we meet in Room 4." in html_of(moved)


def test_the_trainers_paragraph_is_in_the_cancelled_with_replacement_email(
    smtp, noted_course, person, trainer
):
    now = timezone.now()
    source = SessionFactory(course=noted_course, starts_at=now + timedelta(days=5))
    target = SessionFactory(course=noted_course, starts_at=now + timedelta(days=12), venue="Room 4")
    services.booking_create(session=source, person=person, actor=person)
    deliver()
    services.session_cancel(session=source, move_to=target, actor=trainer, reason="Room closed.")
    deliver()
    cancelled = next(m for m in mails_to(smtp, person) if "cancelled" in m["Subject"].lower())
    assert "Bring your phone, Ada: we meet in Room 4." in text_of(cancelled)
    assert "Bring your phone, Ada: we meet in Room 4." in html_of(cancelled)


def test_the_dashboards_list_costs_the_same_queries_for_one_or_many(
    client, settings, untrained_session, trainer
):
    settings.GUILDBOOK_TRAINING_INBOX = ""
    client.force_login(trainer)

    def release(n):
        for person in UserFactory.create_batch(n):
            booking = services.booking_create(
                session=untrained_session, person=person, actor=person
            )
            services.booking_cancel(booking=booking, actor=person)

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("training:manage")).status_code == 200
        return len(seen)

    release(1)
    one = queries()
    release(4)
    assert queries() == one
