"""A trainer's own e-mail to everyone on a session, or to its waiting list.

One outbox message per person, about their booking, written in one transaction with an
audit entry; the worker sends them like any other message and skips anyone whose booking
ended before it went. The words are the trainer's; the e-mail adds the session's details
and a link to the booking.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.kinds import message_kind
from guildbook.notifications.services import outbox_schedule
from guildbook.training.models import Booking, Session

SESSION_NOTE = "training.session_note"
AUDIENCES = {
    "places": "People with a place",
    "waiting": "The waiting list",
    "everyone": "Everyone: places and the waiting list",
}
_STATUSES = {
    "places": [Booking.Status.CONFIRMED],
    "waiting": [Booking.Status.WAITING, Booking.Status.OFFERED],
    "everyone": list(Booking.ACTIVE),
}


def session_message_send(
    *, session: Session, audience: str, subject: str, body: str, actor: User
) -> int:
    """Queue the trainer's e-mail to the session's people (`audience`: places, waiting or
    everyone). Returns how many people it goes to."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if audience not in AUDIENCES:
        raise ServiceError("Choose who the e-mail goes to.", field="audience")
    if not subject:
        raise ServiceError("Give the e-mail a subject.", field="subject")
    if len(subject) > 150:
        raise ServiceError("Keep the subject under 150 characters.", field="subject")
    if not body:
        raise ServiceError("Write the message.", field="body")
    if len(body) > 5000:
        raise ServiceError("Keep the message under 5,000 characters.", field="body")
    if session.is_cancelled:
        raise ServiceError("This session has been cancelled.")
    now = timezone.now()
    batch = uuid.uuid4().hex[:12]
    with transaction.atomic():
        bookings = list(
            Booking.objects.filter(session=session, status__in=_STATUSES[audience])
            .select_related("person")
            .order_by("id")
        )
        if not bookings:
            raise ServiceError("Nobody is there to e-mail.", field="audience")
        for booking in bookings:
            outbox_schedule(
                kind=SESSION_NOTE,
                about=booking,
                recipient=booking.person,
                due_at=now,
                key=f"{SESSION_NOTE}:{batch}:{booking.pk}",
                context={"note_subject": subject, "note_body": body, "sender": actor.display_name},
            )
        audit_record(
            actor=actor,
            action="session_message_sent",
            subject=session,
            audience=audience,
            count=len(bookings),
            title=subject,
        )
    return len(bookings)


def _register():
    from guildbook.training.messages.kinds import TrainingMessage

    @message_kind(SESSION_NOTE)
    class SessionNote(TrainingMessage):
        """The trainer's words; not sent to someone whose booking ended meanwhile."""

        label = "A message from the trainer"

        def booking_due(self, booking):
            from guildbook.training.messages.kinds import _live

            return booking.status in Booking.ACTIVE and _live(booking.session)

    return SessionNote


SessionNote = _register()
