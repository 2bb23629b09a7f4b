"""The evaluative statement of a candidacy: save a draft and hear what the checks say.

Only the candidate saves; anyone else (and a mentor, who reads it on the page) answers 404.
`words` is counted by the same function as the editor and the PDF: references such as
`[E12]` are not words.
"""

from django.http import Http404
from ninja import Field, Router, Schema

from guildbook.api.schemas import errors
from guildbook.portfolios import selectors, services
from guildbook.portfolios.statements import statement_report

router = Router(tags=["statements"])


class StatementIn(Schema):
    text: str = Field(description="Markdown; refer to evidence as [E12].")
    budgets: dict[str, int] | None = Field(
        None, description="Optional words per criterion code; kept from the last draft if left out."
    )


class CriterionWordsOut(Schema):
    code: str
    title: str
    words: int
    budget: int | None
    evidence: list[int]


class StatementOut(Schema):
    id: int
    version: int
    text: str
    words: int
    limit: int | None
    over_limit: bool
    references: list[int]
    unknown_references: list[int]
    unreferenced_evidence: list[int] = Field(description="Evidence numbers never referred to.")
    criteria_without_evidence: list[str] = Field(description="Criterion codes.")
    criteria: list[CriterionWordsOut]
    warnings: list[str]


@router.put(
    "/candidacies/{int:candidacy_id}/statement",
    response={200: StatementOut, **errors(400, 404)},
    summary="Save the evaluative statement",
)
def statement_put(request, candidacy_id: int, payload: StatementIn):
    """Save the statement as a new draft (the same text again changes nothing) and answer
    the draft with its word count against the scheme's limit and the evidence checks."""
    candidacy, is_candidate = selectors.portfolio_for_user(request.auth, pk=candidacy_id)
    if not is_candidate:
        raise Http404
    draft = services.statement_save(
        candidacy=candidacy, text=payload.text, actor=request.auth, budgets=payload.budgets
    )
    report = statement_report(candidacy, draft.text, budgets=draft.budgets)
    return {
        "id": draft.pk,
        "version": draft.version,
        "text": draft.text,
        "words": report.words,
        "limit": report.limit,
        "over_limit": report.over_limit,
        "references": report.references,
        "unknown_references": report.unknown_references,
        "unreferenced_evidence": report.unreferenced_evidence,
        "criteria_without_evidence": report.criteria_without_evidence,
        "criteria": [p.__dict__ for p in report.criteria],
        "warnings": report.warnings,
    }
