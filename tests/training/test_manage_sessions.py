"""Trainers schedule sessions and series, change, reschedule and cancel them."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.training import services
from guildbook.training.models import Booking, Series, Session
from tests.factories import SessionFactory, UserFactory


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def local(dt):
    return timezone.localtime(dt)


def next_year_date(month, day):
    return date(timezone.localdate().year + 1, month, day)


def test_one_off_session(trainer_client, course, trainer):
    day = timezone.localdate() + timedelta(days=20)
    response = trainer_client.post(
        reverse("training:manage_session_create", args=[course.slug]),
        {
            "date": day.isoformat(),
            "start_time": "14:00",
            "end_time": "",
            "capacity": "8",
            "venue": "Seminar room 2",
            "trainers": [str(trainer.pk)],
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:manage_session", args=[session.pk])
    assert local(session.starts_at).date() == day
    assert local(session.starts_at).time() == time(14, 0)
    assert session.duration_minutes == course.duration_minutes
    assert session.capacity == 8 and list(session.trainers.all()) == [trainer]


def test_one_off_session_must_end_after_it_starts(trainer_client, course):
    response = trainer_client.post(
        reverse("training:manage_session_create", args=[course.slug]),
        {
            "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "start_time": "14:00",
            "end_time": "13:00",
            "capacity": "8",
        },
    )
    assert response.status_code == 400
    assert "The session must end after it starts." in response.content.decode()
    assert not Session.objects.exists()


def test_second_tuesday_of_every_other_month_generates_sessions(trainer_client, course):
    starts_on = next_year_date(1, 1)
    response = trainer_client.post(
        reverse("training:manage_series_create", args=[course.slug]),
        {
            "frequency": "monthly",
            "interval": "2",
            "week_of_month": "2",
            "weekday": "1",
            "start_time": "10:00",
            "duration_minutes": "90",
            "starts_on": starts_on.isoformat(),
            "ends_on": next_year_date(12, 31).isoformat(),
            "generate_months_ahead": "24",
            "capacity": "12",
            "venue": "Staff Library",
        },
        follow=True,
    )
    series = Series.objects.get()
    sessions = list(series.sessions.order_by("starts_at"))
    assert [local(s.starts_at).month for s in sessions] == [1, 3, 5, 7, 9, 11]
    for s in sessions:
        start = local(s.starts_at)
        assert start.weekday() == 1 and 8 <= start.day <= 14  # the second Tuesday
        assert start.time() == time(10, 0)  # on both sides of the clock change
    html = response.content.decode()
    assert "the second Tuesday of every other month at 10:00" in html
    assert "6 sessions scheduled" in html


def test_monthly_series_needs_the_week_of_the_month(trainer_client, course):
    response = trainer_client.post(
        reverse("training:manage_series_create", args=[course.slug]),
        {
            "frequency": "monthly",
            "interval": "1",
            "weekday": "1",
            "start_time": "10:00",
            "starts_on": next_year_date(1, 1).isoformat(),
            "generate_months_ahead": "6",
            "capacity": "12",
        },
    )
    assert response.status_code == 400
    assert "Choose which week of the month." in response.content.decode()
    assert not Series.objects.exists()


def weekly_series(course, trainer):
    return services.series_create(
        venue="Staff Library",
        course=course,
        frequency="weekly",
        weekday=2,
        start_time=time(10, 0),
        starts_on=timezone.localdate() + timedelta(days=1),
        capacity=10,
        generate_months_ahead=1,
        actor=trainer,
    )


def edit(client, session, **changes):
    start = local(session.starts_at)
    data = {
        "start_time": start.strftime("%H:%M"),
        "duration_minutes": str(session.duration_minutes),
        "venue": session.venue,
        "online_link": session.online_link,
        "capacity": str(session.capacity),
        "scope": "one",
        **changes,
    }
    return client.post(reverse("training:manage_session_edit", args=[session.pk]), data)


def test_edit_only_this_session_of_a_series(trainer_client, course, trainer):
    series = weekly_series(course, trainer)
    first, second, third = list(series.sessions.order_by("starts_at"))[:3]
    response = edit(trainer_client, second, venue="Room 5", start_time="11:00")
    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert second.venue == "Room 5" and local(second.starts_at).time() == time(11, 0)
    assert second.detached
    assert third.venue == "Staff Library" and local(third.starts_at).time() == time(10, 0)


def test_edit_this_and_all_following(trainer_client, course, trainer):
    series = weekly_series(course, trainer)
    first, *rest = list(series.sessions.order_by("starts_at"))
    response = edit(trainer_client, rest[0], venue="Room 5", start_time="09:30", scope="following")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.venue == "Staff Library" and local(first.starts_at).time() == time(10, 0)
    for s in rest:
        s.refresh_from_db()
        assert s.venue == "Room 5" and local(s.starts_at).time() == time(9, 30)
    series.refresh_from_db()
    assert series.venue == "Room 5"


def test_edit_capacity_below_places_taken_is_refused_beside_the_field(
    trainer_client, course, trainer
):
    session = SessionFactory(course=course, capacity=3)
    for p in UserFactory.create_batch(3):
        services.booking_create(session=session, person=p, actor=p)
    response = edit(trainer_client, session, capacity="2")
    assert response.status_code == 400
    assert "the capacity cannot go below 3" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_reschedule_keeps_places(trainer_client, session, person):
    booking = services.booking_create(session=session, person=person, actor=person)
    new_day = timezone.localdate() + timedelta(days=30)
    response = trainer_client.post(
        reverse("training:manage_session_reschedule", args=[session.pk]),
        {"date": new_day.isoformat(), "start_time": "13:00", "end_time": "14:30"},
    )
    assert response.status_code == 302
    session.refresh_from_db(), booking.refresh_from_db()
    assert local(session.starts_at).date() == new_day
    assert booking.status == Booking.Status.CONFIRMED


def test_cancel_moves_bookings_keeping_waiting_list_order(trainer_client, course):
    source = SessionFactory(course=course, capacity=2)
    target = SessionFactory(
        course=course, capacity=3, starts_at=timezone.now() + timedelta(days=40)
    )
    already = UserFactory(name="Already There")
    services.booking_create(session=target, person=already, actor=already)
    people = UserFactory.create_batch(5)
    for p in people:
        services.booking_create(session=source, person=p, actor=p)

    page = trainer_client.get(reverse("training:manage_session_cancel", args=[source.pk]))
    assert "5 people are booked or waiting" in page.content.decode()
    response = trainer_client.post(
        reverse("training:manage_session_cancel", args=[source.pk]),
        {"reason": "Trainer unwell", "move_to": str(target.pk)},
    )
    assert response.status_code == 302
    assert response.url == reverse("training:manage_session", args=[target.pk])
    source.refresh_from_db()
    assert source.is_cancelled and source.cancellation_reason == "Trainer unwell"
    # Places first in booking order, then the waiting list in its order.
    moved = Booking.objects.filter(session=target, person__in=people, status__in=Booking.ACTIVE)
    confirmed = [b.person for b in moved.filter(status="confirmed").order_by("confirmed_at", "id")]
    waiting = [b.person for b in moved.filter(status="waiting").order_by("waiting_since", "id")]
    assert confirmed == people[:2]
    assert waiting == people[2:]
    page = trainer_client.get(response.url).content.decode()
    positions = [page.index(p.email) for p in people[2:]]
    assert positions == sorted(positions)


def test_cancel_without_moving_ends_the_bookings(trainer_client, session, person):
    booking = services.booking_create(session=session, person=person, actor=person)
    trainer_client.post(reverse("training:manage_session_cancel", args=[session.pk]), {})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.ending == Booking.Ending.SESSION_CANCELLED


@pytest.mark.parametrize(
    "name", ["manage_session_edit", "manage_session_reschedule", "manage_session_cancel"]
)
def test_session_forms_are_for_trainers_only_and_get_changes_nothing(
    client, trainer, person, session, name
):
    url = reverse(f"training:{name}", args=[session.pk])
    client.force_login(person)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    client.force_login(trainer)
    before = Session.objects.values().get(pk=session.pk)
    assert client.get(url).status_code == 200
    assert Session.objects.values().get(pk=session.pk) == before


def test_a_series_shows_its_dates_before_it_is_saved(trainer_client, course):
    from guildbook.training.models import Series as S

    start = timezone.localdate() + timedelta(days=1)
    data = {
        "frequency": "weekly",
        "interval": "1",
        "weekday": str(start.weekday()),
        "start_time": "10:00",
        "duration_minutes": "90",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=20)).isoformat(),
        "generate_months_ahead": "6",
        "capacity": "8",
        "venue": "Staff Library",
        "preview": "1",
    }
    url = reverse("training:manage_series_create", args=[course.slug])
    page = trainer_client.post(url, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 sessions will be scheduled now" in html
    assert html.count("<li>", html.index("series-preview")) >= 3
    assert not S.objects.exists() and not Session.objects.exists()
    del data["preview"]
    assert trainer_client.post(url, data).status_code == 302
    assert Session.objects.count() == 3
