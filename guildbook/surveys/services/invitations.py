"""Invitations: scheduled with the attendance that makes them due, moved with the session,
with their reminder and the "we missed you" message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_reschedule, outbox_schedule, outbox_void
from guildbook.surveys import tokens
from guildbook.surveys.messages import INVITATION, MISSED_YOU, REMINDER
from guildbook.surveys.models import (
    Invitation,
    SurveyMoment,
)
from guildbook.training.models import Booking


def _set_times(invitation: Invitation, session) -> None:
    moment = invitation.moment
    invitation.due_at = session.ends_at + timedelta(days=moment.days_after)
    invitation.closes_at = invitation.due_at + timedelta(days=moment.closes_after_days)


def _reminder_due(invitation: Invitation) -> datetime | None:
    days = invitation.moment.reminder_after_days
    return None if days is None else invitation.due_at + timedelta(days=days)


def _rows_about(obj):
    return OutboxMessage.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def _queue(invitation: Invitation, *, now: datetime, new: bool = False) -> None:
    """Make the invitation's pending e-mails match it: the invitation unless it has gone
    out already, and the reminder unless it has gone out or the person has answered. Rows
    still pending are replaced; each new row's dedupe key carries a version, so a
    re-created invitation (attendance flipped back) is queued again."""
    person = invitation.booking.person
    if new:
        version, gone = 1, set()
    else:
        outbox_void(about=invitation)
        rows = _rows_about(invitation)
        version = rows.count() + 1
        gone = set(
            rows.filter(
                status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING]
            ).values_list("kind", flat=True)
        )
    if INVITATION not in gone:
        outbox_schedule(
            kind=INVITATION,
            about=invitation,
            recipient=person,
            due_at=invitation.due_at,
            key=f"{INVITATION}:{invitation.pk}:v{version}",
            about_is_new=new,
        )
    reminder_due = _reminder_due(invitation)
    if reminder_due is not None and REMINDER not in gone and invitation.answered_at is None:
        outbox_schedule(
            kind=REMINDER,
            about=invitation,
            recipient=person,
            due_at=reminder_due,
            key=f"{REMINDER}:{invitation.pk}:v{version}",
            about_is_new=new,
        )


def _missed_prefix(moment: SurveyMoment, booking_id: int) -> str:
    return f"{MISSED_YOU}:{moment.pk}:{booking_id}:"


def _missed_rows(moment: SurveyMoment, booking):
    """The no-show messages of `moment` about `booking` (found through the outbox's index
    on what a row is about, then told apart by the moment in their key)."""
    return _rows_about(booking).filter(
        kind=MISSED_YOU, dedupe_key__startswith=_missed_prefix(moment, booking.pk)
    )


def _void_missed(moment: SurveyMoment, booking) -> None:
    _missed_rows(moment, booking).filter(status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.VOID, updated_at=timezone.now()
    )


def _queue_missed(moment: SurveyMoment, booking, session, now: datetime) -> None:
    prefix = _missed_prefix(moment, booking.pk)
    earlier = _missed_rows(moment, booking)
    if earlier.filter(
        status__in=[
            OutboxMessage.Status.PENDING,
            OutboxMessage.Status.SENDING,
            OutboxMessage.Status.SENT,
        ]
    ).exists():
        return
    outbox_schedule(
        kind=MISSED_YOU,
        about=booking,
        recipient=booking.person,
        due_at=session.ends_at + timedelta(days=moment.days_after),
        key=f"{prefix}v{earlier.count() + 1}",
        context={"moment": moment.pk},
    )


def invitations_for_attendance(*, booking, now: datetime) -> list[Invitation]:
    """Called by training's `attendance_marked` hook, inside the register's transaction.

    Attended: an invitation per active moment of the course, with its e-mails queued (the
    invitation at session end + days after — at once if that has passed — and the
    reminder); one withdrawn earlier is re-used. No-show: the person's invitations are
    withdrawn with their e-mails, and moments that say so queue the short "sorry we missed
    you" message instead. Returns the scheduled invitations.
    """
    session = booking.session
    moments = list(
        SurveyMoment.objects.filter(course_id=session.course_id, active=True).select_related(
            "template"
        )
    )
    if not moments:
        return []
    existing = {
        i.moment_id: i
        for i in Invitation.objects.select_for_update().filter(booking=booking, moment__in=moments)
    }
    attended = booking.attendance == Booking.Attendance.ATTENDED
    scheduled = []
    for moment in moments:
        invitation = existing.get(moment.pk)
        if not attended:
            if invitation is not None and invitation.status == Invitation.Status.SCHEDULED:
                invitation.status = Invitation.Status.VOID
                invitation.save(update_fields=["status", "updated_at"])
                outbox_void(about=invitation)
            if moment.message_no_shows:
                _queue_missed(moment, booking, session, now)
            continue
        if moment.message_no_shows:
            _void_missed(moment, booking)
        if invitation is None:
            invitation = Invitation(
                moment=moment,
                template=moment.template,
                booking=booking,
                session=session,
                key=tokens.new_key(),
            )
            _set_times(invitation, session)
            if invitation.closes_at <= now:
                continue  # marked after the survey would have closed: too late to ask
            invitation.save(force_insert=True)
            _queue(invitation, now=now, new=True)
        elif invitation.status == Invitation.Status.VOID:
            invitation.moment = moment
            invitation.status = Invitation.Status.SCHEDULED
            _set_times(invitation, session)
            if invitation.answered_at is None and invitation.due_at > now:
                invitation.template = moment.template
            invitation.save(
                update_fields=["status", "due_at", "closes_at", "template", "updated_at"]
            )
            invitation.booking = booking
            _queue(invitation, now=now)
        scheduled.append(invitation)
    return scheduled


def invitations_move(*, session, now: datetime) -> int:
    """Called by training's `session_moved` hook, inside the reschedule's transaction: the
    session's invitations take their times from its new end, and their pending e-mails
    (invitation, reminder, the no-shows' message) move with them. Returns how many moved."""
    invitations = list(
        Invitation.objects.select_for_update()
        .filter(session=session, status=Invitation.Status.SCHEDULED)
        .select_related("moment")
    )
    for invitation in invitations:
        _set_times(invitation, session)
        invitation.save(update_fields=["due_at", "closes_at", "updated_at"])
        outbox_reschedule(about=invitation, kinds=[INVITATION], due_at=invitation.due_at)
        reminder_due = _reminder_due(invitation)
        if reminder_due is not None:
            outbox_reschedule(about=invitation, kinds=[REMINDER], due_at=reminder_due)
    for moment in SurveyMoment.objects.filter(course_id=session.course_id, message_no_shows=True):
        due = session.ends_at + timedelta(days=moment.days_after)
        for booking in session.bookings.filter(attendance=Booking.Attendance.NO_SHOW):
            for row in _missed_rows(moment, booking).filter(status=OutboxMessage.Status.PENDING):
                row.due_at = row.next_attempt_at = due
                row.save(update_fields=["due_at", "next_attempt_at", "updated_at"])
    return len(invitations)
