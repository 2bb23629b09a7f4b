"""The administration site: every training page opens, and places change only by services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.audit import audit_trail
from guildbook.training import services
from guildbook.training.models import Booking, Course, Session
from tests.factories import UserFactory


@pytest.fixture
def admin_client(db, client):
    admin = UserFactory(email="admin@example.nhs.uk", role="administrator")
    client.force_login(admin)
    return client


@pytest.fixture
def scene(course, session, person, trainer):
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[{"title": "Privacy and professional boundaries", "kind": "discussion"}],
        questions=[{"text": "Access needs?"}],
        materials=[{"title": "Slides", "url": "https://example.org/s"}],
    )
    services.booking_create(session=session, person=person, actor=person)
    return session


@pytest.mark.parametrize("model", ["course", "session", "series", "booking", "category"])
def test_changelists_and_change_pages_open(admin_client, scene, model):
    response = admin_client.get(reverse(f"admin:training_{model}_changelist"))
    assert response.status_code == 200
    obj = {
        "course": scene.course,
        "session": scene,
        "booking": Booking.objects.first(),
        "category": scene.course.category,
    }.get(model)
    if obj is not None:
        assert (
            admin_client.get(reverse(f"admin:training_{model}_change", args=[obj.pk])).status_code
            == 200
        )


def test_course_page_shows_the_plan_inlines(admin_client, scene):
    html = admin_client.get(
        reverse("admin:training_course_change", args=[scene.course.pk])
    ).content.decode()
    assert "Privacy and professional boundaries" in html
    assert "Access needs?" in html


def test_bookings_cannot_be_added_or_deleted_in_the_admin(admin_client, scene):
    assert admin_client.get(reverse("admin:training_booking_add")).status_code == 403
    booking = Booking.objects.get()
    response = admin_client.post(
        reverse("admin:training_booking_delete", args=[booking.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_admin_actions_go_through_services(admin_client, scene):
    booking = Booking.objects.get()
    admin_client.post(
        reverse("admin:training_booking_changelist"),
        {"action": "remove_bookings", "_selected_action": [booking.pk]},
    )
    booking.refresh_from_db()
    scene.refresh_from_db()
    assert booking.ending == Booking.Ending.REMOVED and scene.places_taken == 0

    admin_client.post(
        reverse("admin:training_session_changelist"),
        {"action": "cancel_sessions", "_selected_action": [scene.pk]},
    )
    scene.refresh_from_db()
    assert scene.is_cancelled
    assert audit_trail(scene).filter(action="session_cancelled").exists()


def test_adding_a_session_in_the_admin_uses_the_service(admin_client, course):
    starts = timezone.localtime(timezone.now() + timedelta(days=10))
    response = admin_client.post(
        reverse("admin:training_session_add"),
        {
            "course": course.pk,
            "starts_at_0": starts.strftime("%d/%m/%Y"),
            "starts_at_1": "10:00:00",
            "ends_at_0": starts.strftime("%d/%m/%Y"),
            "ends_at_1": "11:30:00",
            "venue": "Library",
            "online_link": "",
            "capacity": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Session.objects.get()
    assert audit_trail(session).filter(action="session_created").exists()


def test_course_saved_in_the_admin_is_audited(admin_client, course):
    data = {
        f: getattr(course, f)
        for f in ("title", "slug", "summary", "level", "duration_minutes", "delivery")
    }
    data.update(
        visibility="public",
        status="active",
        default_capacity=12,
        booking_opens_days=90,
        booking_closes_hours=0,
        interest_head_start_days=2,
        late_cancellation_hours=48,
        waiting_list_mode="automatic",
        reminder_hours=48,
        category=course.category_id,
    )
    for prefix in ("agenda", "questions", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:training_course_change", args=[course.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Course.objects.get(pk=course.pk).visibility == "public"
    assert audit_trail(course).filter(action="course_updated").exists()


def test_the_admin_course_form_sets_offer_mode_and_reminder_time_through_the_service(
    admin_client,
):
    from guildbook.core.audit import audit_trail
    from guildbook.notifications.models import OutboxMessage
    from guildbook.training import services
    from tests.factories import CourseFactory, SessionFactory

    course = CourseFactory(reminder_hours=48)
    session = SessionFactory(course=course)
    booking = services.booking_create(session=session, person=UserFactory(), actor=None)
    url = reverse("admin:training_course_change", args=[course.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="waiting_list_mode"' in page and 'name="reminder_hours"' in page
    data = {
        f: getattr(course, f)
        for f in ("title", "slug", "summary", "level", "duration_minutes", "delivery")
    }
    data.update(
        visibility="staff",
        status="active",
        default_capacity=12,
        booking_opens_days=90,
        booking_closes_hours=0,
        interest_head_start_days=2,
        late_cancellation_hours=48,
        waiting_list_mode="offer",
        reminder_hours=24,
        category=course.category_id,
    )
    for prefix in ("agenda", "questions", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    course.refresh_from_db()
    assert course.waiting_list_mode == "offer" and course.reminder_hours == 24
    reminder = OutboxMessage.objects.get(
        kind="training.reminder", object_id=booking.pk, status="pending"
    )
    assert reminder.due_at == session.starts_at - timedelta(hours=24), "moved by the service"
    assert [e.action for e in audit_trail(course)][-1] == "course_updated"
