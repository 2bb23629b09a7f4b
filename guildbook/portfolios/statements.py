"""Checking an evaluative statement against its scheme: words against the limit, words per
criterion against optional budgets, and evidence cited or not.

Used by the editor page, the API and the PDF alike, so all three agree. Words are counted
by `text.count_words` (references such as `[E12]` are not words).

Words per criterion: the statement is read as Markdown; a heading whose words name a
criterion (its title or its code) starts that criterion's part, which runs to the next
heading. Text before any such heading counts towards the total only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from guildbook.portfolios.models import Evidence
from guildbook.portfolios.text import count_words, references
from guildbook.qualifications.models import Candidacy, Criterion

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def word_limit(candidacy: Candidacy) -> int | None:
    """The scheme's limit for the statement: its rule, or its statement section's limit."""
    scheme = candidacy.scheme
    limit = (scheme.rules or {}).get("statement_words")
    if limit:
        return int(limit)
    for section in scheme.sections.all():
        if "statement" in section.code and section.word_limit:
            return section.word_limit
    return None


def _criterion_of(heading: str, criteria: list[Criterion]) -> Criterion | None:
    words = heading.strip().lower()
    for c in criteria:
        if c.title.lower() in words or c.code in words.replace(" ", "-"):
            return c
    return None


def words_per_criterion(text: str, criteria: list[Criterion]) -> dict[str, int]:
    parts: dict[str, list[str]] = {c.code: [] for c in criteria}
    current = None
    for line in (text or "").splitlines():
        heading = _HEADING.match(line)
        if heading:
            found = _criterion_of(heading.group(1), criteria)
            current = found.code if found else None
            continue
        if current is not None:
            parts[current].append(line)
    return {code: count_words("\n".join(lines)) for code, lines in parts.items()}


@dataclass
class CriterionPart:
    code: str
    title: str
    words: int
    budget: int | None
    evidence: list[int]

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.words > self.budget


@dataclass
class StatementReport:
    words: int
    limit: int | None
    references: list[int]
    unknown_references: list[int]
    unreferenced_evidence: list[int]
    criteria_without_evidence: list[str]
    criteria: list[CriterionPart] = field(default_factory=list)

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.words > self.limit

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.over_limit:
            over = self.words - self.limit
            out.append(f"{self.words:,} words: {over:,} over the limit of {self.limit:,}.")
        for part in self.criteria:
            if part.over_budget:
                out.append(
                    f"{part.title}: {part.words:,} words, over its budget of {part.budget:,}."
                )
        if self.unknown_references:
            listed = ", ".join(f"E{n}" for n in self.unknown_references)
            out.append(f"Not in your evidence log: {listed}.")
        if self.unreferenced_evidence:
            listed = ", ".join(f"E{n}" for n in self.unreferenced_evidence)
            out.append(
                f"Evidence for this qualification that the statement never refers to: {listed}."
            )
        if self.criteria_without_evidence:
            titles = [p.title for p in self.criteria if p.code in self.criteria_without_evidence]
            out.append(f"Criteria with no evidence yet: {'; '.join(titles)}.")
        return out


def candidacy_evidence(candidacy: Candidacy):
    """The person's evidence for this candidacy: gathered for it, or mapped to its criteria."""
    return (
        Evidence.objects.filter(person_id=candidacy.person_id)
        .filter(Q(candidacy=candidacy) | Q(criteria__scheme_id=candidacy.scheme_id))
        .distinct()
        .prefetch_related("criteria")
        .order_by("number")
    )


def statement_report(
    candidacy: Candidacy, text: str, *, budgets: dict | None = None
) -> StatementReport:
    """Everything the editor, the API and the PDF say about a statement's text."""
    criteria = list(candidacy.scheme.criteria.order_by("order", "id"))
    cited = references(text)
    numbers = set(
        Evidence.objects.filter(person_id=candidacy.person_id, number__in=cited).values_list(
            "number", flat=True
        )
    )
    mapped = list(candidacy_evidence(candidacy))
    by_criterion: dict[str, list[int]] = {c.code: [] for c in criteria}
    for e in mapped:
        for c in e.criteria.all():
            if c.code in by_criterion and c.scheme_id == candidacy.scheme_id:
                by_criterion[c.code].append(e.number)
    per = words_per_criterion(text, criteria)
    budgets = budgets or {}
    return StatementReport(
        words=count_words(text),
        limit=word_limit(candidacy),
        references=cited,
        unknown_references=[n for n in cited if n not in numbers],
        unreferenced_evidence=[e.number for e in mapped if e.number not in set(cited)],
        criteria_without_evidence=[c.code for c in criteria if not by_criterion[c.code]],
        criteria=[
            CriterionPart(
                code=c.code,
                title=c.title,
                words=per.get(c.code, 0),
                budget=budgets.get(c.code) or None,
                evidence=by_criterion[c.code],
            )
            for c in criteria
        ],
    )
