"""/api/v1/surveys/results: follow-up survey figures for trainers, never identities.

The same figures as the results pages (guildbook.surveys.selectors): invitations, response
rate, impact rate, each question's answers, and each session's rates. Free-text answers are
given without names, even for named surveys. Anonymous surveys give answers only for whole
quarters with enough responses, with the dates asked for widened to whole quarters and
nothing for one session, as the pages do (guildbook/surveys/anonymity.py).
"""

from datetime import date
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema

from guildbook.api.auth import require_trainer
from guildbook.api.schemas import CourseRef, RateOut, errors, local_iso, rate_out
from guildbook.core import limits
from guildbook.core.errors import ServiceError
from guildbook.surveys import selectors
from guildbook.training.models import Course, Session

router = Router(tags=["surveys"])


class MomentRef(Schema):
    id: int
    name: str
    days_after: int
    anonymous: bool


class SessionFiguresOut(Schema):
    session_id: int
    starts_at: str
    invitations: int
    responses: int
    response_rate: RateOut
    impact_rate: RateOut
    impact_withheld: bool = Field(
        description="Anonymous survey with too few answers for this session's rate to be shown."
    )


class ChoiceOut(Schema):
    label: str
    count: int
    share: RateOut = Field(description="Of the people who answered the question.")
    counts_as_impact: bool


class ScaleValueOut(Schema):
    value: int
    count: int


class ScaleOut(Schema):
    answers: int
    mean: float | None
    distribution: list[ScaleValueOut]


class QuestionOut(Schema):
    text: str
    kind: str
    is_impact: bool
    versions: list[int] = Field(description="The template versions that asked it.")
    respondents: int
    shown: int | None = Field(description="Conditional questions: how many met the condition.")
    condition: str
    choices: list[ChoiceOut]
    scale: ScaleOut | None
    answers: list[str] = Field(description="Free-text answers, without names.")


PERIOD_NOTE = "The sessions' dates counted: for an anonymous survey, widened to whole quarters."


class MomentResultsOut(Schema):
    moment: MomentRef
    date_from: date | None = Field(alias="from", description=PERIOD_NOTE)
    date_to: date | None = Field(alias="to", description=PERIOD_NOTE)
    invitations: int
    responses: int
    response_rate: RateOut
    impact_rate: RateOut
    withheld: bool = Field(
        description="Anonymous survey with no quarter of enough responses in scope (or one "
        "session): counts only, no answers."
    )
    sessions: list[SessionFiguresOut]
    questions: list[QuestionOut]


class CourseSummaryOut(Schema):
    course: CourseRef
    moment: MomentRef
    date_from: date | None = Field(alias="from", description=PERIOD_NOTE)
    date_to: date | None = Field(alias="to", description=PERIOD_NOTE)
    invitations: int
    responses: int
    response_rate: RateOut
    impact_rate: RateOut


class ResultsOut(Schema):
    course: CourseRef | None
    session_id: int | None
    date_from: date | None = Field(alias="from")
    date_to: date | None = Field(alias="to")
    results: list[MomentResultsOut] = Field(
        description="With `course` or `session`: each of the course's surveys."
    )
    courses: list[CourseSummaryOut] = Field(
        description="With neither: every course's surveys for sessions in the dates."
    )


def _moment_ref(m) -> dict:
    return {"id": m.pk, "name": m.name, "days_after": m.days_after, "anonymous": m.anonymous}


def _moment_results(r: selectors.Results) -> dict:
    return {
        "moment": _moment_ref(r.moment),
        "from": r.date_from,
        "to": r.date_to,
        "invitations": r.invitations,
        "responses": r.responses,
        "response_rate": rate_out(r.response_rate),
        "impact_rate": rate_out(r.impact),
        "withheld": r.withheld,
        "sessions": [
            {
                "session_id": s.session_id,
                "starts_at": local_iso(s.starts_at).isoformat(),
                "invitations": s.invitations,
                "responses": s.responses,
                "response_rate": rate_out(s.response_rate),
                "impact_rate": rate_out(s.impact),
                "impact_withheld": s.withheld,
            }
            for s in r.sessions
        ],
        "questions": [
            {
                "text": q.text,
                "kind": q.kind,
                "is_impact": q.is_impact,
                "versions": q.versions,
                "respondents": q.respondents,
                "shown": q.shown,
                "condition": q.condition,
                "choices": [
                    {
                        "label": c.label,
                        "count": c.count,
                        "share": rate_out(c.share),
                        "counts_as_impact": c.counts_as_impact,
                    }
                    for c in q.choices
                ],
                "scale": (
                    {
                        "answers": q.scale.answers,
                        "mean": q.scale.mean,
                        "distribution": [
                            {"value": v, "count": n} for v, n, _s in q.scale.distribution
                        ],
                    }
                    if q.scale
                    else None
                ),
                # Sorted as text, so the order says nothing about who answered when.
                "answers": sorted(t.text for t in q.texts),
            }
            for q in r.questions
        ],
    }


@router.get(
    "/surveys/results",
    response={200: ResultsOut, **errors(400, 403, 404)},
    by_alias=True,
    summary="Follow-up survey results",
)
def survey_results(
    request,
    course: Annotated[str | None, Query(description="A course's id or slug.")] = None,
    session: Annotated[int | None, Query(description="A session's id.")] = None,
    moment: Annotated[
        int | None, Query(description="One of the course's surveys (its id); default all.")
    ] = None,
    date_from: Annotated[
        date | None, Query(alias="from", description="Sessions from this day (local), inclusive.")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="Sessions up to this day (local), inclusive.")
    ] = None,
):
    """Trainers only. With `session`: that session's results. With `course`: the course's,
    for sessions between `from` and `to`. With neither: a line per course and survey for
    sessions in the dates. Never names, e-mail addresses or any other identity."""
    require_trainer(request.auth, doing="see survey results")
    if date_from and date_to and date_from > date_to:
        raise ServiceError("`from` is after `to`.", field="from")
    the_session = None
    the_course = None
    if session is not None:
        the_session = Session.objects.select_related("course").filter(pk=session).first()
        if the_session is None:
            raise Http404("No such session")
        the_course = the_session.course
        date_from = date_to = None
    elif course:
        the_course = Course.objects.filter(**limits.id_or_slug(course)).first()
        if the_course is None:
            raise Http404("No such course")
    body = {
        "course": the_course,
        "session_id": the_session.pk if the_session else None,
        "from": date_from,
        "to": date_to,
        "results": [],
        "courses": [],
    }
    if the_course is None:
        for row in selectors.results_overview(date_from=date_from, date_to=date_to):
            body["courses"].append(
                {
                    "course": {
                        "id": row.course_id,
                        "slug": row.course_slug,
                        "title": row.course_title,
                    },
                    "moment": {
                        "id": row.moment_id,
                        "name": row.moment_name,
                        "days_after": row.days_after,
                        "anonymous": row.anonymous,
                    },
                    "from": row.date_from,
                    "to": row.date_to,
                    "invitations": row.invitations,
                    "responses": row.responses,
                    "response_rate": rate_out(row.response_rate),
                    "impact_rate": rate_out(row.impact),
                }
            )
        return body
    moments = selectors.moments_of_course(the_course)
    if moment is not None:
        moments = [m for m in moments if m.pk == moment]
        if not moments:
            raise ServiceError("The course has no survey with that id.", field="moment")
    for m in moments:
        r = selectors.results_for(
            moment=m,
            course=the_course,
            session=the_session,
            date_from=date_from,
            date_to=date_to,
            with_names=False,
        )
        body["results"].append(_moment_results(r))
    return body
