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
"""

import pytest
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


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        course = CourseFactory()
        self.trainer = UserFactory(role="trainer")
        self.people = UserFactory.create_batch(PEOPLE)
        self.index = {p.pk: i for i, p in enumerate(self.people)}
        self.sessions = [SessionFactory(course=course, capacity=2) for _ in range(2)]
        self.model = [SessionModel(2), SessionModel(2)]

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
        who = data.draw(st.sampled_from(sorted(self.model[s].confirmed) + self.model[s].waiting))
        return s, who

    @rule(s=sessions_, capacity=st.integers(min_value=1, max_value=5))
    def change_capacity(self, s, capacity):
        model = self.model[s]
        if capacity < len(model.confirmed):
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
