"""Qualifications: schemes, candidacies, the mentor directory, mentor requests and funding
requests. Thin: every write is a qualifications service, every read a selector with the
app's visibility rules (another person's candidacy or request answers 404).

Amounts are in pence. A candidacy's `steps` carry `status` `todo`, `done` or `overdue`
(against the candidacy's target date).
"""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from guildbook.api.schemas import (
    DEFAULT_PAGE,
    PageLimit,
    PageMeta,
    PageOffset,
    errors,
    local_iso,
    named_enum,
    page,
)
from guildbook.core.errors import NotAllowed
from guildbook.qualifications import roles, selectors, services
from guildbook.qualifications.models import Candidacy, FundingRequest, MentorRequest, Scheme

CandidacyStatus = named_enum("CandidacyStatus", Candidacy.Status)
MentorRequestStatus = named_enum("MentorRequestStatus", MentorRequest.Status)
FundingRequestStatus = named_enum("FundingRequestStatus", FundingRequest.Status)

router = Router(tags=["qualifications"])


# --- Schemes --------------------------------------------------------------------------


class CriterionOut(Schema):
    code: str
    title: str


class SectionOut(Schema):
    code: str
    title: str
    required: bool
    word_limit: int | None


class FeesOut(Schema):
    enrolment: int = Field(description="In pence.")
    submission: int = Field(description="In pence.")


class SchemeOut(Schema):
    slug: str = Field(description="Unique per scheme version; what a candidacy names.")
    name: str
    version: str
    mentor: str = Field(description="required, optional or none.")
    criteria: list[CriterionOut]
    sections: list[SectionOut]
    fees: FeesOut

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())

    @staticmethod
    def resolve_sections(obj):
        return list(obj.sections.all())

    @staticmethod
    def resolve_fees(obj):
        return {"enrolment": obj.enrolment_fee, "submission": obj.submission_fee}


class SchemePage(PageMeta):
    items: list[SchemeOut]


@router.get("/schemes", response={200: SchemePage, **errors()}, summary="Schemes")
def list_schemes(
    request,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
):
    """Every scheme version a person may enrol on, one item each."""
    return page(selectors.schemes_open(), limit=limit, offset=offset)


# --- Candidacies ----------------------------------------------------------------------


class StepOut(Schema):
    code: str
    title: str
    status: Literal["todo", "done", "overdue"]
    due: date | None
    done_at: datetime | None

    @staticmethod
    def resolve_done_at(obj):
        return local_iso(obj.done_at)


class CandidacyOut(Schema):
    id: int
    scheme: str = Field(description="The scheme version's slug.")
    status: CandidacyStatus
    started_on: date
    target_date: date
    steps: list[StepOut]

    @staticmethod
    def resolve_scheme(obj):
        return obj.scheme.slug

    @staticmethod
    def resolve_steps(obj):
        return selectors.journey(obj).steps


class CandidacyIn(Schema):
    scheme: str = Field(description="A scheme version's slug, from /schemes.")
    target_date: date | None = None
    membership_number: str = Field("", max_length=40)


def _candidacy_out(pk: int) -> Candidacy:
    return (
        Candidacy.objects.select_related("scheme")
        .prefetch_related("scheme__steps", "done_steps")
        .get(pk=pk)
    )


@router.post(
    "/candidacies",
    response={201: CandidacyOut, **errors(400, 409)},
    summary="Start a candidacy",
)
def start_candidacy(request, payload: CandidacyIn):
    """Start a candidacy on a scheme version for the caller. 422 (field `scheme`) for an
    unknown or closed version; 409 when one on the same version is in progress."""
    scheme = Scheme.objects.filter(slug=payload.scheme).first()
    if scheme is None:
        raise services.Invalid(f"There is no scheme “{payload.scheme}”.", field="scheme")
    candidacy = services.candidacy_start(
        person=request.auth,
        scheme=scheme,
        actor=request.auth,
        target_date=payload.target_date,
        membership_number=payload.membership_number,
    )
    return Status(201, _candidacy_out(candidacy.pk))


@router.get(
    "/candidacies/{int:candidacy_id}",
    response={200: CandidacyOut, **errors(404)},
    summary="A candidacy",
)
def get_candidacy(request, candidacy_id: int):
    """For the candidate; for a mentor once a request has been sent to them; for staff
    development officers while the candidacy has a funding request. 404 for anyone else."""
    selectors.candidacy_for_user(request.auth, pk=candidacy_id)
    return _candidacy_out(candidacy_id)


# --- Mentors --------------------------------------------------------------------------


class MentorOut(Schema):
    id: int = Field(description="What a mentor request names.")
    name: str
    region: str
    sector: str
    specialisms: list[str]
    remote: bool
    places_left: int

    @staticmethod
    def resolve_name(obj):
        return obj.user.display_name


class MentorPage(PageMeta):
    items: list[MentorOut]


