"""Trainers' pages of follow-up survey results: across courses for a period, a course
(with the trend across its sessions), a session; and the answers as CSV or XLSX.

Thin: figures come from selectors.results_for / results_overview, charts from charts.py.
Anyone but a trainer gets a 404, as on every other trainer page.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from guildbook.core import charts
from guildbook.core.audit import audit_record
from guildbook.core.forms import query_date, year_ago
from guildbook.core.timefmt import format_date
from guildbook.surveys import anonymity, exports, selectors
from guildbook.training.roles import trainer_required

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- The period asked for -----------------------------------------------------------------


def _period(request) -> tuple[date | None, date | None, list[str]]:
    """`from` and `to` from the query (local dates, inclusive). Absent: the last 12 months.
    Present but empty: no limit on that side. Unreadable: a message, and the default."""
    today = timezone.localdate()
    problems = []
    values = {}
    for key, default in (("from", year_ago(today)), ("to", today)):
        values[key] = query_date(request, key, default, problems)
    if values["from"] and values["to"] and values["from"] > values["to"]:
        problems.append(_("The first date is after the last one, so the two were swapped."))
        values["from"], values["to"] = values["to"], values["from"]
    return values["from"], values["to"], problems


def _period_words(date_from: date | None, date_to: date | None) -> str:
    if date_from and date_to:
        return _("Sessions from %(a)s to %(b)s") % {
            "a": format_date(date_from, weekday=False),
            "b": format_date(date_to, weekday=False),
        }
    if date_from:
        return _("Sessions from %(a)s") % {"a": format_date(date_from, weekday=False)}
    if date_to:
        return _("Sessions up to %(b)s") % {"b": format_date(date_to, weekday=False)}
    return _("All sessions")


def _query(moment, date_from, date_to) -> str:
    from urllib.parse import urlencode

    params = {"from": date_from.isoformat() if date_from else ""}
    params["to"] = date_to.isoformat() if date_to else ""
    if moment is not None:
        params["moment"] = moment.pk
    return urlencode(params)


def _short_date(value) -> str:
    day = timezone.localtime(value)
    return f"{day.day} {day:%b %y}"


# --- Charts ---------------------------------------------------------------------------------


def _with_charts(results: selectors.Results) -> selectors.Results:
    """Attach a bar chart to each choice and scale question, and the trend to the results."""
    for i, q in enumerate(results.questions, start=1):
        q.chart = None
        if q.is_choice and q.choices:
            q.chart = charts.bar_chart(
                f"q{i}-chart",
                q.text,
                [(c.label, c.count, c.share.percent) for c in q.choices],
                label_heading=_("Answer"),
            )
        elif q.is_scale and q.scale and q.scale.answers:
            labels = {1: q.scale.low_label, 5: q.scale.high_label}
            q.chart = charts.bar_chart(
                f"q{i}-chart",
                q.text,
                [
                    (f"{v} {labels[v]}".strip() if labels.get(v) else str(v), n, share.percent)
                    for v, n, share in q.scale.distribution
                ],
                label_heading=_("Score"),
            )
    results.trend = None
    if len(results.sessions) > 1:
        points = [
            charts.TrendPoint(
                label=_short_date(s.starts_at),
                response_rate=s.response_rate.percent,
                impact_rate=s.impact.percent,
                cells=[
                    format_date(s.starts_at),
                    str(s.invitations),
                    str(s.response_rate),
                    _("not shown for one session (anonymous)") if s.withheld else str(s.impact),
                ],
            )
            for s in results.sessions
        ]
        results.trend = charts.trend_chart(
            "trend-chart",
            _("Response rate and impact rate, session by session"),
            points,
            columns=[_("Session"), _("Invitations"), _("Response rate"), _("Impact rate")],
        )
    return results


# --- Pages ------------------------------------------------------------------------------------


@trainer_required
def overview(request):
    date_from, date_to, problems = _period(request)
    rows = selectors.results_overview(date_from=date_from, date_to=date_to)
    return render(
        request,
        "surveys/results/overview.html",
        {
            "rows": rows,
            "date_from": date_from,
            "date_to": date_to,
            "period_words": _period_words(date_from, date_to),
            "problems": problems,
            "query": _query(None, date_from, date_to),
            "anonymous_rows": any(r.anonymous for r in rows),
            "minimum": anonymity.min_responses(),
        },
    )


@trainer_required
def course_results(request, slug):
    course = selectors.course_for_results(request.user, slug=slug)
    return _results_page(request, course=course, session=None)


@trainer_required
def session_results(request, pk):
    session = selectors.session_for_results(request.user, pk=pk)
    return _results_page(request, course=session.course, session=session)


def _results_page(request, *, course, session):
    moments = selectors.moments_of_course(course)
    moment = selectors.pick_moment(moments, request.GET.get("moment"))
    if session is None:
        date_from, date_to, problems = _period(request)
    else:
        date_from = date_to = None
        problems = []
    results = None
    if moment is not None:
        results = _with_charts(
            selectors.results_for(
                moment=moment,
                course=course,
                session=session,
                date_from=date_from,
                date_to=date_to,
            )
        )
        # An anonymous survey's dates are widened to whole quarters: say which.
        date_from, date_to = results.date_from, results.date_to
    return render(
        request,
        "surveys/results/session.html" if session else "surveys/results/course.html",
        {
            "course": course,
            "session": session,
            "moments": moments,
            "moment": moment,
            "results": results,
            "date_from": date_from,
            "date_to": date_to,
            "period_words": _period_words(date_from, date_to),
            "problems": problems,
            "query": _query(moment, date_from, date_to),
            "minimum": anonymity.min_responses(),
        },
    )


# --- Downloads ----------------------------------------------------------------------------------


@trainer_required
def course_download(request, slug, fmt):
    course = selectors.course_for_results(request.user, slug=slug)
    date_from, date_to, _problems = _period(request)
    return _download(request, fmt, course=course, session=None, dates=(date_from, date_to))


@trainer_required
def session_download(request, pk, fmt):
    session = selectors.session_for_results(request.user, pk=pk)
    return _download(request, fmt, course=session.course, session=session, dates=(None, None))


def _download(request, fmt, *, course, session, dates):
    moment = selectors.pick_moment(selectors.moments_of_course(course), request.GET.get("moment"))
    if moment is None:
        raise Http404("No survey on this course")
    date_from, date_to = dates
    audit_record(actor=request.user, action="survey_answers_downloaded", subject=moment, fmt=fmt)
    scope = {"course": course, "session": session, "date_from": date_from, "date_to": date_to}
    sheet = exports.answer_sheet(moment=moment, **scope)
    when = timezone.localtime(session.starts_at) if session else timezone.localdate()
    name = "-".join(
        p for p in ("survey-answers", course.slug, slugify(moment.name), f"{when:%Y-%m-%d}") if p
    )
    if fmt == "xlsx":
        results = selectors.results_for(moment=moment, with_texts=False, **scope)
        body = exports.as_xlsx(sheet, summary=exports.summary_rows(results))
    else:
        body = exports.as_csv(sheet)
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
