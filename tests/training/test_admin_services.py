"""Saves in the administration site go through the training services: the same rules, audit
entries and messages as the trainer pages, and a clear error rather than a server error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.audit import audit_trail
from guildbook.notifications.models import OutboxMessage
from guildbook.surveys.models import Invitation
from guildbook.training import services
from guildbook.training.models import AgendaItem, BookingQuestion, Session
from tests.factories import CourseFactory, SessionFactory, UserFactory, weekly_series
from tests.surveys.conftest import book, mark, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db, client):
    client.force_login(UserFactory(email="admin@example.nhs.uk", role="administrator"))
    return client


def _local(value):
    at = timezone.localtime(value)
    return at.strftime("%d/%m/%Y"), at.strftime("%H:%M:%S")


def session_data(session, **changes) -> dict:
    """The session's change form as it stands, with `changes` made."""
    values = {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "venue": session.venue,
        "online_link": session.online_link,
        "capacity": session.capacity,
        **changes,
    }
    data = {
        "venue": values["venue"],
        "online_link": values["online_link"],
        "capacity": str(values["capacity"]),
        "trainers": [t.pk for t in session.trainers.all()],
    }
    for name in ("starts_at", "ends_at"):
        data[f"{name}_0"], data[f"{name}_1"] = _local(values[name])
    if changes.get("link_to_follow", session.link_to_follow):
        data["link_to_follow"] = "on"
    return data


def _change(admin_client, session, **changes):
    url = reverse("admin:training_session_change", args=[session.pk])
    return admin_client.post(url, session_data(session, **changes))