@router.get("/mentors", response={200: MentorPage, **errors()}, summary="Mentor directory")
def list_mentors(
    request,
    sector: str = "",
    region: str = "",
    specialism: str = "",
    remote: bool | None = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
):
    """Listed mentors with places left. Filters match whole values, ignoring case."""
    qs = selectors.mentor_directory(
        sector=sector, region=region, specialism=specialism, remote=remote
    )
    return page(qs, limit=limit, offset=offset)


class MentorRequestIn(Schema):
    mentor: int
    message: str = Field("", max_length=5000)


class MentorRequestOut(Schema):
    id: int
    status: MentorRequestStatus
    mentor: int = Field(alias="mentor_id")
    candidacy: int = Field(alias="candidacy_id")
    reason: str


class DeclineIn(Schema):
    reason: str = Field("", max_length=5000)


@router.post(
    "/candidacies/{int:candidacy_id}/mentor-requests",
    response={201: MentorRequestOut, **errors(400, 404, 409)},
    summary="Ask a mentor",
)
def create_mentor_request(request, candidacy_id: int, payload: MentorRequestIn):
    """The candidate asks a mentor from /mentors. 409 `mentor_full` when the mentor has no
    place left; 404 for another person's candidacy or an unknown mentor."""
    candidacy = selectors.candidacy_own(request.auth, pk=candidacy_id)
    mentor = selectors.mentor_listed(pk=payload.mentor)
    created = services.mentor_request_create(
        candidacy=candidacy, mentor=mentor, actor=request.auth, message=payload.message
    )
    return Status(201, created)


@router.post(
    "/mentor-requests/{int:request_id}/accept",
    response={200: MentorRequestOut, **errors(404, 409)},
    summary="Accept a mentor request",
)
def accept_mentor_request(request, request_id: int):
    """The requested mentor only (404 for anyone else). 409 `mentor_full` when no place is
    left, `not_pending` when it was answered already."""
    mentor_request = selectors.request_for_mentor(request.auth, pk=request_id)
    return services.mentor_request_accept(request=mentor_request, actor=request.auth)


@router.post(
    "/mentor-requests/{int:request_id}/decline",
    response={200: MentorRequestOut, **errors(400, 404, 409)},
    summary="Decline a mentor request",
)
def decline_mentor_request(request, request_id: int, payload: DeclineIn | None = None):
    """The requested mentor only (404 for anyone else), with a reason for the candidate."""
    mentor_request = selectors.request_for_mentor(request.auth, pk=request_id)
    return services.mentor_request_decline(
        request=mentor_request, actor=request.auth, reason=payload.reason if payload else ""
    )


# --- Funding --------------------------------------------------------------------------


class FundingIn(Schema):
    candidacy: int
    fee: Literal["enrolment", "submission", "membership"] = Field(
        description="membership is refused (422): membership fees cannot be funded."
    )
    justification: str = Field(max_length=10000)


class FundingOut(Schema):
    id: int
    candidacy: int = Field(alias="candidacy_id")
    fee: FundingRequest.Fee
    amount: int = Field(description="In pence, from the scheme.")
    status: FundingRequestStatus
    comment: str


class CommentIn(Schema):
    comment: str = Field("", max_length=5000)


@router.post(
    "/funding-requests",
    response={201: FundingOut, **errors(400, 404, 409)},
    summary="Ask for a fee to be funded",
)
def create_funding_request(request, payload: FundingIn):
    """The candidate asks Staff Development to fund an enrolment or submission fee; the
    amount is the scheme's and the training record is attached. 422 with field `fee` for a
    membership fee or a fee the scheme does not charge."""
    candidacy = selectors.candidacy_own(request.auth, pk=payload.candidacy)
    funding = services.funding_request_create(
        candidacy=candidacy,
        fee=payload.fee,
        justification=payload.justification,
        actor=request.auth,
    )
    return Status(201, funding)


def _officer_funding(user, funding_id: int) -> FundingRequest:
    if not roles.can_decide_funding(user):
        raise NotAllowed("Only staff development officers decide funding requests.")
    return selectors.funding_for_officer(user, pk=funding_id)


@router.post(
    "/funding-requests/{int:funding_id}/approve",
    response={200: FundingOut, **errors(400, 403, 404, 409)},
    summary="Approve a funding request",
)
def approve_funding_request(request, funding_id: int, payload: CommentIn | None = None):
    """Staff development officers only (403 for anyone else)."""
    funding = _officer_funding(request.auth, funding_id)
    return services.funding_request_approve(
        funding=funding, actor=request.auth, comment=payload.comment if payload else ""
    )


@router.post(
    "/funding-requests/{int:funding_id}/decline",
    response={200: FundingOut, **errors(400, 403, 404, 409)},
    summary="Decline a funding request",
)
def decline_funding_request(request, funding_id: int, payload: CommentIn | None = None):
    """Staff development officers only (403 for anyone else); a comment is required."""
    funding = _officer_funding(request.auth, funding_id)
    return services.funding_request_decline(
        funding=funding, actor=request.auth, comment=payload.comment if payload else ""
    )
