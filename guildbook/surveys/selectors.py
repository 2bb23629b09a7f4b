"""Reads of follow-up survey results, for trainers, and of a person's own answers.

Results are figures for one survey moment (e.g. a course's follow-up at 30 days) over a
scope: one session, one course, or every course, optionally within a period of session
dates. The words, as the surveys plan defines them:

- invitations: scheduled (not withdrawn) invitations that are due, i.e. sent;
- responses: those invitations that were answered (in Guildbook or an outside survey);
- response rate: responses / invitations;
- impact rate: of the people who answered the impact question, the share whose answer
  counts as impact ("Yes, regularly", "Yes, a little").

Every figure is counted in the database (GROUP BY with Count), so a results page asks the
same number of queries whether a session had five answers or five thousand; only the
free-text answers leave the database one by one, because they are listed.

Answers to different versions of a template are grouped by question: questions of one
template family with the same wording and kind are the same question, whatever their
position; the result says which versions asked it.

Anonymous moments: answers are shown only for whole calendar quarters that hold at least
k responses, and any dates asked for are widened to whole quarters (`anonymity.py` says
why: no two results can then be subtracted to isolate fewer than k people).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.core import roles
from guildbook.surveys import anonymity
from guildbook.surveys.models import Answer, Invitation, Question, Response, SurveyMoment
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


# --- Scope --------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, timezone.get_current_timezone())


def session_scope(
    prefix: str,
    *,
    course: Course | None,
    session: Session | None,
    date_from: date | None,
    date_to: date | None,
) -> Q:
    """Sessions in scope, as a filter on `<prefix>session`."""
    q = Q()
    if session is not None:
        q &= Q(**{f"{prefix}session": session})
    elif course is not None:
        q &= Q(**{f"{prefix}session__course": course})
    if date_from:
        q &= Q(**{f"{prefix}session__starts_at__gte": _start_of(date_from)})
    if date_to:
        q &= Q(**{f"{prefix}session__starts_at__lte": _end_of(date_to)})
    return q


def due_invitations(*, now: datetime | None = None) -> QuerySet[Invitation]:
    """Invitations that count in results: scheduled (not withdrawn) and due by `now`."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.SCHEDULED, due_at__lte=now)


# --- Loading what a trainer asks for ------------------------------------------------------


def _require_trainer(user) -> None:
    if not roles.is_trainer(user):
        raise Http404("Not found")


def course_for_results(user, *, slug: str) -> Course:
    """A course whose results a trainer may see (any course, archived included); else 404."""
    _require_trainer(user)
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise Http404("No such course")
    return course


def session_for_results(user, *, pk: int) -> Session:
    _require_trainer(user)
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def moments_of_course(course: Course) -> list[SurveyMoment]:
    """The course's survey moments, the latest after the session first (the follow-up)."""
    return list(
        SurveyMoment.objects.filter(course=course)
        .select_related("template")
        .order_by("-days_after", "id")
    )


def pick_moment(moments: list[SurveyMoment], wanted: str | int | None) -> SurveyMoment | None:
    """The moment asked for by id, else the first (the latest after the session)."""
    if wanted not in (None, ""):
        for m in moments:
            if str(m.pk) == str(wanted):
                return m
    return moments[0] if moments else None


# --- Results --------------------------------------------------------------------------------


