from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guildbook.training import services
from guildbook.training.models import Booking, Session
from tests.factories import UserFactory

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")


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


def test_leaving_the_waiting_list_closes_the_gap_and_frees_no_place(session):
    book(session, UserFactory()), book(session, UserFactory())
    first, second, third = (book(session, p) for p in UserFactory.create_batch(3))
    ended = services.booking_cancel(booking=second, actor=second.person)
    assert ended.ending == Booking.Ending.LEFT_WAITING_LIST
    assert ended.late_cancellation is False
    assert [services.waiting_position(b) for b in (first, third)] == [1, 2]
    session.refresh_from_db()
    assert session.places_taken == 2


def test_a_trainer_removing_a_place_promotes_and_is_not_a_late_cancellation(course, trainer):
    from tests.factories import SessionFactory

    soon = SessionFactory(course=course, capacity=1, starts_at=timezone.now() + timedelta(hours=3))
    holder, waiting = (book(soon, p) for p in UserFactory.create_batch(2))
    removed = services.booking_remove(booking=holder, actor=trainer)
    assert (removed.ending, removed.late_cancellation) == (Booking.Ending.REMOVED, False)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED


def test_raising_capacity_promotes_that_many_in_order(session, trainer):
    book(session, UserFactory()), book(session, UserFactory())
    waiting = [book(session, p) for p in UserFactory.create_batch(4)]
    services.session_set_capacity(session=session, capacity=4, actor=trainer)
    for b in waiting:
        b.refresh_from_db()
    assert [b.status for b in waiting] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [services.waiting_position(b) for b in waiting[2:]] == [1, 2]


def test_moving_a_place_frees_it_for_the_old_waiting_list_and_queues_at_the_new(course, trainer):
    from tests.factories import SessionFactory

    source = SessionFactory(course=course, capacity=1)
    target = SessionFactory(course=course, capacity=1, starts_at=source.starts_at + timedelta(1))
    mover, next_in_line = (book(source, p) for p in UserFactory.create_batch(2))
    book(target, UserFactory())
    queued = book(target, UserFactory())

    moved = services.booking_move(booking=mover, to_session=target, actor=trainer)

    next_in_line.refresh_from_db()
    assert next_in_line.status == Booking.Status.CONFIRMED
    assert moved.status == Booking.Status.WAITING
    assert [services.waiting_position(b) for b in (queued, moved)] == [1, 2]
    mover.refresh_from_db()
    assert (mover.status, mover.ending, mover.moved_to_id) == ("cancelled", "moved", moved.pk)


def test_moving_to_a_session_already_booked_changes_nothing(course, trainer, person):
    from tests.factories import SessionFactory

    source = SessionFactory(course=course)
    target = SessionFactory(course=course, starts_at=source.starts_at + timedelta(1))
    booking, _ = book(source, person), book(target, person)
    with pytest.raises(services.AlreadyBooked):
        services.booking_move(booking=booking, to_session=target, actor=trainer)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_full_session_without_a_waiting_list_refuses(course, person):
    from tests.factories import SessionFactory

    course.waiting_list_enabled = False
    course.save()
    full = SessionFactory(course=course, capacity=1)
    book(full, UserFactory())
    with pytest.raises(services.BookingRefused) as err:
        book(full, person)
    assert err.value.code == "full"
    assert not full.bookings.filter(person=person).exists()


def test_not_yet_open_and_closed_say_when(course, person):
    from tests.factories import SessionFactory

    course.booking_opens_days, course.booking_closes_hours = 30, 24
    course.save()
    later = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=40))
    with pytest.raises(services.BookingRefused, match="Booking opens on"):
        book(later, person)
    tomorrow = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=12))
    with pytest.raises(services.BookingRefused, match="Booking closed on"):
        book(tomorrow, person)


def test_every_booking_change_records_who_and_when(session, trainer):
    from guildbook.core.audit import audit_trail

    a, b = UserFactory.create_batch(2)
    book(session, UserFactory())
    place, waiting = book(session, a), book(session, b)
    services.booking_cancel(booking=place, actor=a)
    assert [(e.action, e.actor) for e in audit_trail(place).order_by("id")] == [
        ("booking_confirmed", a),
        ("booking_cancelled", a),
    ]
    assert [(e.action, e.actor) for e in audit_trail(waiting).order_by("id")] == [
        ("booking_waiting", b),
        ("booking_promoted", a),
    ]
    assert all(e.at is not None for e in audit_trail(waiting))
