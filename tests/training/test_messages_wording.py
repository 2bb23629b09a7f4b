"""E-mails use the pages' words: what happened to a cancelled place, and where a session is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.notifications.kinds import get_kind
from guildbook.notifications.models import OutboxMessage
from guildbook.training import outcomes, services
from guildbook.training.venues import VENUE_TBC
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _cancelled_mail(booking):
    row = OutboxMessage.objects.get(kind="training.place_cancelled", object_id=booking.pk)
    return get_kind(row.kind).build(row)


def _cancel(session, person):
    booking = services.booking_create(session=session, person=person, actor=person)
    return booking, services.booking_cancel(booking=booking, actor=person)


def test_nobody_waiting_the_mail_says_the_place_is_free(person):
    session = SessionFactory(capacity=1)
    booking, cancelled = _cancel(session, person)
    mail = _cancelled_mail(booking)
    said = outcomes.place_went(cancelled)
    assert said == "Nobody was waiting, so it is free for someone else to book."
    assert said in mail.text and said in mail.html
    assert "next person" not in mail.text and "next person" not in mail.html


def test_someone_waiting_the_mail_says_it_went_to_them(person):
    session = SessionFactory(capacity=1)
    booking = services.booking_create(session=session, person=person, actor=person)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    services.booking_cancel(booking=booking, actor=person)
    mail = _cancelled_mail(booking)
    assert "It has gone to the next person on the waiting list." in mail.text
    assert "back into the catalogue" not in mail.text


def test_offer_mode_the_mail_says_it_was_offered(person):
    session = SessionFactory(
        course=CourseFactory(waiting_list_mode="offer"),
        capacity=1,
        starts_at=timezone.now() + timedelta(days=10),
    )
    booking = services.booking_create(session=session, person=person, actor=person)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    services.booking_cancel(booking=booking, actor=person)
    assert "It has been offered to the next person on the waiting list." in (
        _cancelled_mail(booking).text
    )


def test_the_mail_says_what_happened_then_not_what_is_true_when_it_is_sent(person):
    session = SessionFactory(capacity=1)
    booking, _ = _cancel(session, person)
    # Someone books the free place before the worker sends the message.
    services.booking_create(session=session, person=UserFactory(), actor=None)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    assert "Nobody was waiting" in _cancelled_mail(booking).text


def test_a_session_without_a_place_reads_venue_to_be_confirmed_in_mail(person):
    session = SessionFactory(course=CourseFactory(delivery="both"), venue="", online_link="")
    booking = services.booking_create(session=session, person=person, actor=person)
    row = OutboxMessage.objects.get(kind="training.place_confirmed", object_id=booking.pk)
    mail = get_kind(row.kind).build(row)
    assert f"Where: {VENUE_TBC}" in mail.text
    assert f"<strong>Where:</strong> {VENUE_TBC}" in mail.html
    assert "Where: to be confirmed" not in mail.text
    assert session.where == VENUE_TBC


@pytest.mark.parametrize(
    "venue,link,follow,said",
    [
        ("Staff Library", "", False, "Staff Library"),
        ("", "https://meet.example.org/x", False, "Online"),
        ("", "", True, "Online (link to follow)"),
        ("Staff Library", "https://meet.example.org/x", False, "Staff Library, and online"),
    ],
)
def test_mail_says_where_in_the_pages_words(person, venue, link, follow, said):
    session = SessionFactory(
        course=CourseFactory(delivery="both"), venue=venue, online_link=link, link_to_follow=follow
    )
    booking = services.booking_create(session=session, person=person, actor=person)
    row = OutboxMessage.objects.get(kind="training.place_confirmed", object_id=booking.pk)
    text = get_kind(row.kind).build(row).text
    assert f"Where: {said}\n" in text
    assert session.where == said