def results_for(
    *,
    moment: SurveyMoment,
    course: Course | None = None,
    session: Session | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
    with_texts: bool = True,
    with_names: bool = True,
) -> Results:
    """A moment's results for a session, a course, or a period (check access first).

    Nine queries whatever the number of answers: invitations per session, responses per
    template version, impact answers per session, questions, their choices, choice counts,
    scale counts, respondents per question, and (with_texts) the free-text answers.
    `with_names=False` leaves names out of free-text answers (the API never gives them).
    """
    now = now or timezone.now()
    if moment.anonymous:
        date_from, date_to = anonymity.snap(date_from, date_to)
    scope = {"course": course, "session": session, "date_from": date_from, "date_to": date_to}
    inv_q = session_scope("", **scope)
    ans_q = session_scope("response__", **scope) & Q(response__moment=moment)
    resp_q = session_scope("", **scope) & Q(moment=moment)

    # Invitations and responses per session (the trend), in one query.
    per_session: dict[int, SessionFigures] = {}
    rows = (
        due_invitations(now=now)
        .filter(inv_q, moment=moment)
        .values("session_id", "session__starts_at", "session__ends_at")
        .annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by("session__starts_at", "session_id")
    )
    for r in rows:
        per_session[r["session_id"]] = SessionFigures(
            session_id=r["session_id"],
            starts_at=r["session__starts_at"],
            ends_at=r["session__ends_at"],
            invitations=r["n"],
            responses=r["answered"],
        )

    # Responses per template version and session start (the anonymous cells).
    counted = list(
        Response.objects.filter(resp_q)
        .values("template_id", "template__version", "session__starts_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_template: dict[int, tuple[int, int]] = {}
    for r in counted:
        version, n = by_template.get(r["template_id"], (r["template__version"], 0))
        by_template[r["template_id"]] = (version, n + r["n"])
    stored = sum(n for _v, n in by_template.values())
    versions = sorted(by_template.values(), key=lambda vn: -vn[0])

    invitations = sum(s.invitations for s in per_session.values())
    responses = sum(s.responses for s in per_session.values())
    release = None
    if moment.anonymous:
        release = anonymity.release(
            ((r["session__starts_at"], r["n"]) for r in counted), one_session=session is not None
        )
        ans_q &= release.sessions_q("response__")
    withheld = moment.anonymous and stored > 0 and not release.released

    # The impact rate per session, from the impact question of whichever version was asked.
    impact_total = Rate(0, 0)
    impact_rows = (
        Answer.objects.filter(ans_q, question__is_impact=True, choice__isnull=False)
        .values("response__session_id")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(choice__counts_as_impact=True)))
        .order_by()
    )
    for r in impact_rows:
        rate = Rate(r["yes"], r["n"])
        impact_total = Rate(impact_total.count + rate.count, impact_total.total + rate.total)
        figures = per_session.get(r["response__session_id"])
        if figures is not None:
            figures.impact = rate
    if moment.anonymous:
        # One session is not a released cell: its impact rate could be a few people's answer.
        for figures in per_session.values():
            figures.withheld = figures.impact.total > 0 or figures.responses > 0
            figures.impact = Rate(0, 0)

    questions = []
    if not withheld:
        template_ids = set(by_template) | {moment.template_id}
        questions = _question_results(
            template_ids=template_ids,
            ans_q=ans_q,
            with_texts=with_texts,
            with_names=with_names and not moment.anonymous,
            anonymous=moment.anonymous,
        )
    return Results(
        moment=moment,
        course=course if course is not None else (session.course if session else None),
        session=session,
        date_from=date_from,
        date_to=date_to,
        invitations=invitations,
        responses=responses,
        stored_responses=stored,
        impact=impact_total,
        sessions=list(per_session.values()),
        questions=questions,
        versions=versions,
        withheld=withheld,
        release=release,
    )


def question_groups(template_ids) -> list[QuestionResult]:
    """The questions of these template versions, merged across versions (two queries):
    same family, same kind and same wording (ignoring case and spaces) is one question."""
    questions = list(
        Question.objects.filter(template_id__in=list(template_ids))
        .select_related("template", "show_if_question", "show_if_choice")
        .prefetch_related(Prefetch("choices"))
        .order_by("-template__version", "position", "id")
    )
    versions_by_family: dict = defaultdict(set)
    for q in questions:
        versions_by_family[q.template.family].add(q.template.version)
    groups: dict[tuple, QuestionResult] = {}
    order: dict[tuple, tuple] = {}
    for q in questions:  # newest version first: its wording, help and choices lead
        key = (q.template.family, q.kind, " ".join(q.text.split()).casefold())
        group = groups.get(key)
        if group is None:
            condition = ""
            if q.show_if_question_id:
                condition = _("Asked only of people who answered “%(choice)s” to “%(q)s”.") % {
                    "choice": q.show_if_choice.label,
                    "q": q.show_if_question.text,
                }
            group = groups[key] = QuestionResult(
                key=key,
                text=q.text,
                kind=q.kind,
                help_text=q.help_text,
                is_impact=q.is_impact,
                versions=[],
                all_versions=False,
                condition=condition,
                respondents=0,
                shown=None,
            )
            order[key] = (q.position, -q.template.version)
        group.versions.append(q.template.version)
        group.asked.append(q)
    for group in groups.values():
        group.versions.sort()
        family = group.key[0]
        group.all_versions = set(group.versions) == versions_by_family[family]
    return sorted(groups.values(), key=lambda g: (str(g.key[0]), order[g.key]))


