"""Offer mode: a freed place is offered to the head of the waiting list, held for a window
that shrinks as the session nears, and passed down the list when declined or lapsed; in the
last 24 hours everyone waiting may claim it, first come. Time is passed as `now=`."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, offers, services
from guildbook.training.models import Booking, Course
from tests.factories import CourseFactory, SessionFactory, UserFactory

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")

H = timedelta(hours=1)
D = timedelta(days=1)


# --- The window ---------------------------------------------------------------------------

START = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ahead", "window"),
    [
        (30 * D, 48 * H),
        (7 * D + H, 48 * H),
        (7 * D, 24 * H),  # within a week
        (3 * D, 24 * H),
        (2 * D + H, 24 * H),
        (2 * D, 4 * H),  # within the last two days
        (25 * H, 4 * H),
        (24 * H, None),  # the last 24 hours: first to claim
        (H, None),
        (timedelta(0), None),
        (-H, None),
    ],
)
def test_the_window_shrinks_as_the_session_nears(ahead, window):
    assert offers.offer_window(START, START - ahead) == window


def test_an_offer_never_runs_past_the_start():
    now = START - 25 * H
    assert offers.offer_expires_at(START, now) == now + 4 * H
    assert offers.offer_expires_at(START, START - 30 * D) == START - 30 * D + 48 * H
    for minutes in range(24 * 60 + 1, 3 * 24 * 60, 37):
        now = START - timedelta(minutes=minutes)
        assert offers.offer_expires_at(START, now) <= START
    assert offers.offer_expires_at(START, START - 10 * H) is None
    assert offers.is_open_claim(START, START - 10 * H)
    assert not offers.is_open_claim(START, START + H)
    assert not offers.is_open_claim(START, START - 2 * D)


# --- Services -----------------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def offer_course(db):
    return CourseFactory(waiting_list_mode=Course.WaitingListMode.OFFER)


def make_session(course, starts_in, capacity=2):
    now = timezone.now()
    return SessionFactory(
        course=course, starts_at=now + starts_in, ends_at=now + starts_in + 2 * H, capacity=capacity
    )


def book(session, person, now):
    return services.booking_create(session=session, person=person, actor=person, now=now)


def fresh(*objs):
    for obj in objs:
        obj.refresh_from_db()
    return objs[0] if len(objs) == 1 else objs


def check_invariants(session):
    session.refresh_from_db()
    held = session.bookings.filter(status__in=Booking.HOLDING).count()
    assert session.places_taken == held <= session.capacity


def full_session(course, starts_in, now, waiting=3):
    session = make_session(course, starts_in)
    people = UserFactory.create_batch(2 + waiting)
    bookings = [book(session, p, now) for p in people]
    assert [b.status for b in bookings] == ["confirmed"] * 2 + ["waiting"] * waiting
    return session, bookings


def test_automatic_mode_is_the_default_and_unchanged(db, now):
    session, (a, _b, c, _d, _e) = full_session(CourseFactory(), 10 * D, now)
    assert session.course.waiting_list_mode == "automatic"
    services.booking_cancel(booking=a, actor=a.person, now=now)
    assert fresh(c).status == Booking.Status.CONFIRMED


def test_a_cancelled_place_is_offered_to_the_head_and_held(offer_course, now):
    session, (a, _b, c, d, _e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    fresh(c, d)
    assert c.status == Booking.Status.OFFERED
    assert c.offer_expires_at == now + 48 * H
    assert d.status == Booking.Status.WAITING
    check_invariants(session)
    assert session.places_taken == 2  # the offer holds the place
    assert OutboxMessage.objects.filter(kind=messages.OFFERED, object_id=c.pk).count() == 1
    # Nobody else can take the held place.
    late = book(session, UserFactory(), now)
    assert late.status == Booking.Status.WAITING


def test_claiming_confirms_the_place(offer_course, now):
    session, (a, _b, c, _d, _e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    claimed = services.offer_claim(booking=c, actor=c.person, now=now + H)
    assert claimed.status == Booking.Status.CONFIRMED
    assert claimed.confirmed_at == now + H
    check_invariants(session)
    assert OutboxMessage.objects.filter(kind=messages.PROMOTED, object_id=c.pk).exists()
    with pytest.raises(services.ServiceError):
        services.offer_claim(booking=c, actor=c.person, now=now + H)


def test_decline_and_expiry_pass_the_place_down_the_list_in_order(offer_course, now):
    session, (a, _b, c, d, e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    services.offer_decline(booking=c, actor=c.person, now=now + H)
    fresh(c, d, e)
    assert (c.status, c.ending) == ("cancelled", Booking.Ending.DECLINED_OFFER)
    assert d.status == Booking.Status.OFFERED
    assert d.offer_expires_at == now + H + 48 * H
    assert e.status == Booking.Status.WAITING
    check_invariants(session)

    # Not yet expired: nothing happens.
    assert services.offers_expire(now=now + 48 * H) == 0
    assert services.offer_expire(booking=d, now=now + 48 * H) is None
    later = now + 49 * H
    assert services.offers_expire(now=later) == 1
    fresh(d, e)
    assert (d.status, d.ending) == ("cancelled", Booking.Ending.OFFER_EXPIRED)
    assert e.status == Booking.Status.OFFERED
    check_invariants(session)
    lapsed = OutboxMessage.objects.filter(kind=messages.OFFER_LAPSED, object_id=d.pk)
    assert lapsed.count() == 1
    # Running it again, or claiming the lapsed offer, changes nothing.
    assert services.offers_expire(now=later) == 0
    with pytest.raises(services.OfferGone):
        services.offer_claim(booking=d, actor=d.person, now=later)
    # The last one lapses too: the place is free again, nobody is waiting.
    assert services.offers_expire(now=later + 49 * H) == 1
    check_invariants(session)
    assert session.places_taken == 1


def test_an_offer_past_its_time_cannot_be_claimed_before_the_worker_expires_it(offer_course, now):
    _session, (a, _b, c, _d, _e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    with pytest.raises(services.OfferGone, match="ran out"):
        services.offer_claim(booking=c, actor=c.person, now=now + 48 * H)
    assert fresh(c).status == Booking.Status.OFFERED


def test_the_window_follows_the_session_nearing(offer_course, now):
    _session, (a, _b, c, d, _e) = full_session(offer_course, 30 * H, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    assert fresh(c).offer_expires_at == now + 4 * H
    # Lapses 26 hours before the start: still a held offer (4 hours) for the next.
    services.offers_expire(now=now + 4 * H)
    assert fresh(d).status == Booking.Status.OFFERED
    assert d.offer_expires_at == now + 8 * H


def test_in_the_last_24_hours_everyone_is_told_and_the_first_claim_wins(offer_course, now):
    session, (a, _b, c, d, e) = full_session(offer_course, 20 * H, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    fresh(session, c, d, e)
    assert [x.status for x in (c, d, e)] == ["waiting"] * 3  # the place is not held
    assert session.places_taken == 1
    told = OutboxMessage.objects.filter(kind=messages.OPEN_OFFER)
    assert sorted(told.values_list("object_id", flat=True)) == sorted([c.pk, d.pk, e.pk])

    winner = services.offer_claim(booking=e, actor=e.person, now=now + H)
    assert winner.status == Booking.Status.CONFIRMED
    check_invariants(session)
    with pytest.raises(services.OfferGone, match="someone else claimed it first") as err:
        services.offer_claim(booking=c, actor=c.person, now=now + 2 * H)
    assert "number 1" in err.value.message
    assert fresh(c).status == Booking.Status.WAITING  # keeps their turn
    assert services.waiting_position(d) == 2
    check_invariants(session)


def test_an_offer_lapsing_into_the_last_24_hours_opens_the_place_to_all(offer_course, now):
    session, (a, _b, c, d, e) = full_session(offer_course, 26 * H, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    assert fresh(c).status == Booking.Status.OFFERED
    services.offers_expire(now=now + 4 * H)
    fresh(session, d, e)
    assert (d.status, e.status) == ("waiting", "waiting")
    assert session.places_taken == 1
    assert OutboxMessage.objects.filter(kind=messages.OPEN_OFFER, object_id=d.pk).exists()


def test_cancelling_an_offer_counts_as_declining_it(offer_course, now):
    session, (a, _b, c, d, _e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    services.booking_cancel(booking=c, actor=c.person, now=now + H)
    assert fresh(c).ending == Booking.Ending.DECLINED_OFFER
    assert fresh(d).status == Booking.Status.OFFERED
    check_invariants(session)


def test_a_capacity_rise_offers_places_and_a_cancelled_session_ends_offers(offer_course, now):
    trainer = UserFactory()
    session, (_a, _b, c, d, e) = full_session(offer_course, 10 * D, now)
    services.session_set_capacity(session=session, capacity=4, actor=trainer)
    assert [x.status for x in fresh(c, d, e)] == ["offered", "offered", "waiting"]
    check_invariants(session)
    services.session_cancel(session=session, actor=trainer)
    assert {b.status for b in session.bookings.all()} == {"cancelled"}


def test_an_offer_never_outlasts_a_session_moved_earlier(offer_course, now):
    session, (a, _b, c, _d, _e) = full_session(offer_course, 10 * D, now)
    services.booking_cancel(booking=a, actor=a.person, now=now)
    assert fresh(c).offer_expires_at == now + 48 * H
    new_start = now + 30 * H
    services.session_reschedule(
        session=session, starts_at=new_start, ends_at=new_start + 2 * H, actor=None
    )
    assert fresh(c).offer_expires_at == new_start
    with pytest.raises(services.AlreadyBooked, match="already offered"):
        book(session, c.person, now)
