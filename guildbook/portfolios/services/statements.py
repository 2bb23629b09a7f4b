"""Writing the evaluative statement: saving a draft (history kept) and the mentor's comment."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios.models import MentorShare, StatementComment, StatementDraft
from guildbook.portfolios.text import count_words
from guildbook.qualifications.models import Candidacy, MentorRequest

MAX_CHARACTERS = 100_000


def _clean_budgets(candidacy: Candidacy, budgets) -> dict:
    if not budgets:
        return {}
    codes = set(candidacy.scheme.criteria.values_list("code", flat=True))
    out = {}
    for code, words in dict(budgets).items():
        if code not in codes:
            raise ServiceError(f"{candidacy.scheme.name} has no criterion {code}.", field="budgets")
        if words in (None, "", 0):
            continue
        try:
            words = int(words)
        except (TypeError, ValueError):
            raise ServiceError("A budget is a number of words.", field="budgets") from None
        if words < 0:
            raise ServiceError("A budget is a number of words.", field="budgets")
        out[code] = words
    return out


def statement_save(
    *, candidacy: Candidacy, text: str, actor, budgets: dict | None = None
) -> StatementDraft:
    """Save the candidate's statement. Changed text (or budgets) becomes a new draft with the
    next version number; the same text again answers the latest draft unchanged."""
    if actor is None or actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate writes their statement.")
    text = text or ""
    if len(text) > MAX_CHARACTERS:
        raise ServiceError("The statement is too long to save.", field="text")
    if not candidacy.is_open:
        raise ServiceError(
            "This candidacy is closed: its statement can be read but not changed.",
            field="text",
            code="candidacy_closed",
        )
    with transaction.atomic():
        # Lock the candidacy so two saves at once take different version numbers.
        Candidacy.objects.select_for_update().filter(pk=candidacy.pk).first()
        latest = StatementDraft.objects.filter(candidacy=candidacy).order_by("-version").first()
        cleaned = (
            _clean_budgets(candidacy, budgets)
            if budgets is not None
            else (latest.budgets if latest else {})
        )
        if latest is not None and latest.text == text and latest.budgets == cleaned:
            return latest
        version = (
            StatementDraft.objects.filter(candidacy=candidacy).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        draft = StatementDraft.objects.create(
            candidacy=candidacy,
            version=version,
            text=text,
            words=count_words(text),
            budgets=cleaned,
            author=actor,
        )
        audit_record(actor=actor, action="statement_saved", subject=draft, words=draft.words)
    return draft


def statement_comment(*, draft: StatementDraft, actor, text: str) -> StatementComment:
    """The candidate's current mentor comments on a draft the candidate shared."""
    text = (text or "").strip()
    if not text:
        raise ServiceError("Write a comment.", field="text")
    if (
        not MentorRequest.objects.filter(
            candidacy_id=draft.candidacy_id,
            mentor__user=actor,
            status=MentorRequest.Status.ACCEPTED,
        ).exists()
        or not MentorShare.objects.filter(
            candidacy_id=draft.candidacy_id, shared_at__isnull=False
        ).exists()
    ):
        raise NotAllowed("Only the candidate's mentor comments, once it is shared with them.")
    with transaction.atomic():
        comment = StatementComment.objects.create(draft=draft, author=actor, text=text)
        audit_record(actor=actor, action="statement_commented", subject=draft)
    return comment


def mentor_share_set(
    *, candidacy: Candidacy, actor, shared: bool, confirm: bool = False
) -> MentorShare:
    """Share the candidacy's portfolio with the mentor (read and comment), or stop. Sharing
    runs the confidentiality check first, as an export does."""
    if actor is None or actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate shares their portfolio.")
    if shared and not confirm:
        from guildbook.portfolios.services.exports import (
            ConfidentialityCheck,
            confidentiality_findings,
        )

        findings = confidentiality_findings(person=candidacy.person, candidacy=candidacy)
        if findings:
            raise ConfidentialityCheck(findings)
    with transaction.atomic():
        share, _ = MentorShare.objects.select_for_update().get_or_create(candidacy=candidacy)
        if shared and share.shared_at is None:
            share.shared_at = timezone.now()
        elif not shared:
            share.shared_at = None
        share.save()
        audit_record(actor=actor, action="portfolio_shared", subject=candidacy, shared=shared)
    return share
