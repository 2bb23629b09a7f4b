"""Exports: asking for one (after the confidentiality check), and building it in the
background (a PDF of a candidacy's portfolio or its revalidation pack, or a ZIP of
everything the person has)."""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.portfolios.builder import cpd_hours_required, portfolio_load, revalidation_pack_load
from guildbook.portfolios.confidentiality import check_portfolio
from guildbook.portfolios.models import Evidence, PortfolioExport, StatementDraft
from guildbook.qualifications.models import Candidacy

log = logging.getLogger("guildbook.portfolios")


class ConfidentialityCheck(Conflict):
    """Something that looks like personal data was found; the candidate must confirm."""

    code = "confidentiality_check"

    def __init__(self, findings):
        count = len(findings)
        super().__init__(
            f"The confidentiality check found {count} thing{'s' if count != 1 else ''} that "
            "may be personal data about someone else. Edit them, or confirm they are fine "
            "to export."
        )
        self.findings = [f.as_dict() for f in findings]

    def as_dict(self) -> dict:
        return {**super().as_dict(), "findings": self.findings}


def confidentiality_findings(*, person, candidacy: Candidacy | None):
    """What the check finds in what this export or share would send out."""
    if candidacy is not None:
        from guildbook.portfolios.statements import candidacy_evidence

        evidence = list(candidacy_evidence(candidacy))
        latest = StatementDraft.objects.filter(candidacy=candidacy).order_by("-version").first()
        text = latest.text if latest else ""
    else:
        evidence, text = list(Evidence.objects.filter(person=person).order_by("number")), ""
    return check_portfolio(person, evidence, text)


def export_request(
    *, person, candidacy: Candidacy | None, actor, confirm: bool = False, kind: str = "pdf"
) -> PortfolioExport:
    """Ask for an export, built in the background once this commits. Runs the
    confidentiality check first: with findings and no `confirm`, refuses with them."""
    if actor is None or actor.pk != person.pk:
        raise NotAllowed("Only the person exports their own portfolio.")
    if candidacy is not None and candidacy.person_id != person.pk:
        raise NotAllowed("That candidacy is someone else's.")
    if kind not in PortfolioExport.Kind.values:
        kind = PortfolioExport.Kind.PDF
    if kind in (PortfolioExport.Kind.PDF, PortfolioExport.Kind.REVALIDATION) and candidacy is None:
        raise NotAllowed("A portfolio PDF is made for one candidacy.")
    if kind == PortfolioExport.Kind.REVALIDATION and cpd_hours_required(candidacy) is None:
        raise ServiceError(
            f"{candidacy.scheme.name} asks for no CPD hours, so it has no revalidation pack: "
            "make the portfolio PDF instead.",
            field="kind",
        )
    findings = confidentiality_findings(person=person, candidacy=candidacy)
    if findings and not confirm:
        raise ConfidentialityCheck(findings)
    with transaction.atomic():
        export = PortfolioExport.objects.create(
            person=person,
            candidacy=candidacy,
            kind=kind,
            findings=[f.as_dict() for f in findings],
        )
        audit_record(
            actor=actor, action="export_requested", subject=export, kind=kind, confirmed=confirm
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from guildbook.portfolios.tasks import build_export

    build_export.enqueue(export_id)


def _progress(export_id: int, value: int) -> None:
    PortfolioExport.objects.filter(pk=export_id).update(progress=value)


def export_build(*, export_id: int) -> PortfolioExport | None:
    """Build one export (the worker calls this). A failure is recorded on the export with
    the reason, for the page and the API to show; it never leaves the export running."""
    with transaction.atomic():
        export = (
            PortfolioExport.objects.select_for_update()
            .filter(pk=export_id, status=PortfolioExport.Status.QUEUED)
            .first()
        )
        if export is None:
            return None  # already built, or taken by another worker
        export.status = PortfolioExport.Status.RUNNING
        export.progress = 5
        export.save(update_fields=["status", "progress"])
    try:
        if export.kind in (PortfolioExport.Kind.PDF, PortfolioExport.Kind.REVALIDATION):
            candidacy = Candidacy.objects.select_related("person", "scheme").get(
                pk=export.candidacy_id
            )
            if export.kind == PortfolioExport.Kind.REVALIDATION:
                portfolio = revalidation_pack_load(candidacy)
            else:
                portfolio = portfolio_load(candidacy)
            from guildbook.portfolios.pdf import portfolio_pdf

            content, pages = portfolio_pdf(portfolio, progress=lambda p: _progress(export.pk, p))
            export.is_draft = not portfolio.is_complete
            export.pages = pages
            extension = "pdf"
        else:
            from guildbook.portfolios.archive import everything_zip

            content = everything_zip(export.person, progress=lambda p: _progress(export.pk, p))
            export.is_draft = False
            extension = "zip"
        name = f"exports/{export.person_id}/{secrets.token_hex(16)}.{extension}"
        export.file.save(name, ContentFile(content), save=False)
    except Exception as exc:
        log.exception("Export %s failed", export.pk)
        PortfolioExport.objects.filter(pk=export.pk).update(
            status=PortfolioExport.Status.FAILED,
            error=_reason(exc),
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    export.status = PortfolioExport.Status.DONE
    export.progress = 100
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "progress", "finished_at", "file", "is_draft", "pages"])
    return export


def _reason(exc: Exception) -> str:
    from pypdf.errors import PdfReadError

    if isinstance(exc, PdfReadError):
        return (
            "One of your uploaded PDFs could not be read, so it could not be merged. Open it, "
            f"save it again as PDF and upload it again. ({exc})"
        )
    if isinstance(exc, FileNotFoundError):
        return "A file of your evidence is missing from storage. Upload it again."
    return f"The export could not be built: {exc.__class__.__name__}: {exc}"[:500]
