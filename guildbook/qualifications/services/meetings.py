"""The meetings log, its agreed actions and reminders, and the mentor's completion form."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.notifications.services import outbox_schedule, outbox_void
from guildbook.qualifications import messages, selectors
from guildbook.qualifications.models import (
    Action,
    Candidacy,
    Meeting,
    MentorReport,
    MentorRequest,
)
from guildbook.qualifications.services.candidacies import _lock_open
from guildbook.qualifications.services.mentors import digest_queue

REMIND_DAYS_BEFORE = 2
REMIND_AT = time(9, 0)


def _mentoring(candidacy: Candidacy) -> MentorRequest | None:
    return (
        MentorRequest.objects.select_related("mentor__user")
        .filter(candidacy=candidacy, status=MentorRequest.Status.ACCEPTED)
        .first()
    )


def _remind_at(due_on: date, now: datetime) -> datetime:
    at = timezone.make_aware(
        datetime.combine(due_on - timedelta(days=REMIND_DAYS_BEFORE), REMIND_AT)
    )
    return max(at, now)


def meeting_log(
    *,
    candidacy: Candidacy,
    actor,
    held_on: date,
    notes: str = "",
    actions: list[dict] | tuple = (),
) -> Meeting:
    """Log a mentoring meeting with its agreed actions (text, owner "candidate" or
    "mentor", due_on). The candidate's actions are reminded by e-mail two days before they
    fall due; the mentor's come in the weekly digest. Logged by the current mentor or the
    candidate."""
    mentoring = _mentoring(candidacy)
    is_mentor = mentoring is not None and mentoring.mentor.user_id == actor.pk
    if not (is_mentor or actor.pk == candidacy.person_id):
        raise NotAllowed("Only the candidate and their mentor log meetings.")
    if mentoring is None:
        raise ServiceError("Meetings are logged once a mentor has agreed.", field="held_on")
    today = timezone.localdate()
    if held_on > today:
        raise ServiceError("Log a meeting once it has happened.", field="held_on")
    cleaned = []
    for item in actions:
        text = (item.get("text") or "").strip()
        if not text:
            continue
        owner = item.get("owner") or Action.Owner.CANDIDATE
        if owner not in Action.Owner.values:
            raise ServiceError(f"An action is for the candidate or the mentor, not {owner}.")
        due_on = item.get("due_on")
        if due_on is not None and due_on < held_on:
            raise ServiceError("An action cannot fall due before the meeting.", field="due_on")
        cleaned.append((text[:300], owner, due_on))
    now = timezone.now()
    with transaction.atomic():
        candidacy = _lock_open(candidacy)
        meeting = Meeting.objects.create(
            candidacy=candidacy,
            mentor=mentoring.mentor,
            held_on=held_on,
            notes=(notes or "").strip(),
            recorded_by=actor,
        )
        for text, owner, due_on in cleaned:
            action = Action.objects.create(
                meeting=meeting, candidacy=candidacy, text=text, owner=owner, due_on=due_on
            )
            if due_on is not None and owner == Action.Owner.CANDIDATE:
                outbox_schedule(
                    kind=messages.ACTION_DUE,
                    about=action,
                    recipient=candidacy.person,
                    due_at=_remind_at(due_on, now),
                    about_is_new=True,
                )
        if any(due for _t, _o, due in cleaned):
            digest_queue(mentoring.mentor, now=now)
        audit_record(actor=actor, action="meeting_logged", subject=meeting)
    return meeting


def action_set_done(*, action: Action, actor, done: bool = True) -> Action:
    """Mark an action done (or not): the candidate or their current mentor."""
    candidacy = action.candidacy
    mentoring = _mentoring(candidacy)
    if actor.pk != candidacy.person_id and not (
        mentoring is not None and mentoring.mentor.user_id == actor.pk
    ):
        raise NotAllowed("Only the candidate and their mentor change actions.")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        action.done_at = timezone.now() if done else None
        action.save(update_fields=["done_at", "updated_at"])
        if done:
            outbox_void(about=action, kinds=[messages.ACTION_DUE])
        audit_record(
            actor=actor, action="action_done" if done else "action_reopened", subject=action
        )
    return action


def mentor_report_submit(*, candidacy: Candidacy, actor, summary: str) -> MentorReport:
    """The mentor's completion form: the meetings' figures are taken from the log (not
    typed), the words are the mentor's own, started from the log."""
    mentoring = _mentoring(candidacy)
    if mentoring is None or mentoring.mentor.user_id != actor.pk:
        raise NotAllowed("Only the candidate's mentor completes the form.")
    summary = (summary or "").strip()
    if not summary:
        raise ServiceError("Say how the mentoring went.", field="summary")
    prefill = selectors.completion_prefill(candidacy, mentoring.mentor)
    try:
        with transaction.atomic():
            report = MentorReport.objects.create(
                candidacy=candidacy,
                mentor=mentoring.mentor,
                meetings_count=prefill["meetings_count"],
                first_meeting_on=prefill["first_meeting_on"],
                last_meeting_on=prefill["last_meeting_on"],
                summary=summary,
            )
            audit_record(actor=actor, action="mentor_report_submitted", subject=report)
    except IntegrityError:
        raise Conflict("You have completed the form already.", code="already_done") from None
    return report
