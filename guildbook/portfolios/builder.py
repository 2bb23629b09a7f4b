"""The portfolio builder: what each section of a candidacy's portfolio holds, and whether the
portfolio is complete.

Sections come from the candidacy's scheme version, in its order. A generated section is
filled from Guildbook's own data, chosen by the section's code:

| code contains    | filled with                                                        |
|------------------|--------------------------------------------------------------------|
| contents         | the contents page (numbers are the PDF's own page numbers)         |
| statement        | the latest draft of the evaluative (or reflective) statement       |
| evidence         | the criteria-by-evidence matrix, then every piece of evidence      |
| skills…start/end | the first / the latest skills audit                                |
| ppdp, plan       | the development plan's goals                                       |
| cpd              | CPD over the rolling 12 months and the training record             |
| mentor           | mentor meetings and agreed actions                                 |

An uploaded section holds files from the evidence log placed in it (a CV, structure charts,
supporting letters).

A **revalidation pack** (`revalidation_pack_load`) is the same Portfolio with its own
sections instead of the scheme's: the CPD log of the rolling 12 months (each entry's hours,
the total against the scheme's `rules.cpd_hours`), the reflective statement, the evidence it
cites, and the training record of those 12 months. It is offered for schemes that ask for
CPD hours (Revalidation) and made by the same PDF machinery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from guildbook.portfolios import selectors
from guildbook.portfolios.models import Evidence, SectionFile, SkillsAudit, StatementDraft
from guildbook.portfolios.statements import StatementReport, candidacy_evidence, statement_report
from guildbook.portfolios.text import references
from guildbook.qualifications.models import Candidacy, Goal, Meeting, Section


def section_kind(section: Section) -> str:
    code = section.code
    if section.source == Section.Source.UPLOADED:
        return "uploaded"
    if "contents" in code:
        return "contents"
    if "statement" in code:
        return "statement"
    if code == "evidence" or code.startswith("evidence"):
        return "evidence"
    if "skills" in code:
        return "skills_end" if code.endswith("end") else "skills_start"
    if "ppdp" in code or "plan" in code:
        return "plan"
    if "cpd" in code:
        return "cpd"
    if "mentor" in code:
        return "mentor"
    return "other"


@dataclass
class SectionState:
    section: Section
    kind: str
    present: bool
    problems: list[str] = field(default_factory=list)
    files: list[Evidence] = field(default_factory=list)
    placements: list[SectionFile] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"section-{self.section.code}"


@dataclass
class Portfolio:
    """Everything a portfolio shows, loaded in a fixed number of queries."""

    candidacy: Candidacy
    sections: list[SectionState]
    evidence: list[Evidence]
    statement: StatementDraft | None
    report: StatementReport
    audits: list[SkillsAudit]
    goals: list[Goal]
    meetings: list[Meeting]
    cpd_hours: Decimal
    cpd_since: dt.date
    cpd_required: int | None
    matrix: list[tuple]  # (criterion, [evidence numbers])
    # Every entry with hours in the rolling 12 months, oldest first (the pack's CPD log).
    cpd_entries: list[Evidence] = field(default_factory=list)
    is_pack: bool = False

    @property
    def title(self) -> str:
        return "Revalidation pack" if self.is_pack else f"{self.candidacy.scheme.name} portfolio"

    @property
    def missing(self) -> list[SectionState]:
        return [s for s in self.sections if s.section.required and not s.present]

    @property
    def problems(self) -> list[str]:
        out = [f"{s.section.title}: missing." for s in self.missing]
        for s in self.sections:
            out += [f"{s.section.title}: {p}" for p in s.problems]
        out += self.report.warnings
        if self.cpd_required is not None and self.cpd_hours < self.cpd_required:
            out.append(
                f"CPD: {self.cpd_hours:g} hours in the last 12 months, {self.cpd_required} needed."
            )
        return out

    @property
    def is_complete(self) -> bool:
        return not self.problems


def _audit_for(kind: str, audits: list[SkillsAudit]) -> SkillsAudit | None:
    if not audits:
        return None
    if kind == "skills_start":
        return audits[0]
    return audits[-1] if len(audits) > 1 else None


def portfolio_load(candidacy: Candidacy, *, today: dt.date | None = None) -> Portfolio:
    """Load the candidacy's portfolio and check every section (the completeness check)."""
    today = today or timezone.localdate()
    person = candidacy.person
    sections = list(candidacy.scheme.sections.order_by("order", "id"))
    evidence = list(
        candidacy_evidence(candidacy).prefetch_related("skills_areas").order_by("number")
    )
    placed: dict[int, list[SectionFile]] = {}
    for sf in SectionFile.objects.filter(candidacy=candidacy).select_related("evidence"):
        placed.setdefault(sf.section_id, []).append(sf)
    statement = StatementDraft.objects.filter(candidacy=candidacy).order_by("-version").first()
    report = statement_report(
        candidacy,
        statement.text if statement else "",
        budgets=statement.budgets if statement else {},
    )
    audits = list(
        SkillsAudit.objects.filter(person=person, taken_on__gte=candidacy.started_on)
        .select_related("framework")
        .prefetch_related("ratings__area")
        .order_by("taken_on", "id")
    ) or list(
        SkillsAudit.objects.filter(person=person)
        .select_related("framework")
        .prefetch_related("ratings__area")
        .order_by("taken_on", "id")
    )
    goals = list(
        Goal.objects.filter(plan__candidacy=candidacy)
        .prefetch_related("criteria", "activities__course")
        .order_by("target_date", "id")
    )
    meetings = list(
        Meeting.objects.filter(candidacy=candidacy)
        .prefetch_related(Prefetch("actions"))
        .order_by("held_on", "id")
    )
    since = today - dt.timedelta(days=365)
    cpd_required = cpd_hours_required(candidacy)
    states = []
    for section in sections:
        kind = section_kind(section)
        state = SectionState(section=section, kind=kind, present=True)
        if kind == "uploaded":
            state.placements = placed.get(section.pk, [])
            state.files = [sf.evidence for sf in state.placements]
            state.present = bool(state.files)
        elif kind == "statement":
            state.present = bool(statement and statement.text.strip())
            limit = section.word_limit or report.limit
            if state.present and limit and report.words > limit:
                state.problems.append(f"{report.words:,} words, over the limit of {limit:,}.")
        elif kind == "evidence":
            state.present = bool(evidence)
        elif kind in ("skills_start", "skills_end"):
            state.present = _audit_for(kind, audits) is not None
        elif kind == "plan":
            state.present = bool(goals)
        elif kind == "mentor":
            state.present = bool(meetings)
        elif kind == "cpd":
            state.present = any(e.hours for e in evidence) or bool(
                selectors.cpd_hours(person, since=since)
            )
        states.append(state)
    criteria = list(candidacy.scheme.criteria.order_by("order", "id"))
    matrix = [
        (c, [e.number for e in evidence if any(x.pk == c.pk for x in e.criteria.all())])
        for c in criteria
    ]
    return Portfolio(
        candidacy=candidacy,
        sections=states,
        evidence=evidence,
        statement=statement,
        report=report,
        audits=audits,
        goals=goals,
        meetings=meetings,
        cpd_hours=selectors.cpd_hours(person, since=since, until=today),
        cpd_since=since,
        cpd_required=cpd_required,
        matrix=matrix,
    )


