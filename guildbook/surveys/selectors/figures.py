"""The figures a results page draws: rates, a session's figures, each question's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from guildbook.surveys import anonymity
from guildbook.surveys.models import Question, SurveyMoment
from guildbook.training.models import Course, Session

# --- Figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`count` of `total`, shown as a percentage with the counts beside it."""

    count: int
    total: int

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return round(100 * self.count / self.total)

    @property
    def fraction(self) -> float | None:
        return self.count / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return _("no answers yet")
        return _("%(percent)s%% (%(count)s of %(total)s)") % {
            "percent": self.percent,
            "count": self.count,
            "total": self.total,
        }


@dataclass
class SessionFigures:
    """One session's line in the trend: invitations, responses and the impact rate."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    invitations: int = 0
    responses: int = 0
    impact: Rate = field(default_factory=lambda: Rate(0, 0))
    # Anonymous moment: a session's impact rate is never shown (it is not a released cell).
    withheld: bool = False

    @property
    def response_rate(self) -> Rate:
        return Rate(self.responses, self.invitations)


@dataclass
class ChoiceResult:
    label: str
    count: int
    share: Rate
    counts_as_impact: bool = False


@dataclass
class ScaleResult:
    distribution: list[tuple[int, int, Rate]]  # (value, count, share of answers)
    answers: int
    mean: float | None
    low_label: str = ""
    high_label: str = ""


@dataclass
class TextAnswer:
    text: str
    # None for anonymous answers: with the session beside it, an answer from a session
    # where one or two people answered would be theirs.
    session_starts_at: datetime | None
    # Named responses only; None for anonymous ones.
    name: str | None = None


@dataclass
class QuestionResult:
    """One question, merged across the template versions that asked it."""

    key: tuple
    text: str
    kind: str
    help_text: str
    is_impact: bool
    versions: list[int]
    all_versions: bool
    condition: str
    respondents: int
    # Conditional questions: how many responses met the condition (were shown it).
    shown: int | None
    choices: list[ChoiceResult] = field(default_factory=list)
    scale: ScaleResult | None = None
    texts: list[TextAnswer] = field(default_factory=list)
    # The Question rows merged here, newest version first (exports read answers by them).
    asked: list = field(default_factory=list, repr=False)

    @property
    def is_choice(self) -> bool:
        return self.kind in Question.CHOICE_KINDS

    @property
    def is_scale(self) -> bool:
        return self.kind == Question.Kind.SCALE

    @property
    def is_text(self) -> bool:
        return self.kind in Question.TEXT_KINDS

    @property
    def skipped(self) -> int | None:
        return None if self.shown is None else max(self.shown - self.respondents, 0)

    @property
    def versions_text(self) -> str:
        return _versions_text(self.versions)


@dataclass
class Results:
    """A moment's results over a scope (a session, a course, a period)."""

    moment: SurveyMoment
    course: Course | None
    session: Session | None
    date_from: date | None
    date_to: date | None
    invitations: int
    responses: int
    # Response rows stored here (an outside survey records only that it was answered).
    stored_responses: int
    impact: Rate
    sessions: list[SessionFigures]
    questions: list[QuestionResult]
    # (template version, number of responses to it), newest first.
    versions: list[tuple[int, int]]
    # Anonymous moment with responses but no released cell: counts only, no answers.
    withheld: bool
    # Anonymous moments: the quarters in scope and which of them are shown.
    release: anonymity.Release | None = None

    @property
    def response_rate(self) -> Rate:
        return Rate(self.responses, self.invitations)

    @property
    def anonymous(self) -> bool:
        return self.moment.anonymous

    @property
    def several_versions(self) -> bool:
        return len(self.versions) > 1


def _versions_text(versions: list[int]) -> str:
    if len(versions) == 1:
        return _("version %(v)s") % {"v": versions[0]}
    listed = ", ".join(str(v) for v in versions[:-1])
    return _("versions %(listed)s and %(last)s") % {"listed": listed, "last": versions[-1]}
