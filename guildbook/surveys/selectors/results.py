"""Results for one survey moment over a scope: the figures, counted in the database."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.surveys import anonymity
from guildbook.surveys.models import Answer, Question, Response, SurveyMoment
from guildbook.surveys.selectors.figures import (
    ChoiceResult,
    QuestionResult,
    Rate,
    Results,
    ScaleResult,
    SessionFigures,
    TextAnswer,
)
from guildbook.surveys.selectors.scope import due_invitations, session_scope
from guildbook.training.models import Course, Session

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
            ((r["session__starts_at"], r["n"]) for r in counted),
            window=anonymity.window_days(moment),
            one_session=session is not None,
            today=timezone.localdate(now),
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