def audit_for_section(portfolio: Portfolio, kind: str) -> SkillsAudit | None:
    return _audit_for(kind, portfolio.audits)


def cpd_hours_required(candidacy: Candidacy) -> int | None:
    """The hours of CPD in 12 months the candidacy's scheme asks for (Revalidation: 20), or
    None when it asks for none (and so offers no revalidation pack)."""
    rules = candidacy.scheme.rules or {}
    return int(rules["cpd_hours"]) if rules.get("cpd_hours") else None


def _pack_section(code: str, title: str, *, required: bool = True, **extra) -> Section:
    # Not saved: the pack's sections are Guildbook's, not the scheme's.
    return Section(code=code, title=title, required=required, **extra)


def revalidation_pack_load(candidacy: Candidacy, *, today: dt.date | None = None) -> Portfolio:
    """The revalidation pack: the portfolio's data with the pack's own sections (CPD log,
    reflective statement, the evidence it cites, the training record of the 12 months)."""
    portfolio = portfolio_load(candidacy, today=today)
    today = today or timezone.localdate()
    person = candidacy.person
    scheme_statement = next((s.section for s in portfolio.sections if s.kind == "statement"), None)
    cited = sorted(references(portfolio.statement.text)) if portfolio.statement else []
    portfolio.evidence = list(
        Evidence.objects.filter(person=person, number__in=cited)
        .prefetch_related("criteria", "skills_areas")
        .order_by("number")
    )
    portfolio.cpd_entries = list(
        selectors.cpd_entries(person, since=portfolio.cpd_since, until=today)
    )
    portfolio.is_pack = True
    statement = SectionState(
        section=_pack_section(
            "statement",
            scheme_statement.title if scheme_statement else "Reflective statement",
            word_limit=scheme_statement.word_limit if scheme_statement else None,
        ),
        kind="statement",
        present=bool(portfolio.statement and portfolio.statement.text.strip()),
    )
    limit = statement.section.word_limit or portfolio.report.limit
    if statement.present and limit and portfolio.report.words > limit:
        statement.problems.append(f"{portfolio.report.words:,} words, over the limit of {limit:,}.")
    portfolio.sections = [
        SectionState(
            section=_pack_section("cpd-log", "CPD log: the last 12 months"),
            kind="cpd_log",
            present=bool(portfolio.cpd_entries),
        ),
        statement,
        SectionState(
            section=_pack_section("evidence-cited", "Evidence cited", required=False),
            kind="cited",
            present=bool(portfolio.evidence),
        ),
        SectionState(
            section=_pack_section(
                "training-record", "Training record: the last 12 months", required=False
            ),
            kind="training",
            present=True,
        ),
    ]
    return portfolio
