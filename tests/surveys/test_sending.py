"""Sending follow-up surveys: who is invited, when, and how the e-mails follow the register
and the session. Time is moved by placing the session in the past and by passing `now=` to
the worker, never by sleeping."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.notifications import delivery
from guildbook.notifications.models import OutboxMessage
from guildbook.surveys import messages, services
from guildbook.surveys.models import Invitation, SurveyMoment, SurveyTemplate
from guildbook.training import services as training
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.surveys.conftest import SITE, book, mark, past_session

SURVEY_KINDS = [messages.INVITATION, messages.REMINDER, messages.MISSED_YOU]


def deliver(now):
    return delivery.Worker(worker_id="test").step(now=now)


def survey_rows(**filters):
    return OutboxMessage.objects.filter(kind__in=SURVEY_KINDS, **filters)


def to(sink, booking):
    return [m for m in sink.messages if m["To"] == booking.person.email]


def text_of(mail):
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(mail):
    return mail.get_body(("html",)).get_content()


def test_every_course_gets_the_default_follow_up(db):
    course = CourseFactory()
    [moment] = course.survey_moments.all()
    assert (moment.days_after, moment.reminder_after_days, moment.closes_after_days) == (30, 7, 21)
    assert moment.template.is_default and moment.template.is_current
    assert moment.template.questions.first().text == (
        "Have you used what you learned since the session?"
    )
    assert [c.label for c in moment.template.questions.first().choices.all()] == [
        "Yes, regularly",
        "Yes, a little",
        "I tried and stopped",
        "Not yet",
    ]
    # A second course shares the one default template.
    CourseFactory()
    assert SurveyTemplate.objects.filter(is_default=True).count() == 1


def test_only_attendees_are_invited_never_no_shows_or_cancellations(register):
    _session, bookings = register
    invited = {i.booking_id for i in Invitation.objects.all()}
    assert invited == {bookings["Ada"].pk, bookings["Ben"].pk}
    assert not survey_rows(recipient=bookings["Cai"].person).exists()
    assert not survey_rows(recipient=bookings["Dee"].person).exists()


def test_invitation_times_follow_the_session_end_and_the_moment(register):
    session, bookings = register
    invitation = Invitation.objects.get(booking=bookings["Ada"])
    assert invitation.due_at == session.ends_at + timedelta(days=30)
    assert invitation.closes_at == invitation.due_at + timedelta(days=21)
    assert len(invitation.key) >= 22  # 128 random bits, URL-safe
    rows = {r.kind: r for r in survey_rows(object_id=invitation.pk)}
    assert rows[messages.INVITATION].due_at == invitation.due_at
    assert rows[messages.REMINDER].due_at == invitation.due_at + timedelta(days=7)
    assert rows[messages.INVITATION].recipient == bookings["Ada"].person


def test_worker_sends_the_follow_up_at_thirty_days_only_to_attendees(register, smtp):
    session, bookings = register
    deliver(session.ends_at + timedelta(days=29, hours=23))
    assert [m for m in smtp.messages if "Has it helped?" in str(m["Subject"])] == []
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    subjects = {m["To"]: str(m["Subject"]) for m in smtp.messages}
    assert subjects == {
        "ada@example.nhs.uk": "Has it helped? One click about Get Tweeting",
        "ben@example.nhs.uk": "Has it helped? One click about Get Tweeting",
    }
    [mail] = to(smtp, bookings["Ada"])
    text, html = text_of(mail), html_of(mail)
    invitation = Invitation.objects.get(booking=bookings["Ada"])
    question = invitation.template.questions.first()
    for choice in question.choices.all():
        assert choice.label in html
        assert f"?choice={choice.pk}" in html and f"?choice={choice.pk}" in text
    assert f"{SITE}/surveys/answer/" in text
    assert "Hello Ada," in text
    assert 'bgcolor="#1d4f5c"' in html  # buttons that survive Outlook
    assert mail["Auto-Submitted"] == "auto-generated"


def test_a_day_zero_moment_goes_at_the_session_end(course):
    services.moment_create(
        course=course,
        actor=None,
        name="How was it?",
        days_after=0,
        reminder_after_days=None,
        closes_after_days=3,
    )
    session = past_session(course)
    booking = book(session, UserFactory())
    mark(booking, True)
    quick = Invitation.objects.get(moment__name="How was it?")
    assert quick.due_at == session.ends_at
    assert not survey_rows(object_id=quick.pk, kind=messages.REMINDER).exists()


def test_attendance_marked_after_the_due_time_goes_out_at_once(course, smtp):
    session = past_session(course, ended_ago=timedelta(days=31))
    booking = book(session, UserFactory(email="late@example.nhs.uk"))
    mark(booking, True)
    counts = deliver(timezone.now())
    assert counts["sent"] == 1
    assert "Has it helped?" in str(to(smtp, booking)[0]["Subject"])


def test_nobody_is_invited_to_a_survey_that_has_already_closed(course, smtp):
    # Ended 60 days ago: due 30 days ago, closed 9 days ago.
    session = past_session(course, ended_ago=timedelta(days=60))
    booking = book(session, UserFactory())
    mark(booking, True)
    assert not Invitation.objects.exists()  # too late to ask: not counted as invited
    assert not survey_rows().exists()
    deliver(timezone.now())
    assert to(smtp, booking) == []


def test_reminder_goes_only_to_people_who_have_not_answered(register, smtp):
    session, bookings = register
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    ada = Invitation.objects.get(booking=bookings["Ada"])
    first = ada.template.questions.first()
    services.response_submit(invitation=ada, answers={first.pk: [str(first.choices.first().pk)]})
    smtp.messages.clear()
    deliver(session.ends_at + timedelta(days=37, minutes=1))
    assert [m["To"] for m in smtp.messages] == ["ben@example.nhs.uk"]
    assert (
        str(smtp.messages[0]["Subject"]) == "Reminder: has it helped? One click about Get Tweeting"
    )
    assert survey_rows(object_id=ada.pk, kind=messages.REMINDER).get().status == "void"
    # One reminder only: nothing more goes later.
    smtp.messages.clear()
    deliver(session.ends_at + timedelta(days=50))
    assert smtp.messages == []


def test_a_reschedule_moves_the_invitations_and_their_rows(register):
    session, bookings = register
    new_start = session.starts_at - timedelta(days=2)
    training.session_reschedule(
        session=session, starts_at=new_start, ends_at=new_start + timedelta(hours=2), actor=None
    )
    session.refresh_from_db()
    for name in ("Ada", "Ben"):
        invitation = Invitation.objects.get(booking=bookings[name])
        assert invitation.due_at == session.ends_at + timedelta(days=30)
        assert invitation.closes_at == invitation.due_at + timedelta(days=21)
        rows = {r.kind: r for r in survey_rows(object_id=invitation.pk, status="pending")}
        assert rows[messages.INVITATION].due_at == invitation.due_at
        assert rows[messages.INVITATION].next_attempt_at == invitation.due_at
        assert rows[messages.REMINDER].due_at == invitation.due_at + timedelta(days=7)
    assert survey_rows(kind=messages.INVITATION).count() == 2  # moved, not added


def test_attendance_flipping_voids_and_recreates_the_same_invitation(register, smtp):
    session, bookings = register
    ada = bookings["Ada"]
    invitation = Invitation.objects.get(booking=ada)
    mark(ada, False)
    invitation.refresh_from_db()
    assert invitation.status == "void"
    assert set(survey_rows(object_id=invitation.pk).values_list("status", flat=True)) == {"void"}
    mark(ada, True)
    again = Invitation.objects.get(booking=ada)
    assert again.pk == invitation.pk and again.key == invitation.key
    assert again.status == "scheduled"
    pending = survey_rows(object_id=invitation.pk, status="pending")
    assert sorted(r.dedupe_key for r in pending) == [
        f"{messages.INVITATION}:{invitation.pk}:v3",
        f"{messages.REMINDER}:{invitation.pk}:v3",
    ]
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    assert len(to(smtp, ada)) == 1  # one invitation, not one per version

    # Cai, a no-show, turned out to have come: invited then.
    mark(bookings["Cai"], True)
    assert Invitation.objects.get(booking=bookings["Cai"]).status == "scheduled"


def test_a_no_show_after_the_invitation_went_stops_the_reminder(register, smtp):
    session, bookings = register
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    mark(bookings["Ben"], False)
    smtp.messages.clear()
    deliver(session.ends_at + timedelta(days=37, minutes=1))
    assert to(smtp, bookings["Ben"]) == []


def test_a_rolled_back_register_leaves_no_invitation_and_no_e_mail(course):
    session = past_session(course)
    booking = book(session, UserFactory())
    with pytest.raises(RuntimeError), transaction.atomic():
        mark(booking, True)
        assert Invitation.objects.filter(booking=booking).exists()
        assert survey_rows().count() == 2
        raise RuntimeError("the register's request failed later on")
    assert not Invitation.objects.exists()
    assert not survey_rows().exists()


def test_the_no_shows_get_the_short_message_with_the_next_dates(course, smtp):
    moment = course.survey_moments.get()
    services.moment_update(
        moment=moment,
        actor=None,
        message_no_shows=True,
        no_show_note="Sorry we missed you, {first_name}. {0} braces stay.",
    )
    upcoming = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=40))
    session = past_session(course)
    came, missed = book(session, UserFactory()), book(session, UserFactory(name="Cai Person"))
    mark(came, True)
    mark(missed, False)
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    [mail] = to(smtp, missed)
    assert str(mail["Subject"]) == "Sorry we missed you at Get Tweeting"
    text = text_of(mail)
    assert "Sorry we missed you, Cai. {0} braces stay." in text
    assert f"{SITE}{upcoming.get_absolute_url()}" in text
    assert "Has it helped?" in str(to(smtp, came)[0]["Subject"])


def test_marking_a_no_show_as_attended_withdraws_the_short_message(course):
    moment = course.survey_moments.get()
    services.moment_update(moment=moment, actor=None, message_no_shows=True, no_show_note="Hi")
    session = past_session(course)
    booking = book(session, UserFactory())
    mark(booking, False)
    assert survey_rows(kind=messages.MISSED_YOU, status="pending").count() == 1
    mark(booking, True)
    assert survey_rows(kind=messages.MISSED_YOU, status="pending").count() == 0
    assert survey_rows(kind=messages.INVITATION, status="pending").count() == 1


def test_an_external_survey_link_carries_the_token(course, smtp):
    moment = course.survey_moments.get()
    services.moment_update(
        moment=moment, actor=None, external_url="https://surveys.example.org/s/abc?t={token}"
    )
    session = past_session(course)
    booking = book(session, UserFactory())
    mark(booking, True)
    deliver(session.ends_at + timedelta(days=30, minutes=1))
    [mail] = to(smtp, booking)
    text = text_of(mail)
    assert "https://surveys.example.org/s/abc?t=" in text
    assert "{token}" not in text and "?choice=" not in text


def test_changing_a_moment_moves_its_unsent_invitations(register):
    session, bookings = register
    moment = SurveyMoment.objects.get(course=session.course)
    services.moment_update(moment=moment, actor=None, days_after=14, reminder_after_days=None)
    invitation = Invitation.objects.get(booking=bookings["Ada"])
    assert invitation.due_at == session.ends_at + timedelta(days=14)
    pending = list(survey_rows(object_id=invitation.pk, status="pending"))
    assert [(r.kind, r.due_at) for r in pending] == [(messages.INVITATION, invitation.due_at)]


def test_removing_a_moment_withdraws_unsent_invitations_and_keeps_the_rows(register):
    session, _bookings = register
    moment = SurveyMoment.objects.get(course=session.course)
    assert services.moment_remove(moment=moment, actor=None) is False
    moment.refresh_from_db()
    assert moment.active is False
    assert set(Invitation.objects.values_list("status", flat=True)) == {"void"}
    assert not survey_rows(status="pending").exists()
    # A moment that never invited anyone simply goes.
    spare = services.moment_create(course=session.course, actor=None, name="Spare")
    assert services.moment_remove(moment=spare, actor=None) is True


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"closes_after_days": 0}, "closes_after_days"),
        ({"reminder_after_days": 30, "closes_after_days": 21}, "reminder_after_days"),
        ({"days_after": 400}, "days_after"),
        ({"external_url": "javascript:alert(1)"}, "external_url"),
        ({"message_no_shows": True, "no_show_note": " "}, "no_show_note"),
        ({"name": ""}, "name"),
        ({"note": "Hello {firstname}"}, "note"),
        ({"message_no_shows": True, "no_show_note": "Hi { course }"}, "no_show_note"),
    ],
)
def test_bad_moment_settings_are_refused_with_the_field(course, fields, field):
    with pytest.raises(ServiceError) as caught:
        services.moment_create(course=course, actor=None, **fields)
    assert caught.value.field == field


def test_marking_attendance_asks_the_same_queries_however_many_are_invited(course):
    """The register's hook must not slow down as invitations and e-mails pile up."""
    services.moment_create(
        course=course,
        actor=None,
        name="Quick",
        days_after=0,
        reminder_after_days=None,
        message_no_shows=True,
        no_show_note="Sorry we missed you.",
    )

    def mark_one(n_before: int) -> int:
        session = past_session(course)
        for _ in range(n_before):
            mark(book(session, UserFactory()), True)
        last = book(session, UserFactory())
        with CaptureQueriesContext(connection) as captured:
            mark(last, True)
        return len(captured.captured_queries)

    few, many = mark_one(1), mark_one(10)
    assert few == many, (few, many)
