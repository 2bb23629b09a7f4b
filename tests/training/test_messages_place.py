"""A session's venue or online link changes: everyone with a place gets an updated calendar
invite (same UID, SEQUENCE up) and a short "the place has changed" message, queued in the
same transaction; the waiting list hears nothing, and the link only reaches people with a
place. Delivered through the real SMTP server and read back."""

from datetime import time, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from guildbook.notifications import delivery
from guildbook.notifications.kinds import get_kind
from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, services
from guildbook.training.models import Booking
from tests.factories import UserFactory, weekly_series
from tests.training.test_messages_delivery import SITE, html_of, invite, mails_to, text_of

NEW_LINK = "https://meet.example.org/get-tweeting-2"


def deliver():
    return delivery.Worker(worker_id="test").step(now=timezone.now())


def notices(booking, status="pending"):
    return list(
        OutboxMessage.objects.filter(
            kind=messages.PLACE_CHANGED, object_id=booking.pk, status=status
        ).order_by("id")
    )


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def booked(course, trainer):
    """One place taken, one person waiting; the first e-mails already sent."""
    starts = (timezone.now() + timedelta(days=14)).replace(hour=10, minute=0, second=0)
    session = services.session_create(
        course=course,
        starts_at=starts,
        capacity=1,
        venue="Staff Library, Education Centre",
        online_link="https://meet.example.org/get-tweeting",
        actor=trainer,
    )
    place = services.booking_create(session=session, person=UserFactory(), actor=None)
    waiting = services.booking_create(session=session, person=UserFactory(), actor=None)
    assert (place.status, waiting.status) == ("confirmed", "waiting")
    return session, place, waiting


def test_a_new_venue_queues_an_updated_invite_for_places_only(booked, trainer):
    session, place, waiting = booked
    services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
    place.refresh_from_db()
    assert place.calendar_sequence == 1
    [row] = notices(place)
    assert row.due_at <= timezone.now() and row.context["changed"] == ["venue"]
    assert notices(waiting) == []
    assert not OutboxMessage.objects.filter(object_id=waiting.pk, status="pending").exclude(
        kind=messages.WAITING_JOINED
    )


def test_the_notice_arrives_with_the_new_place_and_the_same_calendar_event(smtp, booked, trainer):
    session, place, waiting = booked
    deliver()
    services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
    deliver()
    first, changed = mails_to(smtp, place.person)
    assert str(changed["Subject"]).startswith("New place: ")
    for body in (text_of(changed), html_of(changed)):
        assert "Seminar Room 2" in body
        assert "has changed" in body
        assert "https://meet.example.org/get-tweeting" in body
    _, _, event1 = invite(first)
    _, cal2, event2 = invite(changed)
    assert cal2["METHOD"] == "REQUEST"
    assert str(event1["UID"]) == str(event2["UID"])
    assert (int(event1["SEQUENCE"]), int(event2["SEQUENCE"])) == (0, 1)
    assert "Seminar Room 2" in str(event2["LOCATION"])
    # The waiting list got only its own welcome.
    assert [m["Subject"].split(":")[0] for m in mails_to(smtp, waiting.person)] == [
        "You are on the waiting list (number 1)"
    ]


def test_a_new_online_link_reaches_places_only(smtp, booked, trainer):
    session, place, waiting = booked
    deliver()
    services.session_update(session=session, actor=trainer, online_link=NEW_LINK)
    deliver()
    changed = mails_to(smtp, place.person)[-1]
    assert str(changed["Subject"]).startswith("New joining link: ")
    assert NEW_LINK in text_of(changed) and NEW_LINK in html_of(changed)
    _, _, event = invite(changed)
    assert NEW_LINK in str(event["DESCRIPTION"])
    assert not any(NEW_LINK in text_of(m) for m in mails_to(smtp, waiting.person))
    assert notices(waiting) == []


def test_nothing_is_sent_when_nothing_really_changed(booked, trainer):
    session, place, _waiting = booked
    services.session_update(session=session, actor=trainer, venue=session.venue)
    services.session_update(session=session, actor=trainer, capacity=3)
    assert notices(place) == []


def test_a_change_that_rolls_back_leaves_no_notice(booked, trainer):
    session, place, _waiting = booked
    with pytest.raises(RuntimeError), transaction.atomic():
        services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
        raise RuntimeError("the request failed afterwards")
    assert notices(place) == []
    place.refresh_from_db()
    assert place.calendar_sequence == 0


def test_only_the_newest_notice_goes(booked, trainer):
    session, place, _waiting = booked
    services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
    services.session_update(session=session, actor=trainer, venue="Seminar Room 3")
    first, second = notices(place)
    assert get_kind(first.kind).still_due(first) is False
    assert get_kind(second.kind).still_due(second) is True


def test_a_place_and_time_change_together_say_both(booked, trainer):
    session, place, _waiting = booked
    services.session_update(
        session=session, actor=trainer, venue="Seminar Room 2", start_time=time(14, 0)
    )
    [row] = notices(place)
    assert row.context["time_changed"] is True
    # The reschedule notice is folded into this one: one e-mail, one calendar update.
    assert not OutboxMessage.objects.filter(
        kind=messages.RESCHEDULED, object_id=place.pk, status="pending"
    ).exists()
    assert "new time and place" in get_kind(row.kind).build(row).text


def test_a_place_cancelled_before_the_notice_went_gets_none(booked, trainer):
    session, place, waiting = booked
    services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
    [row] = notices(place)
    services.booking_cancel(booking=place, actor=place.person)
    assert notices(place, "void") == [row]
    # The person promoted in their place hears the venue in their confirmation.
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED and notices(waiting) == []


def test_this_and_following_sessions_of_a_series(course, trainer):
    series = weekly_series(course, trainer, venue="Staff Library")
    first, second, third = list(series.sessions.order_by("starts_at"))[:3]
    places = [
        services.booking_create(session=s, person=UserFactory(), actor=None)
        for s in (first, second, third)
    ]
    services.session_update(session=second, actor=trainer, following=True, venue="Room 2")
    assert [len(notices(b)) for b in places] == [0, 1, 1]


def test_a_venue_changed_in_the_admin_is_announced(client, booked):
    session, place, _waiting = booked
    client.force_login(UserFactory(email="admin@example.nhs.uk", role="administrator"))
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    response = client.post(
        reverse("admin:training_session_change", args=[session.pk]),
        {
            "starts_at_0": start.strftime("%d/%m/%Y"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%d/%m/%Y"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "venue": "Seminar Room 2",
            "online_link": session.online_link,
            "capacity": session.capacity,  # editable in the admin now, through the service
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.venue == "Seminar Room 2" and session.capacity == 1
    assert len(notices(place)) == 1


def test_a_new_time_after_a_new_place_not_yet_sent_says_both(booked, trainer):
    session, place, _waiting = booked
    services.session_update(session=session, actor=trainer, venue="Seminar Room 2")
    [changed] = notices(place)
    later = session.starts_at + timedelta(days=1)
    services.session_reschedule(
        session=session, starts_at=later, ends_at=later + timedelta(hours=1), actor=trainer
    )
    assert notices(place, "void") == [changed]
    [row] = OutboxMessage.objects.filter(
        kind=messages.RESCHEDULED, object_id=place.pk, status="pending"
    )
    assert row.context["place_changed"] is True
    email = get_kind(row.kind).build(row)
    assert email.subject.startswith("New time and place: ")
    assert "new time and place" in email.text and "Seminar Room 2" in email.text
