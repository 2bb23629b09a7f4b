"""Funding requests: a candidate asks Staff Development to pay a scheme fee; officers
approve or decline with a comment and record the payment. The candidate is told through
the outbox. Membership fees are never a scheme fee and are refused (the database refuses
them too)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.notifications.services import outbox_schedule
from guildbook.qualifications import messages, roles
from guildbook.qualifications.models import Candidacy, FundingRequest
from guildbook.qualifications.services.candidacies import Invalid, _require_open


class FeeRefused(Invalid):
    """A fee that cannot be asked for (membership, or one the scheme does not charge)."""


def _record_pdf(person) -> tuple[str, bytes]:
    from guildbook.training import record_export, selectors

    record = selectors.training_record_for(person, person)
    return record_export.record_filename(record, "pdf"), record_export.record_pdf(
        record=record, viewer=person
    )


def funding_request_create(
    *, candidacy: Candidacy, fee: str, justification: str, actor, attach_record: bool = True
) -> FundingRequest:
    """Ask for an enrolment or submission fee; the amount is the scheme's. The candidate's
    training record is attached as a PDF made now. Refused: a membership fee, a fee the
    scheme does not charge, a fee already asked for (unless that was declined)."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate asks for funding.")
    fee = (fee or "").strip().lower()
    if fee == "membership":
        raise FeeRefused(
            "Membership fees cannot be funded: only a scheme's enrolment or submission fee.",
            field="fee",
            code="membership_fee",
        )
    if fee not in FundingRequest.Fee.values:
        raise FeeRefused("Choose the enrolment fee or the submission fee.", field="fee")
    amount = getattr(candidacy.scheme, f"{fee}_fee")
    if not amount:
        raise FeeRefused(f"{candidacy.scheme.name} has no {fee} fee to fund.", field="fee")
    justification = (justification or "").strip()
    if not justification:
        raise ServiceError("Say why Staff Development should fund it.", field="justification")
    attachment = _record_pdf(candidacy.person) if attach_record else None
    try:
        with transaction.atomic():
            _require_open(candidacy)
            funding = FundingRequest(
                candidacy=candidacy,
                fee=fee,
                amount=amount,
                justification=justification,
                team=candidacy.person.team,
            )
            if attachment:
                funding.training_record.save(attachment[0], ContentFile(attachment[1]), save=False)
            funding.save()
            audit_record(actor=actor, action="funding_requested", subject=funding, fee=fee)
    except IntegrityError:
        raise Conflict(
            f"You have already asked for the {fee} fee.", field="fee", code="already_requested"
        ) from None
    return funding


def _decide(
    funding: FundingRequest, *, actor, status: str, comment: str, allowed_from: set, reference=""
):
    if not roles.can_decide_funding(actor):
        raise NotAllowed("Only staff development officers decide funding requests.")
    now = timezone.now()
    with transaction.atomic():
        funding = (
            FundingRequest.objects.select_for_update()
            .select_related("candidacy__person")
            .get(pk=funding.pk)
        )
        if funding.status not in allowed_from:
            raise Conflict(
                f"This request is {funding.get_status_display().lower()} already.",
                code="not_pending",
            )
        funding.status = status
        if comment:
            funding.comment = comment.strip()
        if status == FundingRequest.Status.PAID:
            funding.paid_at = now
            funding.payment_reference = (reference or "").strip()[:100]
        else:
            funding.decided_by = actor
            funding.decided_at = now
        funding.save()
        outbox_schedule(
            kind=messages.FUNDING_DECIDED,
            about=funding,
            recipient=funding.candidacy.person,
            due_at=now,
            key=f"{messages.FUNDING_DECIDED}:{funding.pk}:{status}",
        )
        audit_record(actor=actor, action=f"funding_{status}", subject=funding, comment=comment)
    return funding


def funding_request_approve(*, funding: FundingRequest, actor, comment: str = ""):
    return _decide(
        funding, actor=actor, status="approved", comment=comment, allowed_from={"requested"}
    )


def funding_request_decline(*, funding: FundingRequest, actor, comment: str = ""):
    if not (comment or "").strip():
        raise ServiceError("Say why the request is declined.", field="comment")
    return _decide(
        funding, actor=actor, status="declined", comment=comment, allowed_from={"requested"}
    )


def funding_request_pay(*, funding: FundingRequest, actor, reference: str = ""):
    """Record that an approved fee was paid."""
    return _decide(
        funding,
        actor=actor,
        status="paid",
        comment="",
        allowed_from={"approved"},
        reference=reference,
    )
