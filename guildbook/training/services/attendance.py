"""The register: marking attendance and no-shows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_time
from guildbook.training.models import (
    Booking,
    Session,
)
from guildbook.training.signals import (
    attendance_marked,
    attendance_recorded,
)


def attendance_record(
    *, booking: Booking, attended: bool, actor: User | None, arrived_late: bool = False
) -> Booking:
    """Mark a person with a place as attended (optionally late) or a no-show.

    Can be changed later (a late arrival marked absent by mistake); each change is audited.
    """
    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("session").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise ServiceError(
                "Only people with a place can be marked on the register.", field="attended"
            )
        if booking.session.starts_at > now:
            # Open the register early to see who is coming, but a mark counts at once (in
            # the training record, the follow-up survey), so none before the start.
            starts = booking.session.starts_at
            raise ServiceError(
                f"Attendance can be marked once the session starts, at {format_time(starts)} "
                f"on {format_date(starts)}.",
                field="attended",
            )
        booking.attendance = Booking.Attendance.ATTENDED if attended else Booking.Attendance.NO_SHOW
        booking.arrived_late = bool(attended and arrived_late)
        booking.attendance_recorded_at = now
        booking.save(
            update_fields=["attendance", "arrived_late", "attendance_recorded_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="attendance_recorded",
            subject=booking,
            attendance=booking.attendance,
            late=booking.arrived_late,
        )
        attendance_marked.send(sender=Booking, booking=booking, now=now)
        transaction.on_commit(
            lambda: attendance_recorded.send(sender=Booking, booking=booking, actor=actor)
        )
    return booking


def attendance_mark_all(*, session: Session, attended: bool = True, actor: User | None) -> int:
    """Mark everyone with a place who is not yet marked. Returns how many were marked."""
    with transaction.atomic():
        pending = list(
            session.bookings.filter(status=Booking.Status.CONFIRMED, attendance="").order_by("id")
        )
        for booking in pending:
            attendance_record(booking=booking, attended=attended, actor=actor)
    return len(pending)
