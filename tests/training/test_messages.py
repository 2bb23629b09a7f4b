"""Training's messages as outbox rows: which changes create, move and void which rows,
in the same transaction. Time is passed in; nothing sleeps."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from guildbook.notifications import delivery
from guildbook.notifications.kinds import get_kind
from guildbook.notifications.models import OutboxMessage
from guildbook.training import links, messages, notes, services
from tests.factories import CourseFactory, SessionFactory, UserFactory

NOW = timezone.now().replace(microsecond=0)


def rows(about=None, *, kind=None, status=None):
    qs = OutboxMessage.objects.all()
    if about is not None:
        qs = qs.filter(object_id=about.pk, kind__startswith="training.")
        qs = [r for r in qs if type(r.about) is type(about)]
    else:
        qs = list(qs)
    return [
        r for r in qs if (kind is None or r.kind == kind) and (status is None or r.status == status)
    ]


def kinds_of(about, status="pending"):
    return sorted(r.kind for r in rows(about, status=status))


def book(session, person, **kwargs):
    return services.booking_create(session=session, person=person, actor=person, **kwargs)


@pytest.fixture
def full_session(session, trainer):
    """Two places, both taken, one person waiting; the trainer runs it."""
    session.trainers.add(trainer)
    people = UserFactory.create_batch(3)
    bookings = [book(session, p) for p in people]
    return session, bookings


def test_a_place_queues_its_confirmation_now_and_a_reminder_before_the_session(session, person):
    booking = book(session, person, now=NOW)
    confirmed = rows(booking, kind=messages.CONFIRMED)[0]
    reminder = rows(booking, kind=messages.REMINDER)[0]
    assert confirmed.due_at == NOW and confirmed.recipient == person
    assert reminder.due_at == session.starts_at - timedelta(hours=48)
    assert kinds_of(booking) == [messages.CONFIRMED, messages.REMINDER]


def test_the_reminder_follows_the_courses_own_hours(person):
    session = SessionFactory(course=CourseFactory(reminder_hours=6))
    booking = book(session, person)
    assert rows(booking, kind=messages.REMINDER)[0].due_at == session.starts_at - timedelta(hours=6)


def test_changing_the_courses_reminder_time_moves_pending_reminders(session, person, trainer):
    booking = book(session, person)
    services.course_update(course=session.course, actor=trainer, reminder_hours=3)
    reminder = rows(booking, kind=messages.REMINDER)[0]
    assert (reminder.status, reminder.due_at) == ("pending", session.starts_at - timedelta(hours=3))


def test_booked_inside_the_reminder_window_the_confirmation_is_the_reminder(course, person):
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=30))
    booking = book(session, person)
    assert kinds_of(booking) == [messages.CONFIRMED]


def test_joining_the_waiting_list_says_the_position(full_session):
    _session, bookings = full_session
    waiting = bookings[2]
    assert waiting.status == "waiting"
    row = rows(waiting)[0]
    assert (row.kind, row.context["position"]) == (messages.WAITING_JOINED, 1)


def test_a_failed_booking_leaves_no_message(session, person):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(session, person)
        raise RuntimeError("the request failed after booking")
    assert OutboxMessage.objects.count() == 0


def test_cancelling_voids_the_reminder_and_the_head_of_the_list_is_promoted(full_session):
    _session, (first, _second, waiting) = full_session
    services.booking_cancel(booking=first, actor=first.person)
    # Not sent yet, so neither the confirmation nor the reminder will be.
    assert kinds_of(first, "void") == [messages.CONFIRMED, messages.REMINDER]
    assert kinds_of(first, "pending") == [messages.CANCELLED]
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert kinds_of(waiting) == [messages.PROMOTED, messages.REMINDER, messages.WAITING_JOINED]
    # The waiting-list message is no longer worth sending: the promotion says it all.
    joined = rows(waiting, kind=messages.WAITING_JOINED)[0]
    assert get_kind(joined.kind).still_due(joined) is False


def test_leaving_the_waiting_list_is_confirmed(full_session):
    _session, (_a, _b, waiting) = full_session
    services.booking_cancel(booking=waiting, actor=waiting.person)
    assert kinds_of(waiting) == [messages.WAITING_LEFT]
    assert kinds_of(waiting, "void") == [messages.WAITING_JOINED]


def test_a_late_release_tells_the_trainers(full_session, trainer):
    session, (first, *_rest) = full_session
    late = session.starts_at - timedelta(hours=3)
    services.booking_cancel(booking=first, actor=first.person, now=late)
    note = rows(first, kind=messages.LATE_RELEASE)
    assert [(r.recipient, r.due_at) for r in note] == [(trainer, late)]
    first.refresh_from_db()
    assert first.late_cancellation


def test_an_early_cancellation_does_not_bother_the_trainers(full_session):
    _session, (first, *_rest) = full_session
    services.booking_cancel(booking=first, actor=first.person)
    assert rows(first, kind=messages.LATE_RELEASE) == []


def test_a_new_session_queues_its_trainers_roster_for_the_day_before(course, trainer):
    starts = timezone.now() + timedelta(days=10)
    session = services.session_create(
        venue="Staff Library",
        course=course,
        starts_at=starts,
        capacity=5,
        trainers=[trainer],
        actor=trainer,
    )
    roster = rows(session, kind=messages.ROSTER)
    assert [(r.recipient, r.due_at) for r in roster] == [(trainer, starts - timedelta(hours=24))]


def test_rescheduling_sends_an_update_and_moves_the_reminders_and_roster(course, trainer, person):
    starts = timezone.now() + timedelta(days=10)
    session = services.session_create(
        venue="Staff Library",
        course=course,
        starts_at=starts,
        capacity=5,
        trainers=[trainer],
        actor=trainer,
    )
    booking = book(session, person)
    reminder = rows(booking, kind=messages.REMINDER)[0]
    later = starts + timedelta(days=7)
    services.session_reschedule(
        session=session, starts_at=later, ends_at=later + timedelta(hours=1), actor=trainer
    )
    reminder.refresh_from_db()
    assert reminder.due_at == later - timedelta(hours=48) and reminder.status == "pending"
    assert rows(session, kind=messages.ROSTER)[0].due_at == later - timedelta(hours=24)
    booking.refresh_from_db()
    assert booking.calendar_sequence == 1
    notice = rows(booking, kind=messages.RESCHEDULED)
    assert [r.dedupe_key for r in notice] == [f"{messages.RESCHEDULED}:{booking.pk}:1"]

    # Again: a second notice (a new version), and only the newest is still worth sending.
    again = later + timedelta(days=1)
    services.session_reschedule(
        session=session, starts_at=again, ends_at=again + timedelta(hours=1), actor=trainer
    )
    first, second = sorted(rows(booking, kind=messages.RESCHEDULED), key=lambda r: r.pk)
    assert (first.context["sequence"], second.context["sequence"]) == (1, 2)
    assert get_kind(first.kind).still_due(first) is False
    assert get_kind(second.kind).still_due(second) is True
    assert len(rows(booking, kind=messages.REMINDER)) == 1


def test_rescheduling_into_the_reminder_window_voids_the_reminder(session, person, trainer):
    booking = book(session, person)
    soon = timezone.now() + timedelta(hours=20)
    services.session_reschedule(
        session=session, starts_at=soon, ends_at=soon + timedelta(hours=1), actor=trainer
    )
    assert kinds_of(booking, "void") == [messages.REMINDER]


def test_a_reminder_already_sent_is_queued_again_for_a_later_time(session, person, trainer):
    booking = book(session, person)
    OutboxMessage.objects.filter(kind=messages.REMINDER).update(status="sent")
    later = session.starts_at + timedelta(days=14)
    services.session_reschedule(
        session=session, starts_at=later, ends_at=later + timedelta(hours=1), actor=trainer
    )
    pending = rows(booking, kind=messages.REMINDER, status="pending")
    assert [r.due_at for r in pending] == [later - timedelta(hours=48)]


def test_cancelling_a_session_voids_everything_pending_and_tells_everyone(full_session, trainer):
    session, bookings = full_session
    services.session_cancel(session=session, actor=trainer, reason="The trainer is unwell")
    assert kinds_of(session) == []
    for booking in bookings:
        assert messages.REMINDER not in kinds_of(booking)
        notice = rows(booking, kind=messages.SESSION_CANCELLED)[0]
        assert notice.context["replacement"] is None
        assert get_kind(notice.kind).still_due(notice) is True
    # Nothing else about the cancelled session is still worth sending.
    for row in rows(bookings[0], kind=messages.CONFIRMED):
        assert get_kind(row.kind).still_due(row) is False


def test_cancelling_with_a_replacement_moves_the_calendar_event(full_session, trainer):
    session, (first, _second, waiting) = full_session
    replacement = SessionFactory(course=session.course, capacity=2)
    services.session_cancel(session=session, actor=trainer, move_to=replacement)
    first.refresh_from_db()
    new = first.moved_to
    assert new.session == replacement and new.status == "confirmed"
    notice = rows(first, kind=messages.SESSION_CANCELLED)[0]
    assert notice.context["replacement"] == new.pk
    assert new.calendar_uid == f"guildbook-booking-{first.pk}@127.0.0.1"
    assert new.calendar_sequence == 1
    assert kinds_of(new) == [messages.REMINDER]  # the cancellation notice says the rest
    waiting.refresh_from_db()
    assert waiting.moved_to.status == "waiting"


def test_moving_a_booking_tells_the_person_and_moves_the_reminder(session, person, trainer):
    booking = book(session, person)
    other = SessionFactory(course=session.course, starts_at=session.starts_at + timedelta(days=7))
    new = services.booking_move(booking=booking, to_session=other, actor=trainer)
    assert kinds_of(booking, "void") == [messages.CONFIRMED, messages.REMINDER]
    assert kinds_of(new) == [messages.BOOKING_MOVED, messages.REMINDER]
    assert rows(new, kind=messages.REMINDER)[0].due_at == other.starts_at - timedelta(hours=48)


def test_raising_capacity_promotes_with_a_message(full_session, trainer):
    session, (*_places, waiting) = full_session
    services.session_set_capacity(session=session, capacity=3, actor=trainer)
    assert messages.PROMOTED in kinds_of(waiting)


def test_history_loaded_through_the_services_is_never_sent(course, person, trainer, smtp_free):
    """The demo books two years of past sessions under a clock set in the past: every
    message it leaves behind is about a session that is over, so the worker voids it."""
    session = SessionFactory(
        course=course, starts_at=timezone.now() - timedelta(days=30), capacity=1
    )
    session.trainers.add(trainer)
    then = session.starts_at - timedelta(days=10)
    first = book(session, person, now=then)
    other = UserFactory()
    waiting = book(session, other, now=then)
    services.booking_cancel(booking=first, actor=person, now=session.starts_at - timedelta(hours=1))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert OutboxMessage.objects.filter(status="pending").count() == 4
    counts = delivery.Worker(worker_id="t").step(now=timezone.now())
    assert counts["sent"] == 0 and counts["claimed"] == 0
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"void"}


@pytest.fixture
def smtp_free(settings):
    # Nothing may be sent: a send would fail loudly against this closed port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9


# --- The trainer's own paragraph --------------------------------------------------------


def test_placeholders_are_filled_and_nothing_else_is_evaluated():
    values = {"first_name": "Ada", "course": "Get Tweeting", "start": "Tue", "venue": "Room 2"}
    text = (
        "Hi {first_name}, {course} on {start} in {venue}. "
        "{unknown} {course.__class__} {first_name!r} {start:>10} {0} {{ {"
    )
    assert notes.render_note(text, values) == (
        "Hi Ada, Get Tweeting on Tue in Room 2. "
        "{unknown} {course.__class__} {first_name!r} {start:>10} {0} {{ {"
    )
    assert notes.render_note("", values) == ""


def test_note_values_for_a_booking(session, person):
    booking = book(session, person)
    values = notes.note_values(booking)
    assert values["first_name"] == person.first_name
    assert values["course"] == session.course.title
    assert values["venue"] == session.venue
    assert " at " in values["start"]


# --- Link tokens ------------------------------------------------------------------------


def test_link_tokens_are_signed_per_purpose(session, person):
    booking = book(session, person)
    token = links.booking_link_token(booking, "release")
    assert links.booking_from_link_token(token, "release") == booking
    with pytest.raises(links.BadLink):
        links.booking_from_link_token(token, "coming")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(links.BadLink):
        links.booking_from_link_token(tampered, "release")
    signature = token.rsplit(":", 1)[1]
    assert len(signature) >= 22  # at least 128 bits, base64


def test_link_tokens_expire(session, person, monkeypatch):
    booking = book(session, person)
    token = links.booking_link_token(booking, "coming")
    monkeypatch.setattr(links, "LINK_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(links.BadLink):
        links.booking_from_link_token(token, "coming")


def test_every_kind_is_registered_with_a_label():
    names = [
        messages.CONFIRMED,
        messages.WAITING_JOINED,
        messages.WAITING_LEFT,
        messages.PROMOTED,
        messages.CANCELLED,
        messages.RESCHEDULED,
        messages.BOOKING_MOVED,
        messages.SESSION_CANCELLED,
        messages.REMINDER,
        messages.ROSTER,
        messages.LATE_RELEASE,
    ]
    assert all(get_kind(n).label for n in names)


def test_a_reminder_voided_by_a_longer_reminder_time_comes_back_when_it_is_shortened(
    course, person, trainer
):
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=5))
    booking = book(session, person)
    # Ten days before a session five days away has passed: the reminder is withdrawn...
    services.course_update(course=course, actor=trainer, reminder_hours=240)
    assert kinds_of(booking, "void") == [messages.REMINDER]
    # ...and back at two days it is due again, once.
    services.course_update(course=course, actor=trainer, reminder_hours=48)
    pending = rows(booking, kind=messages.REMINDER, status="pending")
    assert [r.due_at for r in pending] == [session.starts_at - timedelta(hours=48)]
    # A further change moves that one rather than adding another.
    services.course_update(course=course, actor=trainer, reminder_hours=24)
    pending = rows(booking, kind=messages.REMINDER, status="pending")
    assert [r.due_at for r in pending] == [session.starts_at - timedelta(hours=24)]
