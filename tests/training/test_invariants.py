"""The booking invariants under any sequence of operations (a hypothesis state machine).

Each example gets a fresh course with two sessions and a handful of people, and runs a
random sequence of book / cancel / leave the waiting list / remove / move between the two
sessions / change capacity through the real services on the real database. A plain Python
model of the same rules runs alongside. After every step:

* places_taken == number of confirmed bookings <= capacity;
* a person holds at most one active booking per session;
* whenever a place is free, nobody is waiting (a freed place goes to the list at once);
* the waiting list, in the database's order, is the order people joined it — so the order
  they are promoted in is the order they joined.

`OfferMachine` runs the same operations on a course in offer mode, plus claiming, declining
and letting offers lapse (time passed as `now=`): places_taken == confirmed + offered <=
capacity, a free place is always offered while people wait, and offers go down the list in
joining order.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import Booking, Session
from guildbook.training.selectors import with_waiting_positions
from tests.factories import CourseFactory, SessionFactory, UserFactory

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")

PEOPLE = 6
people_ = st.integers(min_value=0, max_value=PEOPLE - 1)
sessions_ = st.integers(min_value=0, max_value=1)


class SessionModel:
    """What the rules say a session should look like."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.confirmed: set[int] = set()  # person indexes
        self.waiting: list[int] = []  # in joining order

    def active(self, who: int) -> bool:
        return who in self.confirmed or who in self.waiting

    def join(self, who: int) -> str:
        if len(self.confirmed) < self.capacity:
            self.confirmed.add(who)
            return Booking.Status.CONFIRMED
        self.waiting.append(who)
        return Booking.Status.WAITING

    def leave(self, who: int) -> None:
        if who in self.confirmed:
            self.confirmed.remove(who)
            self.promote()
        else:
            self.waiting.remove(who)

    def promote(self) -> None:
        while self.waiting and len(self.confirmed) < self.capacity:
            self.confirmed.add(self.waiting.pop(0))


class OfferSessionModel(SessionModel):
    """Offer mode, more than a day ahead: a free place is offered to the head of the list
    and held (`offered`, in offer order) until claimed, declined or lapsed."""

    def __init__(self, capacity: int):
        super().__init__(capacity)
        self.offered: list[int] = []

    def held(self) -> int:
        return len(self.confirmed) + len(self.offered)

    def active(self, who: int) -> bool:
        return super().active(who) or who in self.offered

    def join(self, who: int) -> str:
        if self.held() < self.capacity:
            self.confirmed.add(who)
            return Booking.Status.CONFIRMED
        self.waiting.append(who)
        return Booking.Status.WAITING

    def leave(self, who: int) -> None:
        if who in self.offered:
            self.offered.remove(who)
            self.promote()
        else:
            super().leave(who)

    def promote(self) -> None:
        while self.waiting and self.held() < self.capacity:
            self.offered.append(self.waiting.pop(0))


class BookingMachine(RuleBasedStateMachine):
    mode = "automatic"
    Model = SessionModel

    def __init__(self):
        super().__init__()
        course = CourseFactory(waiting_list_mode=self.mode, booking_opens_days=400)
        self.trainer = UserFactory(role="trainer")
        self.people = UserFactory.create_batch(PEOPLE)
        self.index = {p.pk: i for i, p in enumerate(self.people)}
        self.sessions = [self.make_session(course) for _ in range(2)]
        self.model = [self.Model(2), self.Model(2)]

    def make_session(self, course):
        return SessionFactory(course=course, capacity=2)

    def active_booking(self, s: int, who: int) -> Booking | None:
        return Booking.objects.filter(
            session=self.sessions[s], person=self.people[who], status__in=Booking.ACTIVE
        ).first()

    @rule(s=sessions_, who=people_)
    def book(self, s, who):
        person, model = self.people[who], self.model[s]
        if model.active(who):
            with pytest.raises(services.AlreadyBooked):
                services.booking_create(session=self.sessions[s], person=person, actor=person)
            return
        booking = services.booking_create(session=self.sessions[s], person=person, actor=person)
        assert booking.status == model.join(who)

    @precondition(lambda self: any(m.confirmed for m in self.model))
    @rule(data=st.data())
    def cancel_place(self, data):
        s = data.draw(st.sampled_from([i for i, m in enumerate(self.model) if m.confirmed]))
        who = data.draw(st.sampled_from(sorted(self.model[s].confirmed)))
        ended = services.booking_cancel(booking=self.active_booking(s, who), actor=self.people[who])
        assert ended.ending == Booking.Ending.CANCELLED
        self.model[s].leave(who)

    @precondition(lambda self: any(m.waiting for m in self.model))
    @rule(data=st.data())
    def leave_waiting_list(self, data):
        s = data.draw(st.sampled_from([i for i, m in enumerate(self.model) if m.waiting]))
        who = data.draw(st.sampled_from(self.model[s].waiting))
        ended = services.booking_cancel(booking=self.active_booking(s, who), actor=self.people[who])
        assert ended.ending == Booking.Ending.LEFT_WAITING_LIST
        self.model[s].leave(who)

    @precondition(lambda self: any(m.confirmed or m.waiting for m in self.model))
    @rule(data=st.data())
    def remove(self, data):
        s, who = self.draw_active(data)
        services.booking_remove(booking=self.active_booking(s, who), actor=self.trainer)
        self.model[s].leave(who)

    @precondition(lambda self: any(m.confirmed or m.waiting for m in self.model))
    @rule(data=st.data())
    def move_to_the_other_session(self, data):
        s, who = self.draw_active(data)
        source, target = self.model[s], self.model[1 - s]
        booking = self.active_booking(s, who)
        if target.active(who):
            with pytest.raises(services.AlreadyBooked):
                services.booking_move(
                    booking=booking, to_session=self.sessions[1 - s], actor=self.trainer
                )
            return
        new = services.booking_move(
            booking=booking, to_session=self.sessions[1 - s], actor=self.trainer
        )
        source.leave(who)
        assert new.status == target.join(who)

    def draw_active(self, data) -> tuple[int, int]:
        s = data.draw(
            st.sampled_from([i for i, m in enumerate(self.model) if m.confirmed or m.waiting])
        )
        model = self.model[s]
        who = data.draw(
            st.sampled_from(sorted(model.confirmed) + getattr(model, "offered", []) + model.waiting)
        )
        return s, who

    @rule(s=sessions_, capacity=st.integers(min_value=1, max_value=5))
    def change_capacity(self, s, capacity):
        model = self.model[s]
        if capacity < len(model.confirmed) + len(getattr(model, "offered", [])):
            with pytest.raises(ServiceError) as err:
                services.session_set_capacity(
                    session=self.sessions[s], capacity=capacity, actor=self.trainer
                )
            assert err.value.field == "capacity"
            return
        services.session_set_capacity(
            session=self.sessions[s], capacity=capacity, actor=self.trainer
        )
        model.capacity = capacity
        model.promote()

    @invariant()
    def invariants_hold(self):
        for s, model in enumerate(self.model):
            session = Session.objects.get(pk=self.sessions[s].pk)
            active = list(
                with_waiting_positions(session.bookings.filter(status__in=Booking.ACTIVE))
                .order_by("waiting_since", "id")
                .values_list("person_id", "status", "waiting_list_position")
            )
            people = [p for p, _, _ in active]
            assert len(people) == len(set(people)), "two active bookings for one person"
            confirmed = {self.index[p] for p, status, _ in active if status == "confirmed"}
            waiting = [self.index[p] for p, status, _ in active if status == "waiting"]
            positions = [n for _, status, n in active if status == "waiting"]
            assert session.capacity == model.capacity
            assert session.places_taken == len(confirmed) <= session.capacity
            if session.places_taken < session.capacity:
                assert waiting == [], "a place is free while people wait"
            assert confirmed == model.confirmed
            assert waiting == model.waiting, "the waiting list is not in joining order"
            assert positions == list(range(1, len(waiting) + 1))


