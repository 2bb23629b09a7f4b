"""Trainers' messages follow who runs a session: the roster the day before and the note
about a late release go to the trainers as they are, whichever way the trainers change
(the course's trainers, the session's own, the admin), in the same transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from guildbook.notifications.kinds import get_kind
from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, services
from tests.factories import UserFactory, weekly_series


def rosters(session, status="pending"):
    return sorted(
        (r.recipient.email, r.due_at)
        for r in OutboxMessage.objects.filter(kind=messages.ROSTER, object_id=session.pk)
        if r.status == status
    )


def late_notes(booking, status="pending"):
    return sorted(
        r.recipient.email
        for r in OutboxMessage.objects.filter(kind=messages.LATE_RELEASE, object_id=booking.pk)
        if r.status == status
    )


@pytest.fixture
def other_trainer(db):
    return UserFactory(name="Omar Other", email="omar@example.nhs.uk", role="trainer")


@pytest.fixture
def untrained(course, trainer):
    """A session scheduled before anyone was named to run it (nor the course)."""
    starts = timezone.now() + timedelta(days=10)
    session = services.session_create(
        venue="Staff Library", course=course, starts_at=starts, capacity=2, actor=trainer
    )
    assert rosters(session) == []
    return session


def roster_due(session):
    return session.starts_at - timedelta(hours=24)


def test_naming_the_courses_trainers_queues_rosters_for_its_sessions(untrained, trainer):
    services.course_update(course=untrained.course, actor=trainer, trainers=[trainer])
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


def test_replacing_the_courses_trainer_moves_the_roster_to_the_new_one(
    untrained, trainer, other_trainer
):
    services.course_update(course=untrained.course, actor=trainer, trainers=[trainer])
    services.course_update(course=untrained.course, actor=trainer, trainers=[other_trainer])
    assert rosters(untrained) == [(other_trainer.email, roster_due(untrained))]
    assert rosters(untrained, "void") == [(trainer.email, roster_due(untrained))]


def test_a_session_with_its_own_trainers_ignores_the_courses(course, trainer, other_trainer):
    starts = timezone.now() + timedelta(days=10)
    own = services.session_create(
        venue="Staff Library",
        course=course,
        starts_at=starts,
        capacity=2,
        trainers=[trainer],
        actor=trainer,
    )
    services.course_update(course=course, actor=trainer, trainers=[other_trainer])
    assert rosters(own) == [(trainer.email, roster_due(own))]


def test_setting_a_sessions_own_trainers_replaces_the_courses(untrained, trainer, other_trainer):
    services.course_update(course=untrained.course, actor=trainer, trainers=[trainer])
    services.session_trainers_set(session=untrained, trainers=[other_trainer], actor=trainer)
    assert rosters(untrained) == [(other_trainer.email, roster_due(untrained))]
    # Clearing the session's own trainers hands it back to the course's.
    services.session_trainers_set(session=untrained, trainers=[], actor=trainer)
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


def test_a_trainer_taken_off_and_put_back_gets_the_roster_again(untrained, trainer):
    services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
    services.session_trainers_set(session=untrained, trainers=[], actor=trainer)
    assert rosters(untrained) == []
    services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


def test_no_roster_once_its_time_has_passed(course, trainer):
    soon = timezone.now() + timedelta(hours=20)
    session = services.session_create(
        venue="Staff Library", course=course, starts_at=soon, capacity=2, actor=trainer
    )
    services.session_trainers_set(session=session, trainers=[trainer], actor=trainer)
    assert rosters(session) == []


def test_past_and_cancelled_sessions_get_no_roster(course, trainer):
    later = timezone.now() + timedelta(days=10)
    cancelled = services.session_create(
        venue="Staff Library", course=course, starts_at=later, capacity=2, actor=trainer
    )
    services.session_cancel(session=cancelled, actor=trainer)
    services.course_update(course=course, actor=trainer, trainers=[trainer])
    assert rosters(cancelled) == []


def test_a_trainer_change_that_rolls_back_leaves_no_roster(untrained, trainer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
        raise RuntimeError("the request failed afterwards")
    assert OutboxMessage.objects.filter(kind=messages.ROSTER).count() == 0


def test_rescheduling_after_a_change_moves_the_one_roster(untrained, trainer, other_trainer):
    services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
    services.session_trainers_set(session=untrained, trainers=[trainer, other_trainer], actor=None)
    later = untrained.starts_at + timedelta(days=3)
    services.session_reschedule(
        session=untrained, starts_at=later, ends_at=later + timedelta(hours=1), actor=trainer
    )
    untrained.refresh_from_db()
    due = roster_due(untrained)
    assert rosters(untrained) == sorted([(trainer.email, due), (other_trainer.email, due)])


def test_the_change_is_audited(untrained, trainer, other_trainer):
    from guildbook.core.audit import audit_trail

    services.session_trainers_set(session=untrained, trainers=[other_trainer], actor=trainer)
    assert audit_trail(untrained).filter(action="session_trainers_changed").exists()
    assert list(untrained.trainers.all()) == [other_trainer]


def test_the_roster_is_not_sent_to_a_trainer_changed_behind_the_services_back(
    untrained, trainer, other_trainer
):
    services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
    untrained.trainers.set([other_trainer])
    row = OutboxMessage.objects.get(kind=messages.ROSTER, recipient=trainer)
    assert get_kind(row.kind).still_due(row) is False


# --- The late-release note ------------------------------------------------------------


@pytest.fixture
def late_release(untrained, trainer, person):
    services.session_trainers_set(session=untrained, trainers=[trainer], actor=trainer)
    booking = services.booking_create(session=untrained, person=person, actor=person)
    services.booking_cancel(
        booking=booking, actor=person, now=untrained.starts_at - timedelta(hours=3)
    )
    booking.refresh_from_db()
    assert booking.late_cancellation
    return booking


def test_a_late_release_not_yet_sent_goes_to_the_trainers_as_they_are(
    late_release, trainer, other_trainer
):
    session = late_release.session
    assert late_notes(late_release) == [trainer.email]
    services.session_trainers_set(session=session, trainers=[other_trainer], actor=trainer)
    assert late_notes(late_release) == [other_trainer.email]
    assert late_notes(late_release, "void") == [trainer.email]


def test_a_late_release_already_sent_is_not_sent_again_to_a_new_trainer(
    late_release, trainer, other_trainer
):
    OutboxMessage.objects.filter(kind=messages.LATE_RELEASE).update(status="sent")
    services.session_trainers_set(
        session=late_release.session, trainers=[trainer, other_trainer], actor=trainer
    )
    assert late_notes(late_release) == []


def test_a_late_release_is_not_sent_to_someone_no_longer_running_the_session(
    late_release, trainer, other_trainer
):
    late_release.session.trainers.set([other_trainer])  # not through the services
    row = OutboxMessage.objects.get(kind=messages.LATE_RELEASE)
    assert get_kind(row.kind).still_due(row) is False


# --- The admin ------------------------------------------------------------------------


@pytest.fixture
def admin_client(db, client):
    client.force_login(UserFactory(email="admin@example.nhs.uk", role="administrator"))
    return client


def test_trainers_set_on_a_session_in_the_admin_get_the_roster(admin_client, untrained, trainer):
    start = timezone.localtime(untrained.starts_at)
    end = timezone.localtime(untrained.ends_at)
    response = admin_client.post(
        reverse("admin:training_session_change", args=[untrained.pk]),
        {
            "course": untrained.course_id,
            "starts_at_0": start.strftime("%d/%m/%Y"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%d/%m/%Y"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "venue": untrained.venue,
            "online_link": "",
            "capacity": untrained.capacity,
            "trainers": [trainer.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


def test_trainers_set_on_a_course_in_the_admin_get_the_roster(admin_client, untrained, trainer):
    course = untrained.course
    data = {
        f: getattr(course, f)
        for f in ("title", "slug", "summary", "level", "duration_minutes", "delivery")
    }
    data.update(
        visibility=course.visibility,
        status=course.status,
        default_capacity=12,
        booking_opens_days=90,
        booking_closes_hours=0,
        interest_head_start_days=2,
        late_cancellation_hours=48,
        waiting_list_mode="automatic",
        reminder_hours=48,
        category=course.category_id,
        trainers=[trainer.pk],
    )
    for prefix in ("agenda", "questions", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:training_course_change", args=[course.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(course.trainers.all()) == [trainer]
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


# --- The trainer's session page -------------------------------------------------------


def test_a_trainer_names_a_sessions_trainers_on_its_edit_page(client, untrained, trainer):
    client.force_login(trainer)
    url = reverse("training:manage_session_edit", args=[untrained.pk])
    form = client.get(url).context["form"]
    assert "trainers" in form.fields
    start = timezone.localtime(untrained.starts_at)
    response = client.post(
        url,
        {
            "start_time": start.strftime("%H:%M"),
            "duration_minutes": str(untrained.duration_minutes),
            "venue": untrained.venue,
            "online_link": "",
            "capacity": str(untrained.capacity),
            "trainers": [trainer.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(untrained.trainers.all()) == [trainer]
    assert rosters(untrained) == [(trainer.email, roster_due(untrained))]


def test_this_and_following_sessions_get_the_new_trainers(course, trainer, other_trainer):
    series = weekly_series(course, trainer, trainers=[trainer])
    first, second, *rest = list(series.sessions.order_by("starts_at"))
    services.session_update(session=second, actor=trainer, following=True, trainers=[other_trainer])
    assert rosters(first) == [(trainer.email, roster_due(first))]
    for session in [second, *rest]:
        assert rosters(session) == [(other_trainer.email, roster_due(session))]
    assert list(series.trainers.all()) == [other_trainer]
