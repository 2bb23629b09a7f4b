"""A course's e-mail settings. The trainer's own paragraph: a mistyped placeholder is
refused when the course is saved, with the ones that work, instead of reaching every
person who books as "{firstname}"; braces that are plainly not placeholders are fine. The
reminder time: changing it moves, queues or leaves alone each place's reminder."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, notes, services
from tests.factories import SessionFactory, UserFactory


@pytest.mark.parametrize(
    ("note", "bad"),
    [
        ("Hello {firstname}!", "{firstname}"),
        ("See you in { venue }.", "{ venue }"),
        ("Welcome to {Course}", "{Course}"),
        ("Starts {course.start}", "{course.start}"),
        ("Hi {first_name}, {when}", "{when}"),
    ],
)
@pytest.mark.parametrize("field", ["confirmation_note", "reminder_note"])
def test_a_mistyped_placeholder_is_refused_with_the_ones_that_work(
    course, trainer, note, bad, field
):
    with pytest.raises(ServiceError) as caught:
        services.course_update(course=course, actor=trainer, **{field: note})
    assert caught.value.field == field
    assert bad in caught.value.message
    assert "{first_name}, {course}, {start} and {venue}" in caught.value.message
    course.refresh_from_db()
    assert getattr(course, field) == ""


@pytest.mark.parametrize(
    "note",
    [
        "Hi {first_name}: {course} on {start} in {venue}.",
        "Bring a phone {with a camera} if you can.",
        "Prices {0} and {{ literal }} and a lone { brace",
        "",
    ],
)
def test_good_paragraphs_and_ordinary_braces_are_kept(course, trainer, note):
    services.course_update(course=course, actor=trainer, confirmation_note=note)
    course.refresh_from_db()
    assert course.confirmation_note == note


def test_creating_a_course_checks_them_too(trainer):
    with pytest.raises(ServiceError) as caught:
        services.course_create(actor=trainer, title="Get Tweeting", reminder_note="{firstname}")
    assert caught.value.field == "reminder_note"


def test_the_course_form_shows_the_mistake_beside_the_paragraph(client, trainer, course):
    course.trainers.add(trainer)
    client.force_login(trainer)
    url = reverse("training:manage_course_edit", args=[course.slug])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "trainers"}
    data.update(
        category=course.category_id or "",
        trainers=[trainer.pk],
        reminder_hours=48,
        confirmation_note="Hello {firstname}",
    )
    for prefix in ("agenda", "questions", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "{firstname}" in " ".join(response.context["form"].errors["confirmation_note"])


def test_the_placeholders_the_check_knows_are_the_ones_filled_in(session, person):
    from guildbook.training.models import Booking

    booking = Booking(session=session, person=person)
    assert set(notes.note_values(booking)) == set(notes.NOTE_PLACEHOLDERS)


# --- The course's reminder time ---------------------------------------------------------


def test_a_shorter_reminder_time_reminds_places_booked_inside_the_old_one(course, trainer):
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=30))
    person = UserFactory()
    booking = services.booking_create(session=session, person=person, actor=person)
    reminders = OutboxMessage.objects.filter(kind=messages.REMINDER, object_id=booking.pk)
    assert not reminders.exists()  # inside the 48 hours: the confirmation was the reminder
    services.course_update(course=course, actor=trainer, reminder_hours=6)
    assert [(r.status, r.due_at) for r in reminders] == [
        ("pending", session.starts_at - timedelta(hours=6))
    ]


def test_a_reminder_already_sent_is_not_sent_again_when_the_time_changes(course, trainer):
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=5))
    person = UserFactory()
    booking = services.booking_create(session=session, person=person, actor=person)
    reminders = OutboxMessage.objects.filter(kind=messages.REMINDER, object_id=booking.pk)
    reminders.update(status="sent")
    services.course_update(course=course, actor=trainer, reminder_hours=24)
    assert [r.status for r in reminders] == ["sent"]