def test_moving_a_session_in_the_admin_tells_people_and_moves_their_reminders(admin_client):
    session = SessionFactory(starts_at=timezone.now() + timedelta(days=10))
    booking = services.booking_create(session=session, person=UserFactory(), actor=None)
    new_start = session.starts_at.replace(second=0, microsecond=0) + timedelta(days=2)
    response = _change(
        admin_client, session, starts_at=new_start, ends_at=new_start + timedelta(hours=1)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.starts_at == new_start
    moved = OutboxMessage.objects.get(kind="training.session_rescheduled", object_id=booking.pk)
    assert moved.status == "pending"
    reminder = OutboxMessage.objects.get(
        kind="training.reminder", object_id=booking.pk, status="pending"
    )
    assert reminder.due_at == new_start - timedelta(hours=session.course.reminder_hours)
    assert audit_trail(session).filter(action="session_rescheduled").exists()


def test_moving_a_session_in_the_admin_moves_its_survey_invitations(admin_client):
    session = past_session(CourseFactory())
    booking = book(session, UserFactory())
    mark(booking, True)
    new_start = session.starts_at.replace(second=0, microsecond=0) - timedelta(days=1)
    new_end = new_start + timedelta(hours=2)
    response = _change(admin_client, session, starts_at=new_start, ends_at=new_end)
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get(booking=booking)
    assert invitation.due_at == new_end + timedelta(days=30)


def test_a_capacity_cut_below_the_places_taken_is_refused_beside_the_field(admin_client):
    session = SessionFactory(capacity=3)
    for _ in range(2):
        services.booking_create(session=session, person=UserFactory(), actor=None)
    response = _change(admin_client, session, capacity=1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 places are taken, so the capacity cannot go below 2." in page
    session.refresh_from_db()
    assert session.capacity == 3


def test_more_places_in_the_admin_promote_the_waiting_list(admin_client):
    session = SessionFactory(capacity=1)
    services.booking_create(session=session, person=UserFactory(), actor=None)
    waiting = services.booking_create(session=session, person=UserFactory(), actor=None)
    assert waiting.status == "waiting"
    assert _change(admin_client, session, capacity=2).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert audit_trail(session).filter(action="capacity_changed").exists()


def test_a_new_venue_in_the_admin_is_checked_and_announced(admin_client):
    session = SessionFactory(course=CourseFactory(delivery="in_person"))
    booking = services.booking_create(session=session, person=UserFactory(), actor=None)
    response = _change(admin_client, session, venue="")
    assert response.status_code == 200
    assert "An in-person session needs a venue." in response.content.decode()
    assert _change(admin_client, session, venue="Seminar Room 2").status_code == 302
    assert OutboxMessage.objects.filter(
        kind="training.session_place_changed", object_id=booking.pk
    ).exists()


def test_a_refusal_found_only_while_saving_is_an_admin_error_not_a_500(admin_client, monkeypatch):
    session = SessionFactory(capacity=3)
    data = session_data(session, capacity=2)
    # Between the form's check and the save, someone books both remaining places.
    real = services.session_change

    def booked_meanwhile(**kwargs):
        for _ in range(3):
            services.booking_create(session=session, person=UserFactory(), actor=None)
        return real(**kwargs)

    monkeypatch.setattr(services, "session_change", booked_meanwhile)
    url = reverse("admin:training_session_change", args=[session.pk])
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Nothing was saved: 3 places are taken" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3 and session.places_taken == 0, "all rolled back"


def test_a_cancelled_session_cannot_be_changed_in_the_admin(admin_client):
    session = SessionFactory()
    services.session_cancel(session=session, actor=None)
    page = admin_client.get(reverse("admin:training_session_change", args=[session.pk]))
    assert 'name="capacity"' not in page.content.decode()


def _plan_data(course, prefix, rows, fields):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
    }
    for i, row in enumerate(rows):
        for key in fields:
            value = row.get(key, "")
            if value is True:
                value = "on"
            if value is not False:
                data[f"{prefix}-{i}-{key}"] = value
        data[f"{prefix}-{i}-course"] = course.pk
        if row.get("id"):
            data[f"{prefix}-{i}-id"] = row["id"]
    return data


def _course_data(course, **plan):
    data = {
        f: getattr(course, f)
        for f in ("title", "slug", "summary", "level", "duration_minutes", "delivery")
    }
    data.update(
        visibility=course.visibility,
        status=course.status,
        default_capacity=course.default_capacity,
        booking_opens_days=course.booking_opens_days,
        booking_closes_hours=course.booking_closes_hours,
        late_cancellation_hours=course.late_cancellation_hours,
        waiting_list_mode=course.waiting_list_mode,
        reminder_hours=course.reminder_hours,
        category=course.category_id,
        interest_head_start_days=course.interest_head_start_days,
    )
    if course.waiting_list_enabled:
        data["waiting_list_enabled"] = "on"
    fields = {
        "agenda": ("order", "kind", "minutes", "title", "notes"),
        "questions": ("order", "text", "help_text", "kind", "choices", "required"),
        "materials": ("order", "title", "url", "for_trainers_only"),
    }
    for prefix, names in fields.items():
        data.update(_plan_data(course, prefix, plan.get(prefix, []), names))
    return data


def test_a_choice_question_with_one_choice_is_refused_in_the_admin(admin_client):
    course = CourseFactory()
    url = reverse("admin:training_course_change", args=[course.pk])
    data = _course_data(
        course,
        questions=[{"order": "1", "text": "Which site?", "kind": "choice", "choices": "Main"}],
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Question 1: list at least two choices, one a line." in response.content.decode()
    assert not BookingQuestion.objects.exists()


def test_the_plan_saved_in_the_admin_goes_through_the_service_in_order(admin_client, trainer):
    course = CourseFactory()
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[{"title": "Welcome", "kind": "item"}, {"title": "Your first tweet"}],
    )
    welcome, tweet = AgendaItem.objects.filter(course=course)
    url = reverse("admin:training_course_change", args=[course.pk])
    data = _course_data(
        course,
        agenda=[
            {"id": welcome.pk, "order": "2", "kind": "item", "title": "Welcome"},
            {"id": tweet.pk, "order": "1", "kind": "item", "title": "Your first tweet"},
            {"order": "0", "kind": "discussion", "title": "Questions"},
        ],
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(a.title, a.order) for a in AgendaItem.objects.filter(course=course)] == [
        ("Your first tweet", 1),
        ("Welcome", 2),
        ("Questions", 3),
    ]
    plan_entries = audit_trail(course).filter(action="course_plan_updated")
    assert plan_entries.count() == 2  # the set-up, then the admin's one save
    assert plan_entries.last().actor.email == "admin@example.nhs.uk"


def test_a_series_end_and_horizon_change_through_the_service(admin_client, trainer, course):
    series = weekly_series(course, trainer, generate_months_ahead=1)
    before = series.sessions.count()
    url = reverse("admin:training_series_change", args=[series.pk])
    data = {"ends_on": "", "generate_months_ahead": "3"}
    data.update({"sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert series.sessions.count() > before, "the longer horizon is filled at once"
    assert audit_trail(series).filter(action="series_updated").exists()
    early = (series.starts_on - timedelta(days=1)).strftime("%d/%m/%Y")
    response = admin_client.post(url, {**data, "ends_on": early})
    assert response.status_code == 200
    assert "The series must end after it starts." in response.content.decode()


def test_sessions_cannot_be_changed_from_the_series_page(admin_client, trainer, course):
    series = weekly_series(course, trainer)
    session = series.sessions.order_by("starts_at").first()
    url = reverse("admin:training_series_change", args=[series.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="sessions-0-capacity"' not in page
    assert Session.objects.get(pk=session.pk).capacity == session.capacity
