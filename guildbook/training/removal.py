"""Taking someone off a session, carefully: the trainer gives a reason and chooses whether
to tell them, and may undo it for a short while.

`booking_remove` (services) ends the booking and queues the "taken off" e-mail in the same
transaction; `after_remove` then holds that e-mail for the undo window (or voids it when
the trainer chose not to tell them) and puts the reason in it. `booking_restore` undoes a
removal inside the window: the person gets a place again if one is still free — the freed
place may already have gone to the next person waiting, who keeps it — under the same
calendar event, and if the e-mail had not gone yet they are told nothing at all.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_reschedule, outbox_void
from guildbook.training import calendar
from guildbook.training.models import Booking, Session

UNDO_WINDOW = timedelta(minutes=10)
REMOVED_MESSAGE = "training.place_cancelled"


def after_remove(booking: Booking, *, reason: str, tell: bool, now) -> None:
    """Inside booking_remove's transaction: hold or void the e-mail, with the reason."""
    if not tell:
        outbox_void(about=booking, kinds=[REMOVED_MESSAGE])
        return
    outbox_reschedule(about=booking, kinds=[REMOVED_MESSAGE], due_at=now + UNDO_WINDOW)
    if reason:
        for row in OutboxMessage.objects.filter(
            kind=REMOVED_MESSAGE, object_id=booking.pk, status=OutboxMessage.Status.PENDING
        ).select_for_update():
            if row.about == booking:
                row.context = {**(row.context or {}), "reason": reason[:500]}
                row.save(update_fields=["context", "updated_at"])


def can_undo(booking: Booking, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        booking.status == Booking.Status.CANCELLED
        and booking.ending == Booking.Ending.REMOVED
        and booking.ended_at is not None
        and now - booking.ended_at <= UNDO_WINDOW
    )


def booking_restore(*, booking: Booking, actor: User) -> Booking:
    """Undo a removal made in the last few minutes: a new place for the same person, with
    the same answers and calendar event. Refused when the window has passed, the person has
    booked again, or the place has gone (then: raise the number of places)."""
    from guildbook.training import services

    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=booking.session_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not can_undo(booking):
            raise ServiceError("This removal can no longer be undone.", code="too_late")
        if Booking.objects.filter(
            session=session, person_id=booking.person_id, status__in=Booking.ACTIVE
        ).exists():
            raise ServiceError(f"{booking.person.display_name} is already back on this session.")
        if session.capacity - session.places_taken <= 0:
            raise ServiceError(
                f"{booking.person.display_name}'s place has gone to the next person waiting. "
                "To take them back, raise the number of places first.",
                code="full",
            )
        unsent = outbox_void(about=booking, kinds=[REMOVED_MESSAGE])
        restored = services.booking_create(
            session=session,
            person=booking.person,
            actor=actor,
            answers={k: v.get("answer") for k, v in (booking.answers or {}).items()},
        )
        # The same event in their calendar, whatever they were told.
        Booking.objects.filter(pk=restored.pk).update(calendar_uid=calendar.booking_uid(booking))
        if unsent:
            # They were never told they were taken off, so they hear nothing now either.
            outbox_void(about=restored, kinds=["training.place_confirmed"])
        audit_record(actor=actor, action="booking_restored", subject=restored, removed=booking.pk)
    return restored
