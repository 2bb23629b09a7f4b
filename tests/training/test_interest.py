""" "Tell me when there's a date": interest in a course with no date, told first through the
outbox when a session is made (in that transaction), with a head start on booking that the
booking service enforces, moving with the opening and withdrawn when the session goes."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.training import alerts, selectors, services
from guildbook.training.models import BookingAlert, Course, CourseInterest
from guildbook.training.services import BookingRefused
from tests.factories import CourseFactory, SessionFactory, UserFactory, weekly_series
from tests.training.test_messages_delivery import deliver, mails_to, subject, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_paths")]

OPENS_DAYS, HEAD_START = 30, 3


@pytest.fixture
def course(db):
    return CourseFactory(
        title="Get Tweeting",
        slug="get-tweeting",
        booking_opens_days=OPENS_DAYS,
        interest_head_start_days=HEAD_START,
    )


@pytest.fixture
def ada(course):
    ada = UserFactory(name="Ada Keen", email="ada@example.org")
    services.interest_register(course=course, person=ada, actor=ada)
    return ada


def _new_session(course, trainer, *, in_days: float):
    starts = timezone.now() + timedelta(days=in_days)
    return services.session_create(
        course=course, starts_at=starts, venue="Staff Library", actor=trainer
    )


def _early_rows(person=None):
    rows = OutboxMessage.objects.filter(kind=alerts.BOOKING_OPENS)
    return rows.filter(recipient=person) if person is not None else rows


# --- Registering --------------------------------------------------------------------------


def test_one_open_interest_per_person_and_course_is_a_database_constraint(course, ada):
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseInterest.objects.create(course=course, person=ada)
    # Through the service, asking twice keeps the one interest.
    again = services.interest_register(course=course, person=ada, actor=ada)
    assert CourseInterest.objects.filter(course=course, person=ada).count() == 1
    # A fulfilled interest is history: the person may ask again later.
    CourseInterest.objects.filter(person=ada).update(fulfilled_at=timezone.now())
    services.interest_register(course=course, person=ada, actor=ada)
    assert CourseInterest.objects.filter(course=course, person=ada).count() == 2
    assert again.pk != selectors.interest_for(ada, course).pk


def test_a_course_with_a_date_to_come_or_no_longer_running_is_refused(course, trainer):
    person = UserFactory()
    _new_session(course, trainer, in_days=60)
    with pytest.raises(ServiceError, match="date to come") as refused:
        services.interest_register(course=course, person=person, actor=person)
    assert refused.value.field == "course"
    old = CourseFactory(status=Course.Status.ARCHIVED)
    with pytest.raises(ServiceError, match="no longer running"):
        services.interest_register(course=old, person=person, actor=person)
    assert not CourseInterest.objects.exists()


# --- Telling first ------------------------------------------------------------------------


def test_a_new_session_tells_the_interested_in_its_own_transaction(course, ada, trainer):
    with pytest.raises(RuntimeError), transaction.atomic():
        _new_session(course, trainer, in_days=60)
        assert _early_rows(ada).count() == 1
        raise RuntimeError("the session is not saved")
    assert not BookingAlert.objects.exists() and not _early_rows().exists()

    session = _new_session(course, trainer, in_days=60)
    alert = BookingAlert.objects.get(session=session, person=ada)
    assert alert.interest == selectors.interest_for(ada, course)
    row = _early_rows(ada).get()
    assert row.object_id == alert.pk
    assert row.due_at == session.booking_opens_at() - timedelta(days=HEAD_START)
    assert row.due_at == session.early_booking_opens_at()


def test_a_series_tells_once_of_its_first_date_and_a_later_date_tells_no_one_twice(
    course, ada, trainer
):
    series = weekly_series(course, trainer, first_in_days=40, generate_months_ahead=2)
    first = series.sessions.order_by("starts_at").first()
    assert series.sessions.count() > 1
    assert list(BookingAlert.objects.values_list("session_id", flat=True)) == [first.pk]
    _new_session(course, trainer, in_days=90)
    assert _early_rows(ada).count() == 1  # already told of a date to come


def test_head_start_enforced_by_the_booking_service(course, ada, trainer):
    session = _new_session(course, trainer, in_days=OPENS_DAYS + 1)  # opens in a day
    ben = UserFactory(name="Ben Early")
    with pytest.raises(BookingRefused, match="Booking opens on"):
        services.booking_create(session=session, person=ben, actor=ben)
    booking = services.booking_create(session=session, person=ada, actor=ada)
    assert booking.status == "confirmed"
    # Before the head start, even the interested wait.
    later = _new_session(course, trainer, in_days=OPENS_DAYS + HEAD_START + 2)
    carl = UserFactory()
    CourseInterest.objects.create(course=course, person=carl)
    with transaction.atomic():
        services.interest_tell([later])
    with pytest.raises(BookingRefused):
        services.booking_create(session=later, person=carl, actor=carl)


def test_booking_answers_the_interest_which_is_kept_as_fulfilled(course, ada, trainer):
    session = _new_session(course, trainer, in_days=OPENS_DAYS + 1)
    booking = services.booking_create(session=session, person=ada, actor=ada)
    assert selectors.interest_for(ada, course) is None
    assert selectors.course_interest(course) == []
    # Recorded before interest is next told or registered: at the booking's time.
    with transaction.atomic():
        assert services.interests_settle(course_id=course.pk) == 1
    interest = CourseInterest.objects.get(person=ada)
    booking.refresh_from_db()
    assert interest.fulfilled_at == booking.created_at
    assert selectors.interest_times(course) == [(ada.pk, interest.created_at)]
    # Asking again after booking starts a new interest; the answered one stays.
    services.session_cancel(session=session, actor=trainer)
    services.interest_register(course=course, person=ada, actor=ada)
    assert CourseInterest.objects.filter(person=ada).count() == 2


def test_the_messages_move_with_the_opening_and_the_head_start(course, ada, trainer):
    session = _new_session(course, trainer, in_days=60)
    row = _early_rows(ada).get()
    new_start = session.starts_at + timedelta(days=7)
    services.session_reschedule(
        session=session, starts_at=new_start, ends_at=new_start + timedelta(hours=1), actor=trainer
    )
    row.refresh_from_db()
    assert row.due_at == new_start - timedelta(days=OPENS_DAYS + HEAD_START)
    services.course_update(course=course, booking_opens_days=20, actor=trainer)
    row.refresh_from_db()
    assert row.due_at == new_start - timedelta(days=20 + HEAD_START)
    services.course_update(course=course, interest_head_start_days=0, actor=trainer)
    row.refresh_from_db()
    assert row.due_at == new_start - timedelta(days=20)


def test_cancelling_the_session_withdraws_them_and_the_next_date_tells_again(course, ada, trainer):
    session = _new_session(course, trainer, in_days=60)
    services.session_cancel(session=session, actor=trainer, reason="Trainer ill")
    assert _early_rows(ada).get().status == OutboxMessage.Status.VOID
    again = _new_session(course, trainer, in_days=70)
    pending = _early_rows(ada).filter(status=OutboxMessage.Status.PENDING).get()
    assert pending.object_id == BookingAlert.objects.get(session=again).pk


def test_stop_telling_me_voids_the_early_message(course, ada, trainer):
    _new_session(course, trainer, in_days=60)
    services.interest_withdraw(interest=selectors.interest_for(ada, course), actor=ada)
    assert not CourseInterest.objects.exists() and not BookingAlert.objects.exists()
    assert _early_rows(ada).get().status == OutboxMessage.Status.VOID


def test_an_earlier_booking_opens_alert_becomes_the_early_one(course, trainer):
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=60))
    bea = UserFactory()
    alerts.booking_alert_create(session=session, person=bea, actor=bea)
    CourseInterest.objects.create(course=course, person=bea)
    with transaction.atomic():
        services.interest_tell([session])
    alert = BookingAlert.objects.get(person=bea)
    assert alert.interest is not None
    pending = _early_rows(bea).filter(status=OutboxMessage.Status.PENDING).get()
    assert pending.due_at == session.early_booking_opens_at()


def test_the_email_says_there_is_a_date_and_that_they_can_book_first(smtp, course, ada, trainer):
    session = _new_session(course, trainer, in_days=OPENS_DAYS + 1)
    deliver()
    (mail,) = mails_to(smtp, ada)
    assert subject(mail).startswith("A new date: Get Tweeting")
    body = text_of(mail)
    assert "you can book before everyone else" in body
    assert session.get_absolute_url() in body
