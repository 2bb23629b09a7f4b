"""Deactivating someone who has left releases what they held in the training offer: their
places in sessions still to come go to the waiting list (never as a late cancellation),
they leave every waiting list and their open interest is withdrawn, in the deactivation's
own transaction. Past bookings and attendance stay. The next person hears; the leaver
hears nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.accounts.services import user_deactivate, user_update
from guildbook.core.audit import audit_trail
from guildbook.core.errors import ServiceError
from guildbook.notifications import delivery
from guildbook.notifications.models import OutboxMessage
from guildbook.training import alerts
from guildbook.training import services as training
from guildbook.training.models import Booking, BookingAlert, Course, CourseInterest
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.surveys.conftest import book, mark, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(db):
    return UserFactory(name="Lee Leaving", email="lee@example.nhs.uk")


@pytest.fixture
def held(leaver, course, trainer):
    """Lee has the last place in a session tomorrow (inside the late window) with Wes waiting,
    waits on a full session, went to one last month, and asked to hear of another course."""
    soon = SessionFactory(course=course, capacity=1, starts_at=timezone.now() + timedelta(hours=20))
    place = training.booking_create(session=soon, person=leaver, actor=leaver)
    wes = UserFactory(name="Wes Waiting", email="wes@example.nhs.uk")
    next_in_line = training.booking_create(session=soon, person=wes, actor=wes)
    full = SessionFactory(course=course, capacity=1)
    training.booking_create(session=full, person=UserFactory(), actor=None)
    waiting = training.booking_create(session=full, person=leaver, actor=leaver)
    past = past_session(course)
    attended = book(past, leaver)
    mark(attended, True, actor=trainer)
    interest = training.interest_register(course=CourseFactory(), person=leaver, actor=leaver)
    not_yet_open = SessionFactory(
        course=CourseFactory(booking_opens_days=30), starts_at=timezone.now() + timedelta(days=60)
    )
    alert = alerts.booking_alert_create(session=not_yet_open, person=leaver, actor=leaver)
    return {
        "soon": soon,
        "place": place,
        "next": next_in_line,
        "full": full,
        "waiting": waiting,
        "attended": attended,
        "interest": interest,
        "alert": alert,
    }


def test_deactivating_releases_places_waiting_lists_and_interest(leaver, held, trainer):
    user_deactivate(user=leaver, actor=trainer)

    place, nxt, waiting, attended = (
        Booking.objects.get(pk=held[k].pk) for k in ("place", "next", "waiting", "attended")
    )
    assert (place.status, place.ending) == ("cancelled", "cancelled")
    assert place.late_cancellation is False  # inside the window, yet not held against them
    assert nxt.status == "confirmed"  # the waiting list moved up
    assert (waiting.status, waiting.ending) == ("cancelled", "left_waiting_list")
    assert (attended.status, attended.attendance) == ("confirmed", "attended")
    assert not CourseInterest.objects.filter(person=leaver).exists()
    assert not BookingAlert.objects.filter(person=leaver).exists()
    assert OutboxMessage.objects.get(kind=alerts.BOOKING_OPENS).status == OutboxMessage.Status.VOID
    held["soon"].refresh_from_db()
    assert held["soon"].places_taken == 1
    entry = audit_trail(leaver).get(action="person_deactivated")
    assert entry.data["released"] == {"places": 1, "waiting_lists": 1, "interest": 1, "alerts": 1}
    assert audit_trail(place).filter(data__reason="account_closed").exists()
    assert (
        not Booking.objects.filter(person=leaver, status__in=Booking.ACTIVE)
        .exclude(pk=attended.pk)
        .exists()
    )


def test_deactivating_rolls_back_with_what_it_released(leaver, held, trainer, monkeypatch):
    from guildbook.training.services import people

    def refuse(**kwargs):
        raise ServiceError("No.")

    monkeypatch.setattr(people, "interest_withdraw", refuse)
    with pytest.raises(ServiceError):
        user_deactivate(user=leaver, actor=trainer)
    leaver.refresh_from_db()
    assert leaver.is_active
    assert Booking.objects.get(pk=held["place"].pk).status == "confirmed"


def test_the_next_person_hears_and_the_leaver_hears_nothing(leaver, held, trainer, smtp):
    delivery.Worker(worker_id="t").step(now=timezone.now())  # what booking already queued
    smtp.messages.clear()
    user_deactivate(user=leaver, actor=trainer)
    delivery.Worker(worker_id="t").step(now=timezone.now())
    to = [m["To"] for m in smtp.messages]
    assert "wes@example.nhs.uk" in to
    to_wes = next(m for m in smtp.messages if m["To"] == "wes@example.nhs.uk")
    assert to_wes["Subject"].startswith("Good news: a place came up for you")
    assert leaver.email not in to


def test_in_offer_mode_the_next_person_is_offered_the_place(leaver, course, smtp):
    Course.objects.filter(pk=course.pk).update(waiting_list_mode=Course.WaitingListMode.OFFER)
    course.refresh_from_db()
    session = SessionFactory(course=course, capacity=1)
    training.booking_create(session=session, person=leaver, actor=leaver)
    wes = UserFactory(email="wes@example.nhs.uk")
    nxt = training.booking_create(session=session, person=wes, actor=wes)
    delivery.Worker(worker_id="t").step(now=timezone.now())
    smtp.messages.clear()
    user_deactivate(user=leaver, actor=None)
    nxt.refresh_from_db()
    assert nxt.status == "offered"
    delivery.Worker(worker_id="t").step(now=timezone.now())
    assert [m["To"] for m in smtp.messages] == ["wes@example.nhs.uk"]


def test_a_deactivated_person_cannot_be_booked_again(leaver, trainer, fast_paths):
    user_deactivate(user=leaver, actor=trainer)
    session = SessionFactory()
    with pytest.raises(training.BookingRefused, match="account is closed"):
        training.booking_create(session=session, person=leaver, actor=trainer)
    with pytest.raises(training.BookingRefused, match="account is closed"):
        training.booking_add_person(session=session, email=leaver.email, actor=trainer)
    assert not Booking.objects.filter(person=leaver).exists()


def test_reactivating_or_saving_again_releases_nothing_more(leaver, held, trainer):
    user_deactivate(user=leaver, actor=trainer)
    user_update(user=leaver, actor=trainer, is_active=True)
    training.booking_create(session=SessionFactory(), person=leaver, actor=leaver)
    user_update(user=leaver, actor=trainer, name="Lee Left")
    assert Booking.objects.filter(person=leaver, status="confirmed").count() == 2


def test_the_admin_says_what_was_released(client, leaver, held):
    from tests.accounts.test_admin_services import user_data

    client.force_login(UserFactory(role="administrator"))
    url = reverse("admin:accounts_user_change", args=[leaver.pk])
    response = client.post(url, user_data(leaver, is_active=False), follow=True)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert any(
        "1 place released, 1 waiting-list entry removed, 1 registered interest withdrawn" in m
        for m in said
    ), said


# --- At the same moment -----------------------------------------------------------------


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's IMMEDIATE transactions queue writers; the race needs PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fast", [True, False], ids=["fast-paths", "orm-twins"])
def test_deactivating_while_being_booked_leaves_no_place_held(settings, fast):
    settings.GUILDBOOK_FAST_PATHS = fast
    trainer = UserFactory(role="trainer")
    for round_ in range(6):
        _deactivate_while_booking(trainer, round_)


def _deactivate_while_booking(trainer, round_):
    """One request deactivates the person while three others book them onto sessions (one
    they already hold a place on), all released together."""
    leaver = UserFactory()
    sessions = [SessionFactory(capacity=2) for _ in range(3)]
    training.booking_create(session=sessions[0], person=leaver, actor=leaver)
    gate = threading.Barrier(4)
    errors = []

    def fresh():  # each request reads its own copy of the person
        return User.objects.get(pk=leaver.pk)

    def run(work):
        try:
            gate.wait(timeout=10)
            work()
        except (training.BookingRefused, training.AlreadyBooked):
            pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    works = [
        lambda: user_deactivate(user=fresh(), actor=trainer),
        *[
            (lambda s=s: training.booking_create(session=s, person=fresh(), actor=trainer))
            for s in sessions
        ],
    ]
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [], (round_, errors)
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not Booking.objects.filter(person=leaver, status__in=Booking.ACTIVE).exists()
    for s in sessions:
        s.refresh_from_db()
        taken = Booking.objects.filter(session=s, status__in=Booking.HOLDING).count()
        assert s.places_taken == taken <= s.capacity


assert connection  # used by the skipif expression above
