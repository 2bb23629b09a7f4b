from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guildbook.training import services
from guildbook.training.models import Booking, Session
from tests.factories import UserFactory


def book(session, person):
    return services.booking_create(session=session, person=person, actor=person)


def test_places_then_waiting_list_in_order(session):
    people = UserFactory.create_batch(5)
    bookings = [book(session, p) for p in people]
    assert [b.status for b in bookings] == ["confirmed"] * 2 + ["waiting"] * 3
    assert [services.waiting_position(b) for b in bookings[2:]] == [1, 2, 3]
    session.refresh_from_db()
    assert session.places_taken == 2


def test_cancelling_a_place_promotes_the_head_of_the_waiting_list(session):
    a, b, c, d = UserFactory.create_batch(4)
    first = book(session, a)
    book(session, b)
    waiting_c, waiting_d = book(session, c), book(session, d)
    services.booking_cancel(booking=first, actor=a)
    waiting_c.refresh_from_db()
    waiting_d.refresh_from_db()
    assert waiting_c.status == Booking.Status.CONFIRMED
    assert services.waiting_position(waiting_d) == 1
    session.refresh_from_db()
    assert session.places_taken == 2


def test_one_active_booking_per_person(session, person):
    book(session, person)
    with pytest.raises(services.AlreadyBooked):
        book(session, person)


def test_late_cancellation_is_recorded(course, person):
    from tests.factories import SessionFactory

    soon = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=5))
    booking = book(soon, person)
    services.booking_cancel(booking=booking, actor=person)
    booking.refresh_from_db()
    assert booking.late_cancellation is True


def test_capacity_cannot_drop_below_places_taken_and_raising_it_promotes(session, trainer):
    a, b, c = UserFactory.create_batch(3)
    book(session, a), book(session, b)
    waiting = book(session, c)
    with pytest.raises(services.ServiceError) as err:
        services.session_set_capacity(session=session, capacity=1, actor=trainer)
    assert err.value.field == "capacity"
    services.session_set_capacity(session=session, capacity=3, actor=trainer)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED


def test_refuses_past_and_cancelled_sessions(course, person, trainer):
    from tests.factories import SessionFactory

    past = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=1))
    with pytest.raises(services.BookingRefused, match="already started"):
        book(past, person)
    cancelled = SessionFactory(course=course)
    services.session_cancel(session=cancelled, actor=trainer)
    with pytest.raises(services.BookingRefused, match="cancelled"):
        book(cancelled, person)


def test_database_refuses_more_places_than_capacity(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(places_taken=session.capacity + 1)


def test_database_refuses_a_second_active_booking(session, person):
    book(session, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            session=session, person=person, status="waiting", waiting_since=timezone.now()
        )


def test_waiting_list_order_is_the_order_people_joined_not_their_clock_readings(session):
    """A request reads the clock before it queues for the session's lock, and app servers'
    clocks differ: whoever gets the lock first must be ahead, whatever time they carry."""
    book(session, UserFactory()), book(session, UserFactory())
    first, second = UserFactory.create_batch(2)
    t = timezone.now()
    joined_first = services.booking_create(
        session=session, person=first, actor=first, now=t + timedelta(seconds=1)
    )
    joined_second = services.booking_create(session=session, person=second, actor=second, now=t)
    assert services.waiting_position(joined_first) == 1
    assert services.waiting_position(joined_second) == 2
    holder = session.bookings.filter(status="confirmed").first()
    services.booking_cancel(booking=holder, actor=holder.person)
    joined_first.refresh_from_db()
    assert joined_first.status == Booking.Status.CONFIRMED