def test_booking_invariants_hold_under_any_sequence_of_operations(db):
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


class OfferMachine(BookingMachine):
    mode = "offer"
    Model = OfferSessionModel

    def __init__(self):
        super().__init__()
        self.clock = timezone.now()
        # Start with a full first session and three waiting, so places are offered early.
        for who in range(5):
            self.book(0, who)

    def make_session(self, course):
        # Far enough ahead that offers never reach the last 24 hours, however many lapse.
        return SessionFactory(
            course=course, capacity=2, starts_at=timezone.now() + timedelta(days=200)
        )

    def offered_booking(self, s: int, who: int) -> Booking:
        booking = self.active_booking(s, who)
        assert booking.status == Booking.Status.OFFERED
        return booking

    @precondition(lambda self: any(m.offered for m in self.model))
    @rule(data=st.data(), claim=st.booleans())
    def claim_or_decline(self, data, claim):
        s = data.draw(st.sampled_from([i for i, m in enumerate(self.model) if m.offered]))
        who = data.draw(st.sampled_from(self.model[s].offered))
        booking, person = self.offered_booking(s, who), self.people[who]
        if claim:
            done = services.offer_claim(booking=booking, actor=person)
            assert done.status == Booking.Status.CONFIRMED
            self.model[s].offered.remove(who)
            self.model[s].confirmed.add(who)
        else:
            done = services.offer_decline(booking=booking, actor=person)
            assert done.ending == Booking.Ending.DECLINED_OFFER
            self.model[s].leave(who)

    @precondition(lambda self: any(m.offered for m in self.model))
    @rule()
    def offers_lapse(self):
        # The latest of the current offers' times: every current offer lapses, the places
        # are offered on (those new offers run from now, so they stay).
        self.clock = max(
            Booking.objects.filter(
                session__in=self.sessions, status=Booking.Status.OFFERED
            ).values_list("offer_expires_at", flat=True)
        )
        lapsed = sum(len(m.offered) for m in self.model)
        # Earlier examples' sessions share the database (and lapse too), hence ">=".
        assert services.offers_expire(now=self.clock) >= lapsed
        for model in self.model:
            model.offered = []
            model.promote()

    @invariant()
    def invariants_hold(self):
        for s, model in enumerate(self.model):
            session = Session.objects.get(pk=self.sessions[s].pk)
            active = list(
                session.bookings.filter(status__in=Booking.ACTIVE)
                .order_by("waiting_since", "id")
                .values_list("person_id", "status")
            )
            people = [p for p, _ in active]
            assert len(people) == len(set(people)), "two active bookings for one person"
            confirmed = {self.index[p] for p, status in active if status == "confirmed"}
            offered = [self.index[p] for p, status in active if status == "offered"]
            waiting = [self.index[p] for p, status in active if status == "waiting"]
            assert session.places_taken == len(confirmed) + len(offered) <= session.capacity
            if session.places_taken < session.capacity:
                assert waiting == [], "a place is free while people wait"
            assert confirmed == model.confirmed
            assert sorted(offered) == sorted(model.offered)
            assert waiting == model.waiting, "the waiting list is not in joining order"


def test_offer_mode_invariants_hold_under_any_sequence_of_operations(db):
    run_state_machine_as_test(
        OfferMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
