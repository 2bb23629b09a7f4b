"""Offer mode: claiming, declining and expiring a place offered from the waiting list.

How long an offer is held (the offer window) is worked out in training/offers.py; making
the offers when a place is freed is promotion, in places.py.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.core.timefmt import format_date, format_time
from guildbook.training import messages, offers
from guildbook.training.models import (
    Booking,
    Session,
)
from guildbook.training.selectors import waiting_position
from guildbook.training.services.places import _end, _lock_session, _on_commit_send, _take_place
from guildbook.training.signals import (
    booking_changed,
)


class OfferGone(Conflict):
    """The place offered is no longer there to claim (taken, lapsed, session changed)."""

    code = "offer_gone"


def _lock_offer(booking: Booking) -> tuple[Session, Booking]:
    session = _lock_session(booking.session_id)
    return session, Booking.objects.select_for_update().select_related("person").get(pk=booking.pk)


def offer_claim(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """Take the place offered: an offer held for this person, or (in the last 24 hours) a
    free place everyone waiting was told about, which goes to the first to claim it. Raises
    OfferGone when there is no place to claim any more; the person keeps their turn."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status == Booking.Status.CONFIRMED:
            raise ServiceError(
                "You already have a place on this session.", code="already_confirmed"
            )
        if session.is_cancelled:
            raise OfferGone("This session has been cancelled.")
        if session.starts_at <= now:
            raise OfferGone(
                "This session has already started, so the place can no longer be claimed."
            )
        if booking.status == Booking.Status.OFFERED:
            if booking.offer_expires_at <= now:
                raise OfferGone(
                    "Sorry, this offer ran out on "
                    f"{format_date(booking.offer_expires_at)} at "
                    f"{format_time(booking.offer_expires_at)}, so the place has gone to the "
                    "next person waiting."
                )
        elif booking.status == Booking.Status.WAITING and offers.is_open_claim(
            session.starts_at, now
        ):
            if session.places_taken >= session.capacity:
                raise OfferGone(
                    "Sorry, the place has gone: someone else claimed it first. You are still "
                    f"on the waiting list, number {waiting_position(booking)}."
                )
            _take_place(session)
        else:
            raise OfferGone("There is no place on offer to you on this session now.")
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
        audit_record(actor=actor, action="booking_offer_claimed", subject=booking, at=now)
        messages.on_promoted(booking, session, now=now)
        _on_commit_send(
            booking_changed, booking=booking, change="promoted", actor=actor, late=False
        )
    return booking


def offer_decline(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """ "No thanks": the person leaves the waiting list and the place is offered to the next."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status != Booking.Status.OFFERED:
            raise OfferGone("There is no place on offer to you on this session now.")
        return _end(booking, session, Booking.Ending.DECLINED_OFFER, actor, now)


def offer_expire(*, booking: Booking, now: datetime | None = None) -> Booking | None:
    """An offer not claimed in time: it ends ("offer_expired", the person is told) and the
    place passes down the list. Does nothing (None) unless the booking is still offered and
    its time is up, so running it twice, or after a claim, is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status != Booking.Status.OFFERED or booking.offer_expires_at > now:
            return None
        return _end(booking, session, Booking.Ending.OFFER_EXPIRED, None, now)


def offers_expire(*, now: datetime | None = None) -> int:
    """Expire every offer whose time is up, oldest first; each in its own transaction under
    its session's lock. The worker runs this before each batch. Returns how many expired."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now).order_by(
        "offer_expires_at", "id"
    )
    return sum(1 for booking in list(due) if offer_expire(booking=booking, now=now) is not None)