def _question_results(
    *, template_ids, ans_q: Q, with_texts: bool, with_names: bool, anonymous: bool = False
) -> list[QuestionResult]:
    groups = question_groups(template_ids)
    answers = Answer.objects.filter(ans_q)

    choice_counts: dict[int, int] = {
        r["choice_id"]: r["n"]
        for r in answers.filter(choice__isnull=False)
        .values("choice_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    scale_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (
        answers.filter(number__isnull=False)
        .values("question_id", "number")
        .annotate(n=Count("id"))
        .order_by()
    ):
        scale_counts[r["question_id"]][r["number"]] = r["n"]
    respondents: dict[int, int] = {
        r["question_id"]: r["n"]
        for r in answers.exclude(Q(choice__isnull=True, number__isnull=True, text=""))
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    }
    texts: dict[int, list[TextAnswer]] = defaultdict(list)
    if with_texts:
        text_qs = (
            answers.filter(question__kind__in=Question.TEXT_KINDS)
            .exclude(text="")
            .select_related("response__session")
            # Never in the order people answered: by session, then alphabetically.
            .order_by("response__session__starts_at", "response__session_id", "text")
        )
        if with_names:
            text_qs = text_qs.select_related("response__invitation__booking__person")
        for a in text_qs:
            name = None
            if with_names and a.response.invitation_id:
                name = a.response.invitation.booking.person.display_name
            texts[a.question_id].append(
                TextAnswer(
                    text=a.text,
                    session_starts_at=None if anonymous else a.response.session.starts_at,
                    name=name,
                )
            )

    for g in groups:
        qs = g.asked
        g.respondents = sum(respondents.get(q.pk, 0) for q in qs)
        if any(q.show_if_choice_id for q in qs):
            g.shown = sum(choice_counts.get(q.show_if_choice_id, 0) for q in qs)
        if g.is_choice:
            by_label: dict[str, list] = {}
            for q in qs:  # newest version first, so its choice order leads
                for c in q.choices.all():
                    entry = by_label.setdefault(c.label, [0, c.counts_as_impact])
                    entry[0] += choice_counts.get(c.pk, 0)
            g.choices = [
                ChoiceResult(label=label, count=n, share=Rate(n, g.respondents), counts_as_impact=i)
                for label, (n, i) in by_label.items()
            ]
        elif g.is_scale:
            dist = defaultdict(int)
            for q in qs:
                for value, n in scale_counts.get(q.pk, {}).items():
                    dist[value] += n
            total = sum(dist.values())
            mean = round(sum(v * n for v, n in dist.items()) / total, 1) if total else None
            g.scale = ScaleResult(
                distribution=[(v, dist[v], Rate(dist[v], total)) for v in range(1, 6)],
                answers=total,
                mean=mean,
                low_label=qs[0].scale_low_label,
                high_label=qs[0].scale_high_label,
            )
        elif g.is_text:
            for q in qs:
                g.texts.extend(texts.get(q.pk, []))
            # By session, then alphabetically; anonymous answers alphabetically only.
            g.texts.sort(
                key=lambda t: (
                    t.session_starts_at.timestamp() if t.session_starts_at else 0,
                    t.text,
                )
            )
    return groups


# --- Results across courses (a period) ----------------------------------------------------


@dataclass
class MomentSummary:
    moment_id: int
    moment_name: str
    days_after: int
    anonymous: bool
    course_id: int
    course_title: str
    course_slug: str
    invitations: int
    responses: int
    impact: Rate
    # The sessions' dates counted (an anonymous survey's are widened to whole quarters).
    date_from: date | None = None
    date_to: date | None = None

    @property
    def response_rate(self) -> Rate:
        return Rate(self.responses, self.invitations)


def results_overview(
    *, date_from: date | None = None, date_to: date | None = None, now: datetime | None = None
) -> list[MomentSummary]:
    """Every moment with sent invitations for sessions in the period: its invitations,
    responses and impact rate. Three queries whatever the number of courses or answers.
    Anonymous surveys count whole quarters, and their impact rate only released cells."""
    scope = {"course": None, "session": None, "date_from": date_from, "date_to": date_to}
    snapped_from, snapped_to = anonymity.snap(date_from, date_to)
    snapped = {**scope, "date_from": snapped_from, "date_to": snapped_to}

    def in_scope(prefix: str) -> Q:
        anonymous = Q(**{f"{prefix}moment__anonymous": True})
        return (~anonymous & session_scope(prefix, **scope)) | (
            anonymous & session_scope(prefix, **snapped)
        )

    rows = (
        due_invitations(now=now)
        .filter(in_scope(""))
        .values(
            "moment_id",
            "moment__name",
            "moment__days_after",
            "moment__anonymous",
            "moment__course_id",
            "moment__course__title",
            "moment__course__slug",
        )
        .annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by("moment__course__title", "-moment__days_after", "moment_id")
    )
    # Anonymous moments' cells: their responses per session start, in whole quarters.
    cells: dict[int, list] = defaultdict(list)
    for r in (
        Response.objects.filter(session_scope("", **snapped), moment__anonymous=True)
        .values("moment_id", "session__starts_at")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells[r["moment_id"]].append((r["session__starts_at"], r["n"]))
    releases = {m: anonymity.release(counts) for m, counts in cells.items()}
    impact: dict[int, Rate] = {}
    for r in (
        Answer.objects.filter(
            in_scope("response__"), question__is_impact=True, choice__isnull=False
        )
        .values(
            "response__moment_id", "response__moment__anonymous", "response__session__starts_at"
        )
        .annotate(n=Count("id"), yes=Count("id", filter=Q(choice__counts_as_impact=True)))
        .order_by()
    ):
        moment_id = r["response__moment_id"]
        if r["response__moment__anonymous"]:
            release = releases.get(moment_id)
            if release is None or not release.allows(r["response__session__starts_at"]):
                continue
        rate = impact.get(moment_id, Rate(0, 0))
        impact[moment_id] = Rate(rate.count + r["yes"], rate.total + r["n"])
    out = []
    for r in rows:
        rate = impact.get(r["moment_id"], Rate(0, 0))
        dates = (snapped_from, snapped_to) if r["moment__anonymous"] else (date_from, date_to)
        out.append(
            MomentSummary(
                moment_id=r["moment_id"],
                moment_name=r["moment__name"],
                days_after=r["moment__days_after"],
                anonymous=r["moment__anonymous"],
                course_id=r["moment__course_id"],
                course_title=r["moment__course__title"],
                course_slug=r["moment__course__slug"],
                invitations=r["n"],
                responses=r["answered"],
                impact=rate,
                date_from=dates[0],
                date_to=dates[1],
            )
        )
    return out


# --- A person's own answers (their training record) ---------------------------------------


def my_answers(person) -> list[Response]:
    """The person's named responses, newest session first, each with `lines`: (question,
    answer in words) in question order. Two queries, or one when there are none.
    Anonymous responses cannot be found here, or anywhere: they point at nobody."""
    responses = list(
        Response.objects.filter(invitation__isnull=False, invitation__booking__person=person)
        .select_related("session__course", "moment", "template")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "choice").order_by(
                    "question__position", "choice__position"
                ),
            )
        )
        .order_by("-session__starts_at", "session_id")
    )
    for r in responses:
        lines: dict[int, list] = {}
        for a in r.answers.all():
            entry = lines.setdefault(a.question_id, [a.question.text, []])
            entry[1].append(answer_words(a))
        r.lines = [(text, "; ".join(w for w in words if w)) for text, words in lines.values()]
    return responses


def answer_words(answer: Answer) -> str:
    """One answer row as words: the choice's label, the scale's number, or the text."""
    if answer.choice_id:
        return answer.choice.label
    if answer.number is not None:
        return str(answer.number)
    return answer.text
