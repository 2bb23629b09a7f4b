"""An administrator erases a person: afterwards no table holds their id, address or name,
while attendance, fill and survey counts stay."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts import privacy
from guildbook.accounts.models import User
from guildbook.accounts.services import api_token_create, user_update_profile
from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.qualifications.models import Candidacy, Scheme
from guildbook.surveys import services as surveys
from guildbook.surveys.models import Answer, Invitation, Question
from guildbook.training import services as training
from guildbook.training.models import Booking, BookingQuestion, CourseInterest, OutreachEntry
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.surveys.conftest import book, mark, past_session

pytestmark = pytest.mark.django_db

PK = 987654321
EMAIL = "quentin.erasable@example.nhs.uk"
NAME = "Quentin Erasable"
TEXT_TYPES = (models.CharField, models.TextField, models.JSONField, models.FileField)


def holders_of(needles: list[str], pk: int) -> list[str]:
    """Every table and column, found by introspecting every installed model, that holds one
    of the needles (in text or JSON) or the id (in a column pointing at a person, or in a
    number column)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        rows = model._default_manager.all()
        for field in model._meta.concrete_fields:
            where = f"{model._meta.db_table}.{field.column}"
            if field.is_relation:
                if field.related_model is User and rows.filter(**{field.attname: pk}).exists():
                    found.append(where)
            elif isinstance(field, models.IntegerField):
                if rows.filter(**{field.attname: pk}).exists():
                    found.append(where)
            elif isinstance(field, TEXT_TYPES):
                text = rows.annotate(_t=Cast(field.attname, models.TextField()))
                for needle in [*needles, str(pk)]:
                    if text.filter(_t__icontains=needle).exists():
                        found.append(f"{where} ({needle})")
    return found


@pytest.fixture
def admin(db):
    return UserFactory(name="Ann Admin", email="ann@example.nhs.uk", role="administrator")


@pytest.fixture
def scene(course, trainer, admin, client):
    person = UserFactory(pk=PK, name=NAME, email=EMAIL)
    other = UserFactory(name="Wes Waiting", email="wes@example.nhs.uk")
    question = BookingQuestion.objects.create(course=course, text="Anything we should know?")
    # A session they attended, with an answer that names them, and a named survey answer.
    past = past_session(course)
    attended = training.booking_create(
        session=past,
        person=person,
        actor=person,
        answers={str(question.pk): f"I am {NAME}, {EMAIL}"},
        now=past.starts_at - timedelta(days=7),
    )
    book(past, other)
    mark(attended, True, actor=trainer)
    invitation = Invitation.objects.get(booking=attended)
    questions = list(Question.objects.filter(template=invitation.template).order_by("position"))
    texts = [q for q in questions if q.kind.endswith("_text") and not q.show_if_question_id]
    surveys.response_submit(
        invitation=invitation,
        answers={
            questions[0].pk: [str(questions[0].choices.first().pk)],
            texts[0].pk: [f"Signed, {NAME}"],
        },
    )
    # A full session to come, with someone waiting behind them.
    upcoming = SessionFactory(course=course, capacity=1)
    mine = training.booking_create(session=upcoming, person=person, actor=person)
    waiting = training.booking_create(session=upcoming, person=other, actor=other)
    # A booking they made for someone else, a token, a profile change, a sent message.
    third = UserFactory(name="Tia Third", email="tia@example.nhs.uk")
    training.booking_create(session=SessionFactory(course=course), person=third, actor=person)
    api_token_create(user=person, name="Kiosk")
    Candidacy.objects.create(
        person=person,
        scheme=Scheme.objects.first(),
        membership_number=f"M-{PK}",
        target_date=date(2028, 6, 30),
    )
    user_update_profile(user=person, actor=admin, team="Library")
    # Interest answered on this course (kept as demand), and still waiting on another.
    CourseInterest.objects.create(course=course, person=person, fulfilled_at=timezone.now())
    training.interest_register(course=CourseFactory(), person=person, actor=person)
    # An outreach visit they went on and wrote up, naming themselves.
    outreach = training.outreach_create(
        actor=None,
        kind="stand",
        date=date(2026, 3, 2),
        audience=f"Drop-in run by {NAME}",
        went=[person, trainer],
        notes=f"{NAME} ran the stand.",
        follow_ups=[(f"{NAME} to send the slides", None)],
    )
    OutreachEntry.objects.filter(pk=outreach.pk).update(created_by=person)
    OutboxMessage.objects.filter(recipient=person).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now()
    )
    # Signed in somewhere, one wrong password, and a change in the admin.
    client.force_login(person)
    client.post(reverse("account_login"), {"login": EMAIL, "password": "not it at all"})
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(PK),
        object_repr=f"{NAME} <{EMAIL}>",
        action_flag=CHANGE,
        change_message=f"Changed name of {NAME}.",
    )
    return person, past, upcoming, mine, waiting


def test_erasure_leaves_no_trace_and_keeps_the_counts(scene, admin, settings):
    person, past, upcoming, mine, waiting = scene
    assert holders_of([EMAIL, NAME], PK)  # the search does find them beforehand
    attended_before = Booking.objects.filter(session=past, attendance="attended").count()
    answers_before = Answer.objects.count()

    stand_in = privacy.person_erase(person=person, actor=admin)

    assert holders_of([EMAIL, NAME], PK) == []
    assert not User.objects.filter(pk=PK).exists()
    # Counts stay: attendance, answers (their free text gone), the session's places.
    assert Booking.objects.filter(session=past, attendance="attended").count() == attended_before
    assert Answer.objects.count() == answers_before
    assert Booking.objects.filter(person=stand_in).count() == 2
    assert Candidacy.objects.filter(person=stand_in).count() == 1
    (kept,) = CourseInterest.objects.all()  # the waiting one was withdrawn
    assert kept.person == stand_in and kept.fulfilled_at is not None
    # Their future place went to the person waiting, through the booking service.
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == Booking.Status.CANCELLED
    assert waiting.status == Booking.Status.CONFIRMED
    upcoming.refresh_from_db()
    assert upcoming.places_taken == 1
    assert not stand_in.is_active and not stand_in.has_usable_password()


def test_named_answers_can_be_removed_instead(scene, admin, settings):
    settings.ERASURE_NAMED_ANSWERS = "remove"
    person, *_ = scene
    before = Answer.objects.count()
    privacy.person_erase(person=person, actor=admin)
    assert Answer.objects.count() < before
    assert holders_of([EMAIL, NAME], PK) == []


def test_nobody_erases_themselves_or_an_erased_person(admin):
    with pytest.raises(ServiceError):
        privacy.person_erase(person=admin, actor=admin)
    other = UserFactory()
    stand_in = privacy.person_erase(person=other, actor=admin)
    with pytest.raises(ServiceError):
        privacy.person_erase(person=stand_in, actor=admin)


def test_the_command_line_asks_for_confirmation(person):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="add --yes"):
        call_command("erase_person", person.email)
    with pytest.raises(CommandError, match="No one has"):
        call_command("erase_person", "nobody@example.nhs.uk", "--yes")
    call_command("erase_person", person.email.upper(), "--yes")
    assert not User.objects.filter(email=person.email).exists()
