"""The evidence log: add an entry (JSON, or multipart with a file), list your own, delete one.

Evidence is its owner's alone: another person's entry answers 404. A refused upload answers
422 with a `code` (`file_type`, `file_size`, `file_empty`, `file_name`) and stores nothing.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema, Status
from pydantic import ValidationError as PydanticError

from guildbook.api.schemas import errors
from guildbook.core.errors import ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import Evidence
from guildbook.qualifications.models import Candidacy

router = Router(tags=["evidence"])


class Invalid(ServiceError):
    status = 422


# A Literal, not the model's choices enum, so the schema documented for both body types has
# no definitions of its own to refer to.
KindIn = Literal["reflection", "file", "link", "feedback", "meeting", "session"]
assert set(KindIn.__args__) == set(Evidence.Kind.values)


class EvidenceIn(Schema):
    kind: KindIn
    title: str = Field(max_length=200)
    date: dt.date = Field(description="YYYY-MM-DD")
    text: str = Field("", description="Markdown.")
    url: str = ""
    criteria: list[str] = Field(
        default_factory=list, description="Criterion codes of the candidacy's scheme."
    )
    candidacy: int | None = None
    hours: Decimal | None = Field(None, ge=0, le=1000, decimal_places=2)
    tags: str = Field("", max_length=300)


class EvidenceFileOut(Schema):
    name: str
    type: str
    size: int


class EvidenceOut(Schema):
    id: int
    number: int = Field(description="n of En within your own log.")
    label: str = Field(description="En, as it is referred to in a statement.")
    kind: Evidence.Kind
    title: str
    date: dt.date
    text: str
    url: str
    tags: str
    hours: Decimal | None
    candidacy: int | None
    criteria: list[str]
    draft: bool
    file: EvidenceFileOut | None

    @staticmethod
    def resolve_candidacy(obj):
        return obj.candidacy_id

    @staticmethod
    def resolve_criteria(obj):
        return [c.code for c in obj.criteria.all()]

    @staticmethod
    def resolve_draft(obj):
        return obj.is_draft

    @staticmethod
    def resolve_file(obj):
        if not obj.file:
            return None
        return {"name": obj.file_name, "type": obj.file_type, "size": obj.file_size or 0}


_BODY_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": EvidenceIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **EvidenceIn.model_json_schema()["properties"],
                        "criteria": {"type": "string", "description": "Codes, comma-separated."},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["kind", "title", "date"],
                }
            },
        },
        "required": True,
    }
}


def _read_body(request) -> tuple[dict, object]:
    """The fields and the file (or None), from a JSON body or a multipart form."""
    if request.content_type == "multipart/form-data":
        data = {k: v for k, v in request.POST.items()}
        if "criteria" in data:
            data["criteria"] = [c for c in data["criteria"].replace(";", ",").split(",") if c]
        for name in ("candidacy", "hours"):
            if data.get(name) == "":
                data.pop(name)
        return data, request.FILES.get("file")
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        raise ServiceError("The request body is not valid JSON.", code="malformed_json") from None
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object as the request body.")
    return data, None


def _validated(data: dict) -> EvidenceIn:
    try:
        return EvidenceIn.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        raise Invalid(f"{field}: {first.get('msg', 'invalid')}", field=field) from None


def _own_candidacy(user, pk: int | None) -> Candidacy | None:
    if pk is None:
        return None
    candidacy = Candidacy.objects.select_related("scheme").filter(pk=pk, person=user).first()
    if candidacy is None:
        raise Invalid("You have no candidacy with that id.", field="candidacy")
    return candidacy


@router.post(
    "/evidence",
    response={201: EvidenceOut, **errors(400)},
    summary="Add evidence",
    openapi_extra=_BODY_DOC,
)
def evidence_add(request):
    """Add an entry to your own evidence log, as JSON or as multipart with the same fields
    plus `file`. Answers the entry with its `number`."""
    user = request.auth
    data, upload = _read_body(request)
    payload = _validated(data)
    try:
        evidence = services.evidence_create(
            person=user,
            kind=payload.kind,
            title=payload.title,
            date=payload.date,
            text=payload.text,
            url=payload.url,
            tags=payload.tags,
            hours=payload.hours,
            candidacy=_own_candidacy(user, payload.candidacy),
            criteria=payload.criteria,
            upload=upload,
            actor=user,
        )
    except ServiceError as exc:
        if exc.status == 400:
            exc.status = 422
        raise
    return Status(201, selectors.evidence_of(user).prefetch_related("criteria").get(pk=evidence.pk))


@router.get("/evidence", response={200: list[EvidenceOut], **errors()}, summary="My evidence")
def evidence_list(request):
    """Your own evidence log, newest first."""
    return list(selectors.evidence_of(request.auth).prefetch_related("criteria"))


@router.delete(
    "/evidence/{int:evidence_id}", response={204: None, **errors(404)}, summary="Delete evidence"
)
def evidence_delete(request, evidence_id: int):
    """Delete one of your entries (and its file). Its number is not given out again."""
    evidence = selectors.evidence_for_user(request.auth, pk=evidence_id)
    services.evidence_delete(evidence=evidence, actor=request.auth)
    return Status(204, None)
