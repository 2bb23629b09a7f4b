"""Places on a session: the lower layer that bookings, offers and sessions build on.

Locking a session, taking and freeing a place, the end of the waiting list, and promotion
(a freed place goes to the head of the waiting list, or is offered in offer mode). Every
function here expects the session's row lock to be held by its caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Max

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.training import messages, offers, outcomes
from guildbook.training.models import (
    Booking,
    Course,
    Session,
)
from guildbook.training.signals import (
    booking_changed,
)


def _on_commit_send(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=Booking, **kwargs))


def _lock_session(session_id: int) -> Session:
    # of=("self",): lock the session's row only, not its course's, so bookings on other
    # sessions of the same course do not queue behind this one.
    return (
        Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)
    )


def _lock_sessions(ids: Iterable[int]) -> dict[int, Session]:
    # Always in id order, so two operations touching the same pair cannot deadlock.
    return {pk: _lock_session(pk) for pk in sorted(set(ids))}


def _end_of_waiting_list(session: Session, now: datetime) -> tuple[datetime, int]:
    """The queue time for someone joining the waiting list now, and how many are already
    waiting. Session must be locked.

    `now` was read before the lock was granted, and app servers' clocks differ, so it can be
    earlier than the time of someone who joined before. Never going below the last one
    keeps the list in the order people joined (ties, if any, go by id).
    """
    queue = session.bookings.filter(status=Booking.Status.WAITING).aggregate(
        last=Max("waiting_since"), n=Count("id")
    )
    last = queue["last"]
    return (max(now, last + timedelta(microseconds=1)) if last else now), queue["n"]


def _take_place(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(places_taken=F("places_taken") + 1)
    session.places_taken += 1


def _free_place(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(places_taken=F("places_taken") - 1)
    session.places_taken -= 1


def _promote(session: Session, actor: User | None, now: datetime) -> list[Booking]:
    """Give free places to the head of the waiting list, in order. Session must be locked.
    In offer mode the places are offered instead (`_offer`)."""
    free = session.capacity - session.places_taken
    if free <= 0 or session.is_cancelled or session.starts_at <= now:
        return []
    if session.course.waiting_list_mode == Course.WaitingListMode.OFFER:
        return _offer(session, free, actor, now)
    heads = list(
        session.bookings.filter(status=Booking.Status.WAITING).order_by("waiting_since", "id")[
            :free
        ]
    )
    for booking in heads:
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
        _take_place(session)
        audit_record(actor=actor, action="booking_promoted", subject=booking, at=now)
        messages.on_promoted(booking, session, now=now)
        _on_commit_send(
            booking_changed, booking=booking, change="promoted", actor=actor, late=False
        )
    return heads


def _offer(session: Session, free: int, actor: User | None, now: datetime) -> list[Booking]:
    """Offer mode: hold each free place for the next person waiting, until a time that
    shrinks as the session nears (offers.py). In the last 24 hours the places stay free and
    everyone waiting is told; the first to claim one gets it. Session must be locked."""
    waiting = session.bookings.filter(status=Booking.Status.WAITING).order_by("waiting_since", "id")
    expires = offers.offer_expires_at(session.starts_at, now)
    if expires is None:
        people = list(waiting.select_related("person"))
        if people:
            messages.on_open_offer(session, people, now=now)
            audit_record(
                actor=actor, action="places_open_to_claim", subject=session, at=now, free=free
            )
        return []
    heads = list(waiting[:free])
    for booking in heads:
        booking.status = Booking.Status.OFFERED
        booking.offer_expires_at = expires
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        _take_place(session)  # the offer holds the place
        audit_record(
            actor=actor,
            action="booking_offered",
            subject=booking,
            at=now,
            expires=expires.isoformat(),
        )
        messages.on_offered(booking, session, now=now)
        _on_commit_send(booking_changed, booking=booking, change="offered", actor=actor, late=False)
    return heads


def _end(
    booking: Booking,
    session: Session,
    ending: str,
    actor: User | None,
    now: datetime,
    *,
    promote: bool = True,
    reason: str = "",
) -> Booking:
    """End an active booking (session locked). `reason` "account_closed": never a late
    cancellation, and the audit entry says so."""
    if booking.attendance:
        # The register is part of the person's training record: it is never undone here.
        raise ServiceError(
            "The register already records this person as attended or a no-show, so the "
            "booking stays: it is part of their training record.",
            code="on_the_register",
        )
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    held = booking.status in Booking.HOLDING  # a confirmed or an offered place
    booking.late_cancellation = bool(
        was_confirmed
        and ending == Booking.Ending.CANCELLED
        and now >= session.late_cancellation_from()
        and reason != "account_closed"
    )
    booking.status = Booking.Status.CANCELLED
    booking.ended_at = now
    booking.ending = ending
    booking.save(update_fields=["status", "ended_at", "ending", "late_cancellation", "updated_at"])
    if held:
        _free_place(session)
    audit_record(
        actor=actor,
        action=f"booking_{ending}",
        subject=booking,
        at=now,
        late=booking.late_cancellation,
        **({"reason": reason} if reason else {}),
    )
    change = "session_cancelled" if ending == Booking.Ending.SESSION_CANCELLED else ending
    if ending != Booking.Ending.MOVED:
        _on_commit_send(
            booking_changed,
            booking=booking,
            change=change,
            actor=actor,
            late=booking.late_cancellation,
        )
    # Who the freed place went to (promoted or offered), for pages that say what happened.
    booking.passed_on = _promote(session, actor, now) if held and promote else []
    # The person's message says what happened to the place then, in the page's words (it
    # may be sent later, when the waiting list has changed).
    went = outcomes.place_went(booking) if held and ending == Booking.Ending.CANCELLED else ""
    messages.on_ended(booking, session, now=now, went=went)
    return booking
