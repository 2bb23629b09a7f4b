"""Read-only links for an assessor without an account: made, checked and revoked.

A link's URL carries its row's id signed under a salt of its own (Django's signing, as
Guildbook's other e-mailed links are), so it cannot be guessed or turned into another of
Guildbook's signed values. It works until it expires or is revoked; both are checked on
every use, so either makes it a 404 at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios.models import AssessorLink
from guildbook.portfolios.services.exports import ConfidentialityCheck, confidentiality_findings
from guildbook.qualifications.models import Candidacy

SALT = "guildbook.portfolios.assessor-link"
MAX_DAYS = 90
# A backstop beyond any link's own expiry.
MAX_AGE = timedelta(days=MAX_DAYS + 1)


def assessor_link_token(link: AssessorLink) -> str:
    return signing.dumps(link.pk, salt=SALT)


def assessor_link_from_token(token: str, *, now=None) -> AssessorLink | None:
    """The live link a token names, or None (changed, expired, revoked, or never made)."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    link = (
        AssessorLink.objects.select_related("candidacy__person", "candidacy__scheme")
        .filter(pk=pk)
        .first()
    )
    if link is None or not link.is_live(now):
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
