"""Exports of a candidacy's portfolio as a PDF, built in the background by `guildbook worker`.

`POST /candidacies/{id}/exports` (`kind` `pdf`, or `revalidation` for the revalidation
pack) runs the confidentiality check first: when it finds
something and `confirm` is not true, it answers 409 `confidentiality_check` with the
findings. Only the candidate exports; everyone else gets 404.
"""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from guildbook.api.schemas import errors, local_iso, named_enum
from guildbook.core.errors import Conflict
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import PortfolioExport
from guildbook.portfolios.storage import private_file_response

ExportStatus = named_enum("ExportStatus", PortfolioExport.Status)

router = Router(tags=["exports"])


class ExportIn(Schema):
    confirm: bool = Field(False, description="Export even though the check found something.")
    kind: Literal["pdf", "revalidation"] = Field(
        "pdf",
        description="`pdf`: the portfolio; `revalidation`: the revalidation pack (for a "
        "scheme that asks for CPD hours; 400 otherwise).",
    )


class ExportOut(Schema):
    id: int
    kind: str = Field(description="`pdf`, `revalidation` or `zip`.")
    candidacy: int | None
    status: ExportStatus
    progress: int = Field(description="0 to 100.")
    error: str | None = Field(description="Why it failed, when it did.")
    draft: bool = Field(description="The portfolio was incomplete: its cover says draft.")
    pages: int | None
    requested_at: datetime
    download: str | None

    @staticmethod
    def resolve_candidacy(obj):
        return obj.candidacy_id

    @staticmethod
    def resolve_error(obj):
        return obj.error or None

    @staticmethod
    def resolve_draft(obj):
        return obj.is_draft

    @staticmethod
    def resolve_requested_at(obj):
        return local_iso(obj.requested_at)

    @staticmethod
    def resolve_download(obj):
        if obj.status != PortfolioExport.Status.DONE:
            return None
        return f"/api/v1/exports/{obj.pk}/download"


@router.post(
    "/candidacies/{int:candidacy_id}/exports",
    response={202: ExportOut, **errors(400, 403, 404, 409)},
    summary="Export the portfolio as a PDF",
)
def export_create(request, candidacy_id: int, payload: ExportIn | None = None):
    """Queue a PDF of the candidacy's portfolio. An incomplete portfolio is exported too,
    its cover saying draft. Poll `GET /exports/{id}` for progress."""
    candidacy, is_candidate = selectors.portfolio_for_user(request.auth, pk=candidacy_id)
    if not is_candidate:
        raise Http404
    export = services.export_request(
        person=request.auth,
        candidacy=candidacy,
        actor=request.auth,
        confirm=bool(payload and payload.confirm),
        kind=payload.kind if payload else "pdf",
    )
    return Status(202, export)


@router.get(
    "/exports/{int:export_id}", response={200: ExportOut, **errors(404)}, summary="An export"
)
def export_status(request, export_id: int):
    return selectors.export_for_user(request.auth, pk=export_id)


@router.get(
    "/exports/{int:export_id}/download",
    response={200: None, **errors(404, 409)},
    summary="Download a finished export",
)
def export_download(request, export_id: int):
    export = selectors.export_for_user(request.auth, pk=export_id)
    if export.status != PortfolioExport.Status.DONE:
        raise Conflict(
            f"The export is {export.get_status_display().lower()}; download it when it is ready.",
            code="not_ready",
        )
    return private_file_response(
        export.file, filename=export.download_name, content_type=export.content_type
    )
