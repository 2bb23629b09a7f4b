"""Series through the services: generating, extending, editing one or all following, and
cancelling a session with its people moved elsewhere."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from guildbook.training import selectors, services
from guildbook.training.models import Booking, Session
from tests.factories import SessionFactory, UserFactory

LONDON = ZoneInfo("Europe/London")

# In 2031 British Summer Time starts on 30 March.
MARCH_TUESDAYS = [date(2031, 3, 4), date(2031, 3, 11), date(2031, 3, 18), date(2031, 3, 25)]
APRIL_TUESDAYS = [
    date(2031, 4, 1),
    date(2031, 4, 8),
    date(2031, 4, 15),
    date(2031, 4, 22),
    date(2031, 4, 29),
]


@pytest.fixture
def weekly(course, trainer):
    """Every Tuesday at 10:00 in the Staff Library, March and April 2031."""
    series = services.series_create(
        course=course,
        frequency="weekly",
        weekday=1,
        start_time=time(10, 0),
        starts_on=date(2031, 3, 1),
        ends_on=date(2031, 4, 30),
        capacity=10,
        venue="Staff Library",
        actor=trainer,
    )
    services.series_extend(series=series, actor=trainer, until=date(2031, 4, 30))
    return series


def sessions_of(series):
    return list(Session.objects.filter(series=series).order_by("starts_at"))


def local_start(session):
    return session.starts_at.astimezone(LONDON)


def test_series_sessions_are_at_ten_local_and_stored_in_utc(weekly):
    sessions = sessions_of(weekly)
    assert [local_start(s).date() for s in sessions] == MARCH_TUESDAYS + APRIL_TUESDAYS
    assert {local_start(s).time() for s in sessions} == {time(10, 0)}
    assert sessions[3].starts_at == datetime(2031, 3, 25, 10, 0, tzinfo=UTC)
    assert sessions[4].starts_at == datetime(2031, 4, 1, 9, 0, tzinfo=UTC)
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in sessions)
    assert {s.venue for s in sessions} == {"Staff Library"}
    assert {s.capacity for s in sessions} == {10}


def test_series_extend_is_idempotent(weekly, trainer):
    assert services.series_extend(series=weekly, actor=trainer, until=date(2031, 4, 30)) == []
    assert services.series_extend(series=weekly, actor=trainer, until=date(2031, 4, 30)) == []
    assert len(sessions_of(weekly)) == 9


def test_series_extend_stops_at_ends_on(weekly, trainer):
    assert services.series_extend(series=weekly, actor=trainer, until=date(2031, 6, 30)) == []


def test_series_extend_does_not_remake_a_moved_or_cancelled_session(weekly, trainer):
    sessions = sessions_of(weekly)
    moved, cancelled = sessions[1], sessions[2]
    # 11 March moves to the Wednesday afternoon; 18 March is cancelled.
    new_start = datetime(2031, 3, 12, 14, 0, tzinfo=LONDON)
    services.session_reschedule(
        session=moved, starts_at=new_start, ends_at=new_start + timedelta(hours=1), actor=trainer
    )
    services.session_cancel(session=cancelled, actor=trainer)
    assert services.series_extend(series=weekly, actor=trainer, until=date(2031, 4, 30)) == []
    assert len(sessions_of(weekly)) == 9


def test_the_database_refuses_two_sessions_for_one_series_date(weekly):
    first = sessions_of(weekly)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            course=first.course,
            series=weekly,
            series_date=first.series_date,
            starts_at=first.starts_at + timedelta(hours=3),
        )


def test_edit_this_and_following_changes_later_attached_sessions_only(weekly, trainer):
    sessions = sessions_of(weekly)
    detached = sessions[6]  # 15 April, edited on its own
    services.session_update(session=detached, actor=trainer, venue="Seminar Room 1")
    detached.refresh_from_db()
    assert detached.detached is True

    services.session_update(
        session=sessions[2],  # 18 March
        actor=trainer,
        following=True,
        start_time=time(14, 0),
        venue="Lecture Theatre",
    )

    after = {local_start(s).date(): s for s in sessions_of(weekly)}
    assert len(after) == 9
    for day in MARCH_TUESDAYS[:2]:
        assert local_start(after[day]).time() == time(10, 0)
        assert after[day].venue == "Staff Library"
    changed = [d for d in MARCH_TUESDAYS[2:] + APRIL_TUESDAYS if d != date(2031, 4, 15)]
    for day in changed:
        assert local_start(after[day]).time() == time(14, 0), day
        assert after[day].venue == "Lecture Theatre"
        assert after[day].ends_at - after[day].starts_at == timedelta(minutes=90)
        assert after[day].detached is False
    # 14:00 in London is 14:00 UTC in March and 13:00 UTC once summer time begins.
    assert after[date(2031, 3, 25)].starts_at == datetime(2031, 3, 25, 14, 0, tzinfo=UTC)
    assert after[date(2031, 4, 1)].starts_at == datetime(2031, 4, 1, 13, 0, tzinfo=UTC)
    untouched = after[date(2031, 4, 15)]
    assert local_start(untouched).time() == time(10, 0)
    assert untouched.venue == "Seminar Room 1"

    # The earlier sessions keep their 10:00, so extending must not make 14:00 copies of them.
    assert services.series_extend(series=weekly, actor=trainer, until=date(2031, 4, 30)) == []
    weekly.refresh_from_db()
    weekly.ends_on = date(2031, 5, 31)
    weekly.save()
    extra = services.series_extend(series=weekly, actor=trainer, until=date(2031, 5, 13))
    assert [(local_start(s).date(), local_start(s).time(), s.venue) for s in extra] == [
        (date(2031, 5, 6), time(14, 0), "Lecture Theatre"),
        (date(2031, 5, 13), time(14, 0), "Lecture Theatre"),
    ]


def test_edit_this_one_detaches_it_and_leaves_the_others(weekly, trainer):
    sessions = sessions_of(weekly)
    services.session_update(session=sessions[3], actor=trainer, start_time=time(9, 30))
    after = sessions_of(weekly)
    assert [s.detached for s in after] == [False, False, False, True] + [False] * 5
    assert local_start(after[3]).time() == time(9, 30)
    assert {local_start(s).time() for s in after if s.pk != after[3].pk} == {time(10, 0)}
    weekly.refresh_from_db()
    assert weekly.start_time == time(10, 0)


def test_edit_following_capacity_promotes_on_each_session(weekly, trainer):
    sessions = sessions_of(weekly)
    services.session_update(session=sessions[0], actor=trainer, following=True, capacity=1)
    people = UserFactory.create_batch(2)
    for s in sessions[5:7]:
        for p in people:
            services.booking_create(session=s, person=p, actor=trainer)
    services.session_update(session=sessions[5], actor=trainer, following=True, capacity=2)
    for s in sessions[5:7]:
        s.refresh_from_db()
        assert s.places_taken == 2
        assert not s.bookings.filter(status=Booking.Status.WAITING).exists()


def test_edit_following_refuses_capacity_below_places_taken_all_or_nothing(weekly, trainer):
    sessions = sessions_of(weekly)
    for p in UserFactory.create_batch(3):
        services.booking_create(session=sessions[6], person=p, actor=trainer)
    with pytest.raises(services.ServiceError) as err:
        services.session_update(session=sessions[4], actor=trainer, following=True, capacity=2)
    assert err.value.field == "capacity"
    assert {s.capacity for s in sessions_of(weekly)} == {10}
    weekly.refresh_from_db()
    assert weekly.capacity == 10


# --- Cancelling with people moved to another session ----------------------------------


def names(bookings):
    return [b.person.name for b in bookings]


def fill(session, names_in_order, trainer):
    people = [UserFactory(name=n) for n in names_in_order]
    return [services.booking_create(session=session, person=p, actor=trainer) for p in people]


def test_cancel_with_move_keeps_places_then_waiting_list_order(course, trainer):
    source = SessionFactory(course=course, capacity=3)
    target = SessionFactory(course=course, capacity=3, starts_at=source.starts_at + timedelta(7))
    fill(target, ["Xavier"], trainer)
    alice, *_ = fill(source, ["Alice", "Bea", "Cal", "Dee", "Eve", "Fay", "Gus"], trainer)
    # Alice cancels: Dee is promoted, so she took her place after Bea and Cal.
    services.booking_cancel(booking=alice, actor=trainer)

    services.session_cancel(session=source, actor=trainer, move_to=target)

    target.refresh_from_db()
    assert names(selectors.register(target).order_by("confirmed_at", "id")) == [
        "Xavier",
        "Bea",
        "Cal",
    ]
    waiting = list(selectors.waiting_list(target))
    assert names(waiting) == ["Dee", "Eve", "Fay", "Gus"]
    assert [services.waiting_position(b) for b in waiting] == [1, 2, 3, 4]
    assert target.places_taken == 3
    source.refresh_from_db()
    assert source.status == Session.Status.CANCELLED
    assert source.places_taken == 0
    assert not source.bookings.filter(status__in=Booking.ACTIVE).exists()
    assert set(source.bookings.exclude(person__name="Alice").values_list("ending", flat=True)) == {
        Booking.Ending.MOVED
    }


def test_cancel_with_move_joins_after_the_targets_own_waiting_list(course, trainer):
    source = SessionFactory(course=course, capacity=2)
    target = SessionFactory(course=course, capacity=1, starts_at=source.starts_at + timedelta(7))
    fill(target, ["Xavier", "Wendy"], trainer)
    fill(source, ["Alice", "Bea", "Cal"], trainer)

    services.session_cancel(session=source, actor=trainer, move_to=target)

    assert names(selectors.waiting_list(target)) == ["Wendy", "Alice", "Bea", "Cal"]
    # Promotion follows that order.
    xavier = target.bookings.get(person__name="Xavier")
    services.booking_cancel(booking=xavier, actor=trainer)
    assert names(selectors.register(target)) == ["Wendy"]
    assert names(selectors.waiting_list(target)) == ["Alice", "Bea", "Cal"]
