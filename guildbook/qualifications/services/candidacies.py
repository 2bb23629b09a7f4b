"""Candidacies: starting one, marking the journey's steps, withdrawing, the outcome."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.qualifications.models import (
    Candidacy,
    CandidacyStep,
    DevelopmentPlan,
    JourneyStep,
    MentorProfile,
    MentorRequest,
    Scheme,
)

DEFAULT_MONTHS = 12


class Invalid(ServiceError):
    """A value that cannot be accepted (the API answers 422, naming the field)."""

    status = 422
    code = "invalid"


def _default_target(started_on: date, scheme: Scheme) -> date:
    months = int(scheme.rules.get("cpd_months", DEFAULT_MONTHS)) if scheme.rules else 12
    return started_on + timedelta(days=round(months * 365 / 12))


def candidacy_start(
    *,
    person,
    scheme: Scheme,
    actor,
    target_date: date | None = None,
    membership_number: str = "",
    started_on: date | None = None,
) -> Candidacy:
    """Start a candidacy on this scheme version, with an empty development plan.

    Refused for a closed version and when the person already has an open candidacy on the
    same version (a database constraint too). The candidacy keeps this version for good.
    """
    if not scheme.open:
        raise ServiceError(
            f"{scheme} is not open for new candidates; choose its current version.",
            field="scheme",
        )
    started_on = started_on or timezone.localdate()
    target_date = target_date or _default_target(started_on, scheme)
    if target_date < started_on:
        raise ServiceError("The target date cannot be before the start.", field="target_date")
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                person=person,
                scheme=scheme,
                started_on=started_on,
                target_date=target_date,
                membership_number=(membership_number or "").strip()[:40],
            )
            DevelopmentPlan.objects.create(candidacy=candidacy)
            if candidacy.membership_number:
                _mark(candidacy, "membership", actor, note=candidacy.membership_number)
            audit_record(actor=actor, action="candidacy_started", subject=candidacy)
    except IntegrityError:
        raise Conflict(
            f"You already have a {scheme.name} candidacy in progress.", field="scheme"
        ) from None
    return candidacy


def _mark(candidacy: Candidacy, code: str, actor, *, note: str = "") -> bool:
    """Mark a step done inside the caller's transaction (no-op if the scheme has no such
    step or it is done already). True when newly marked."""
    step = JourneyStep.objects.filter(scheme_id=candidacy.scheme_id, code=code).first()
    if step is None:
        return False
    _, created = CandidacyStep.objects.get_or_create(
        candidacy=candidacy,
        step=step,
        defaults={"done_by": actor if actor and actor.is_authenticated else None, "note": note},
    )
    return created


def _require_open(candidacy: Candidacy) -> None:
    if not candidacy.is_open:
        raise ServiceError(
            f"This candidacy is {candidacy.get_status_display().lower()}: it can be read but "
            "not changed.",
            code="candidacy_closed",
        )


def _lock_open(candidacy: Candidacy) -> Candidacy:
    """The candidacy read again under a row lock, which holds to the end of the caller's
    transaction; refused if it has closed meanwhile."""
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    _require_open(candidacy)
    return candidacy


def candidacy_step_set(
    *, candidacy: Candidacy, code: str, done: bool, actor, note: str = ""
) -> Candidacy:
    """Mark a journey step done or not done. Marking "submitted" moves the candidacy to
    submitted; the outcome is recorded with candidacy_outcome."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate changes their journey.")
    if code == "outcome":
        raise ServiceError("Record the outcome with the outcome form.", field="code")
    with transaction.atomic():
        candidacy = _lock_open(candidacy)
        step = JourneyStep.objects.filter(scheme_id=candidacy.scheme_id, code=code).first()
        if step is None:
            raise ServiceError(f"This scheme has no step “{code}”.", field="code")
        if done:
            if code == "membership" and note:
                candidacy.membership_number = note.strip()[:40]
                candidacy.save(update_fields=["membership_number", "updated_at"])
            _mark(candidacy, code, actor, note=note)
            if code == "submitted":
                candidacy.status = Candidacy.Status.SUBMITTED
                candidacy.save(update_fields=["status", "updated_at"])
        else:
            CandidacyStep.objects.filter(candidacy=candidacy, step=step).delete()
            if code == "submitted":
                candidacy.status = Candidacy.Status.ACTIVE
                candidacy.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="candidacy_step_done" if done else "candidacy_step_undone",
            subject=candidacy,
            step=code,
        )
    return candidacy


def _end_mentoring(candidacy: Candidacy, *, now) -> None:
    """End the accepted request (freeing the mentor's place) and withdraw pending ones."""
    for request in MentorRequest.objects.select_for_update().filter(
        candidacy=candidacy, status=MentorRequest.Status.ACCEPTED
    ):
        request.status = MentorRequest.Status.ENDED
        request.ended_at = now
        request.save(update_fields=["status", "ended_at", "updated_at"])
        MentorProfile.objects.filter(pk=request.mentor_id, mentees__gt=0).update(
            mentees=F("mentees") - 1
        )
    MentorRequest.objects.filter(candidacy=candidacy, status=MentorRequest.Status.PENDING).update(
        status=MentorRequest.Status.WITHDRAWN, decided_at=now, updated_at=now
    )


def candidacy_withdraw(*, candidacy: Candidacy, actor, reason: str = "") -> Candidacy:
    """Withdraw: the candidacy and its history stay readable; the mentor's place is freed."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate withdraws their candidacy.")
    now = timezone.now()
    with transaction.atomic():
        candidacy = _lock_open(candidacy)
        candidacy.status = Candidacy.Status.WITHDRAWN
        candidacy.withdrawn_at = now
        candidacy.withdrawn_reason = (reason or "").strip()
        candidacy.ended_on = timezone.localdate()
        candidacy.save()
        _end_mentoring(candidacy, now=now)
        audit_record(actor=actor, action="candidacy_withdrawn", subject=candidacy, reason=reason)
    return candidacy


def candidacy_outcome(*, candidacy: Candidacy, awarded: bool, actor) -> Candidacy:
    """Record the awarding body's decision: the candidacy closes, mentoring ends."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate records their outcome.")
    now = timezone.now()
    with transaction.atomic():
        candidacy = _lock_open(candidacy)
        _mark(candidacy, "submitted", actor)
        _mark(candidacy, "outcome", actor, note="awarded" if awarded else "not awarded")
        candidacy.status = Candidacy.Status.AWARDED if awarded else Candidacy.Status.NOT_AWARDED
        candidacy.ended_on = timezone.localdate()
        candidacy.save()
        _end_mentoring(candidacy, now=now)
        audit_record(actor=actor, action="candidacy_outcome", subject=candidacy, awarded=awarded)
    return candidacy
