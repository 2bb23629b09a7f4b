"""'Remove' asks first (a reason, whether to tell them) and can be undone for a while."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.training import removal, services
from guildbook.training.models import Booking
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _removal_mail(booking):
    return OutboxMessage.objects.get(kind=removal.REMOVED_MESSAGE, object_id=booking.pk)


@pytest.fixture
def placed(db):
    session = SessionFactory(capacity=2)
    ada = UserFactory(name="Ada Learner")
    return services.booking_create(session=session, person=ada, actor=ada)


def test_remove_asks_first_with_a_reason_and_whether_to_tell_them(client, trainer, placed):
    client.force_login(trainer)
    url = reverse("training:manage_booking_remove", args=[placed.pk])
    session_page = client.get(reverse("training:manage_session", args=[placed.session_id]))
    assert f'href="{url}"' in session_page.content.decode()
    question = client.get(url).content.decode()
    assert "Take Ada Learner off the session?" in question
    assert 'name="reason"' in question and 'name="tell"' in question
    response = client.post(url, {"reason": "Booked onto the wrong date", "tell": "1"})
    placed.refresh_from_db()
    assert placed.ending == Booking.Ending.REMOVED
    mail = _removal_mail(placed)
    assert mail.status == "pending" and mail.context["reason"] == "Booked onto the wrong date"
    assert mail.due_at >= timezone.now() + removal.UNDO_WINDOW - timedelta(minutes=1)
    page = client.get(response["Location"]).content.decode()
    assert "Undo: put Ada Learner back" in page


def test_remove_without_telling_them_sends_nothing(client, trainer, placed):
    client.force_login(trainer)
    client.post(reverse("training:manage_booking_remove", args=[placed.pk]), {"reason": "x"})
    assert _removal_mail(placed).status == "void"


def test_undo_gives_the_place_back_quietly_with_the_same_calendar_event(client, trainer, placed):
    from guildbook.training import calendar

    uid = calendar.booking_uid(placed)
    services.booking_remove(booking=placed, actor=trainer, reason="", tell=True)
    client.force_login(trainer)
    client.post(reverse("training:manage_booking_restore", args=[placed.pk]))
    back = Booking.objects.get(session=placed.session, person=placed.person, status="confirmed")
    assert calendar.booking_uid(back) == uid
    assert _removal_mail(placed).status == "void"
    confirmations = OutboxMessage.objects.filter(
        kind="training.place_confirmed", object_id=back.pk, status="pending"
    )
    assert not confirmations.exists(), "never told of the removal, so not told of the undo"


def test_undo_is_refused_when_the_place_has_gone_or_too_late(trainer, placed):
    session = placed.session
    services.booking_create(session=session, person=UserFactory(), actor=None)  # session full
    services.booking_create(session=session, person=UserFactory(), actor=None)  # waiting
    services.booking_remove(booking=placed, actor=trainer)
    with pytest.raises(ServiceError, match="raise the number of places"):
        removal.booking_restore(booking=placed, actor=trainer)
    other = services.booking_create(session=SessionFactory(), person=UserFactory(), actor=None)
    services.booking_remove(booking=other, actor=trainer)
    Booking.objects.filter(pk=other.pk).update(
        ended_at=timezone.now() - removal.UNDO_WINDOW - timedelta(seconds=1)
    )
    with pytest.raises(ServiceError, match="no longer be undone"):
        removal.booking_restore(booking=other, actor=trainer)


def test_the_freed_place_can_go_to_a_chosen_person_on_the_waiting_list(client, trainer):
    from guildbook.core.audit import audit_trail

    session = SessionFactory(capacity=1)
    ada, ben, cat = UserFactory.create_batch(3)
    placed = services.booking_create(session=session, person=ada, actor=ada)
    head = services.booking_create(session=session, person=ben, actor=ben)
    chosen = services.booking_create(session=session, person=cat, actor=cat)
    client.force_login(trainer)
    url = reverse("training:manage_booking_remove", args=[placed.pk])
    assert "Give their place to" in client.get(url).content.decode()
    client.post(url, {"give_to": str(chosen.pk), "tell": "1"})
    chosen.refresh_from_db(), head.refresh_from_db()
    assert chosen.status == "confirmed" and head.status == "waiting"
    assert any(e.action == "booking_given_place" for e in audit_trail(chosen))
