"""Read-only links for an assessor without an account: made, checked and revoked.

A link's URL carries its row's id signed with core's signed-link helper for the purpose
"assessor" (so it cannot be guessed or turned into another of Guildbook's signed values),
with the moment it was made as its revision. It works until it expires or is revoked; both
are checked against the row on every use, so either makes it a 404 at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.core.signed_links import BadLink, LinkSigner
from guildbook.portfolios.models import AssessorLink
from guildbook.portfolios.services.exports import ConfidentialityCheck, confidentiality_findings
from guildbook.qualifications.models import Candidacy

MAX_DAYS = 90
# A backstop beyond any link's own expiry, which the row holds.
SIGNER = LinkSigner(
    namespace="guildbook.portfolios", purposes=("assessor",), max_age=timedelta(days=MAX_DAYS + 1)
)


def _revision(link: AssessorLink) -> str:
    return link.created_at.isoformat()


def assessor_link_token(link: AssessorLink) -> str:
    return SIGNER.sign(link.pk, "assessor", revision=_revision(link))


def assessor_link_from_token(token: str, *, now=None) -> AssessorLink | None:
    """The live link a token names, or None (changed, expired, revoked, or never made)."""
    try:
        # Signed as [id, revision]; the revision is checked against the row found by id.
        payload = SIGNER.unsign(token, "assessor")
    except BadLink:
        return None
    pk = payload[0] if isinstance(payload, list) and len(payload) == 2 else None
    link = (
        AssessorLink.objects.select_related("candidacy__person", "candidacy__scheme")
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    if link is None or payload[1] != _revision(link) or not link.is_live(now):
        return None
    return link


def assessor_link_create(
    *, candidacy: Candidacy, actor, label: str, days: int = 30, confirm: bool = False
) -> AssessorLink:
    """A read-only link for `days` days (1 to 90). The confidentiality check runs first."""
    if actor is None or actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate shares their portfolio.")
    label = (label or "").strip()
    if not label:
        raise ServiceError("Say who the link is for.", field="label")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ServiceError(f"Give a number of days from 1 to {MAX_DAYS}.", field="days") from None
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(f"Give a number of days from 1 to {MAX_DAYS}.", field="days")
    findings = confidentiality_findings(person=candidacy.person, candidacy=candidacy)
    if findings and not confirm:
        raise ConfidentialityCheck(findings)
    now = timezone.now()
    with transaction.atomic():
        link = AssessorLink.objects.create(
            candidacy=candidacy,
            label=label[:120],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit_record(actor=actor, action="assessor_link_created", subject=link, days=days)
    return link


def assessor_link_revoke(*, link: AssessorLink, actor) -> AssessorLink:
    if actor is None or actor.pk != link.candidacy.person_id:
        raise NotAllowed("Only the candidate revokes their links.")
    with transaction.atomic():
        link = AssessorLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="assessor_link_revoked", subject=link)
    return link
