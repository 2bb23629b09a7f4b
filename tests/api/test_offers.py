"""Offer mode through the API: claiming or declining the place offered to the caller.
Only the caller's own booking; someone else's is 404, trainers included."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.training import messages, services
from guildbook.training.models import Booking, Course
from tests.api.conftest import ApiClient, assert_error
from tests.factories import CourseFactory, SessionFactory, UserFactory

# Every test here runs through the fast paths and through their ORM twins.
pytestmark = pytest.mark.usefixtures("fast_paths")


def claim(api, booking):
    return api.post(f"/api/v1/bookings/{booking.pk}/claim")


def decline(api, booking):
    return api.post(f"/api/v1/bookings/{booking.pk}/decline")


def offer_session(starts_in=timedelta(days=20), capacity=1):
    course = CourseFactory(
        waiting_list_mode=Course.WaitingListMode.OFFER, visibility=Course.Visibility.PUBLIC
    )
    now = timezone.now()
    return SessionFactory(
        course=course, capacity=capacity, starts_at=now + starts_in, ends_at=now + starts_in * 1.01
    )


@pytest.fixture
def offered(db):
    """Three people: the first gives up their place, so it is offered to the second; the
    third waits behind them."""
    session = offer_session()
    first, second, third = UserFactory.create_batch(3)
    held = services.booking_create(session=session, person=first, actor=first)
    offer = services.booking_create(session=session, person=second, actor=second)
    behind = services.booking_create(session=session, person=third, actor=third)
    services.booking_cancel(booking=held, actor=first)
    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED
    return offer, behind


def test_claiming_my_offer_gives_me_the_place(offered):
    offer, _behind = offered
    response = claim(ApiClient(offer.person), offer)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["offer_expires_at"]) == (offer.pk, "confirmed", None)
    offer.refresh_from_db()
    assert offer.status == Booking.Status.CONFIRMED
    assert OutboxMessage.objects.filter(kind=messages.PROMOTED, object_id=offer.pk).exists()


def test_declining_passes_the_place_to_the_next_person(offered):
    offer, behind = offered
    response = decline(ApiClient(offer.person), offer)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    offer.refresh_from_db()
    behind.refresh_from_db()
    assert offer.ending == Booking.Ending.DECLINED_OFFER
    assert behind.status == Booking.Status.OFFERED


@pytest.mark.parametrize("act", [claim, decline])
def test_someone_elses_offer_is_404_trainers_included(offered, trainer, act):
    offer, behind = offered
    for api in (ApiClient(behind.person), ApiClient(trainer)):
        assert_error(act(api, offer), 404, "not_found")
    assert_error(act(ApiClient(offer.person), Booking(pk=999999)), 404, "not_found")
    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED


def test_an_offer_that_ran_out_is_409_offer_gone(offered):
    offer, _behind = offered
    Booking.objects.filter(pk=offer.pk).update(offer_expires_at=timezone.now() - timedelta(1))
    body = assert_error(claim(ApiClient(offer.person), offer), 409, "offer_gone", field=None)
    assert body["detail"].startswith("Sorry, this offer ran out on ")


def test_an_offer_already_passed_on_is_409_offer_gone(offered):
    offer, _behind = offered
    services.offers_expire(now=offer.offer_expires_at)
    for act in (claim, decline):
        assert_error(act(ApiClient(offer.person), offer), 409, "offer_gone")


def test_no_offer_to_claim_is_409(offered):
    _offer, behind = offered
    body = assert_error(claim(ApiClient(behind.person), behind), 409, "offer_gone")
    assert body["detail"] == "There is no place on offer to you on this session now."
    assert_error(decline(ApiClient(behind.person), behind), 409, "offer_gone")


def test_claiming_twice_says_the_place_is_already_mine(offered):
    offer, _behind = offered
    api = ApiClient(offer.person)
    assert claim(api, offer).status_code == 200
    assert_error(claim(api, offer), 400, "already_confirmed")


def test_in_the_last_day_the_first_to_claim_gets_the_free_place(db):
    session = offer_session(starts_in=timedelta(hours=10))
    holder, a, b = UserFactory.create_batch(3)
    held = services.booking_create(session=session, person=holder, actor=holder)
    first = services.booking_create(session=session, person=a, actor=a)
    second = services.booking_create(session=session, person=b, actor=b)
    services.booking_cancel(booking=held, actor=holder)
    assert claim(ApiClient(b), second).json()["status"] == "confirmed"
    body = assert_error(claim(ApiClient(a), first), 409, "offer_gone")
    assert "someone else claimed it first" in body["detail"]


def test_the_openapi_document_lists_claim_and_decline(anonymous_api, db):
    paths = anonymous_api.get("/api/v1/openapi.json").json()["paths"]
    for action in ("claim", "decline"):
        operation = paths[f"/api/v1/bookings/{{booking_id}}/{action}"]["post"]
        assert {"200", "404", "409"} <= set(operation["responses"])
