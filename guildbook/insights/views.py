"""The insights dashboard and the frequency planner, for trainers and staff development
officers (anyone else gets a 404, as on every other trainer page). Thin: the figures come
from figures.py, the plan from planner.py, the charts from core.charts."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guildbook.core import charts, roles
from guildbook.core.forms import query_date, year_ago
from guildbook.core.timefmt import format_date
from guildbook.insights import exports, selectors
from guildbook.insights.figures import Figures
from guildbook.insights.planner import DEFAULT_CADENCES, Targets
from guildbook.training.models import Course
from guildbook.training.selectors import outreach_in_period

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


insights_required = roles.role_required(roles.can_see_insights)


# --- The period asked for -------------------------------------------------------------------


def _periods(request):
    today = timezone.localdate()
    problems: list[str] = []
    date_from = query_date(request, "from", year_ago(today), problems)
    date_to = query_date(request, "to", today, problems)
    if date_from and date_to and date_from > date_to:
        problems.append(_("The first date is after the last one, so the two were swapped."))
        date_from, date_to = date_to, date_from
    compare_from = query_date(request, "compare_from", None, problems)
    compare_to = query_date(request, "compare_to", None, problems)
    if compare_from and compare_to and compare_from > compare_to:
        compare_from, compare_to = compare_to, compare_from
    return date_from, date_to, compare_from, compare_to, problems


def period_words(date_from: date | None, date_to: date | None) -> str:
    if date_from and date_to:
        return _("%(a)s to %(b)s") % {
            "a": format_date(date_from, weekday=False),
            "b": format_date(date_to, weekday=False),
        }
    if date_from:
        return _("from %(a)s") % {"a": format_date(date_from, weekday=False)}
    if date_to:
        return _("up to %(b)s") % {"b": format_date(date_to, weekday=False)}
    return _("all sessions")


def _course(request) -> Course | None:
    slug = request.GET.get("course", "").strip()
    if not slug:
        return None
    return selectors.course_for_insights(request.user, pk=slug)


# --- Tables (the page shows them; the downloads are the same rows) --------------------------


def _pc(rate) -> str:
    return "–" if rate.percent is None else f"{rate.percent}%"


def _rate_cell(rate) -> str:
    if rate.percent is None:
        return "–"
    return f"{rate.percent}% ({rate.count} of {rate.total})"


def figure_rows(f: Figures) -> list[tuple[str, str]]:
    return [
        (_("Sessions run"), str(f.sessions)),
        (_("Sessions cancelled"), str(f.cancelled_sessions)),
        (_("Places offered"), str(f.places_offered)),
        (_("Bookings (places taken)"), str(f.bookings)),
        (_("Fill rate (places held at the start)"), _rate_cell(f.fill_rate)),
        (_("Attended"), str(f.attended)),
        (_("Attendance (of places offered)"), _rate_cell(f.attendance_rate)),
        (_("No-shows"), str(f.no_shows)),
        (_("No-show rate"), _rate_cell(f.no_show_rate)),
        (_("Cancellations (early and late)"), str(f.cancellations)),
        (_("Late cancellations"), str(f.late_cancellations)),
        (_("Waiting-list joins"), str(f.waiting_list_joins)),
        (_("Waiting list given a place"), _rate_cell(f.waiting_list_conversion)),
        (_("Longest waiting list"), str(f.waiting_peak)),
        (_("Still waiting when sessions began"), str(f.waiting_at_start)),
        (
            _("Days to fill (median)"),
            "–" if f.days_to_fill is None else f"{f.days_to_fill:g}",
        ),
        (_("Follow-up response rate"), _rate_cell(f.response_rate)),
        (_("Impact rate"), _rate_cell(f.impact_rate)),
        (_("People who attended"), str(f.people_reached)),
        (_("Of them, first time with the library"), str(f.first_time)),
        (_("Bookers who said they were new to the library"), _rate_cell(f.said_new)),
    ]


def _figures_sheet(f: Figures, other: Figures | None) -> exports.Sheet:
    header = [_("Figure"), period_words(f.date_from, f.date_to)]
    rows = [[name, value] for name, value in figure_rows(f)]
    if other is not None:
        header.append(period_words(other.date_from, other.date_to))
        for row, (_name, value) in zip(rows, figure_rows(other), strict=True):
            row.append(value)
    return exports.Sheet(header=header, rows=rows)


def _months_sheet(f: Figures) -> exports.Sheet:
    return exports.Sheet(
        header=[
            _("Month"),
            _("Sessions"),
            _("Places offered"),
            _("Bookings"),
            _("Fill rate"),
            _("Attendance"),
            _("No-shows"),
            _("Cancellations"),
            _("Waiting-list joins"),
        ],
        rows=[
            [
                m.strftime("%B %Y"),
                x.sessions,
                x.places_offered,
                x.bookings,
                _pc(x.fill_rate),
                _pc(x.attendance_rate),
                x.no_shows,
                x.cancellations,
                x.waiting_list_joins,
            ]
            for m, x in f.by_month()
        ],
    )


def _reach_sheet(f: Figures) -> exports.Sheet:
    return exports.Sheet(
        header=[
            _("Organisation"),
            _("Department"),
            _("Team"),
            _("People"),
            _("First time"),
            _("Answered “new to the library?”"),
            _("Said new"),
        ],
        rows=[
            [
                r.organisation,
                r.department,
                r.team or _("(no team given)"),
                r.people,
                r.first_time,
                r.new_question_answered,
                r.said_new,
            ]
            for r in f.reach
        ],
    )


def _trend(f: Figures) -> charts.Chart:
    points = [
        charts.TrendPoint(
            label=f"{m:%b %y}",
            response_rate=x.fill_rate.percent,
            impact_rate=x.attendance_rate.percent,
            cells=[m.strftime("%B %Y"), _pc(x.fill_rate), _pc(x.attendance_rate)],
        )
        for m, x in f.by_month()
    ]
    return charts.trend_chart(
        "insights-trend",
        _("Fill and attendance, month by month"),
        points,
        columns=[_("Month"), _("Fill rate"), _("Attendance")],
        names=(_("Fill rate"), _("Attendance")),
    )


def _on_page(sheet: exports.Sheet, *, text_columns: int) -> dict:
    """The sheet as the page's table: each row as (text cells, number cells), for the page
    aligns numbers right, with the numbers written out once here rather than localised cell
    by cell in the template."""
    n = text_columns
    return {
        "header": (sheet.header[:n], sheet.header[n:]),
        "rows": [(row[:n], [str(cell) for cell in row[n:]]) for row in sheet.rows],
    }


def _course_choices(course: Course | None) -> list[tuple[str, str, bool]]:
    """(slug, label, chosen) for the course menu, retired courses marked as such."""
    retired = _("retired")
    return [
        (slug, f"{title} ({retired})" if status == Course.Status.ARCHIVED else title,
         course is not None and pk == course.pk)
        for pk, slug, title, status in Course.objects.order_by("title").values_list(
            "pk", "slug", "title", "status"
        )
    ]  # fmt: skip


# --- Pages ------------------------------------------------------------------------------------


@insights_required
def dashboard(request):
    course = _course(request)
    date_from, date_to, compare_from, compare_to, problems = _periods(request)
    periods = (date_from, date_to, compare_from, compare_to)
    body = selectors.kept_page(
        "dashboard",
        (get_language(), course.pk if course else None, *periods, tuple(problems)),
        lambda: _dashboard_body(course, *periods, problems),
    )
    query = urlencode(
        {
            "course": course.slug if course else "",
            "from": date_from.isoformat() if date_from else "",
            "to": date_to.isoformat() if date_to else "",
            "compare_from": compare_from.isoformat() if compare_from else "",
            "compare_to": compare_to.isoformat() if compare_to else "",
        }
    )
    return render(
        request,
        "insights/dashboard.html",
        {
            "course": course,
            "body": body,
            # Outreach is not in the data's version (cache.py), so it is read on each visit.
            "outreach": outreach_in_period(date_from=date_from, date_to=date_to),
            "query": query,
        },
    )


def _dashboard_body(course, date_from, date_to, compare_from, compare_to, problems) -> str:
    """The page's figures: the same for everyone who may see them, so they are kept as
    rendered (selectors.kept_page) rather than rendered again on each visit."""
    figures = selectors.figures(course=course, date_from=date_from, date_to=date_to)
    other = None
    if compare_from or compare_to:
        other = selectors.figures(course=course, date_from=compare_from, date_to=compare_to)
    rows = figure_rows(figures)
    side_by_side = (
        [(n, a, b) for (n, a), (_m, b) in zip(rows, figure_rows(other), strict=True)]
        if other
        else [(n, a, None) for n, a in rows]
    )
    return render_to_string(
        "insights/_dashboard.html",
        {
            "course": course,
            "course_choices": _course_choices(course),
            "figures": figures,
            "other": other,
            "rows": side_by_side,
            "period": period_words(date_from, date_to),
            "other_period": period_words(compare_from, compare_to) if other else "",
            "date_from": date_from,
            "date_to": date_to,
            "compare_from": compare_from,
            "compare_to": compare_to,
            "problems": problems,
            "trend": _trend(figures),
            "months": _on_page(_months_sheet(figures), text_columns=1),
            "reach": _on_page(_reach_sheet(figures), text_columns=3),
        },
    )


@insights_required
def dashboard_download(request, fmt):
    course = _course(request)
    date_from, date_to, compare_from, compare_to, _problems = _periods(request)
    figures = selectors.figures(course=course, date_from=date_from, date_to=date_to)
    other = None
    if compare_from or compare_to:
        other = selectors.figures(course=course, date_from=compare_from, date_to=compare_to)
    tables = [
        exports.Table(_("Figures"), _figures_sheet(figures, other)),
        exports.Table(_("Months"), _months_sheet(figures)),
        exports.Table(_("Reach"), _reach_sheet(figures)),
    ]
    name = slugify(course.title if course else "all-courses")[:60] or "insights"
    if fmt == "xlsx":
        body = exports.as_xlsx(tables)
    else:
        wanted = request.GET.get("table", "figures")
        table = next((t for t in tables if slugify(t.name) == wanted), tables[0])
        body = exports.as_csv(table.sheet)
        name += f"-{slugify(table.name)}"
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="insights-{name}.{fmt}"'
    return response


def _float(request, key: str, default: float, problems: list[str], *, low, high) -> float:
    raw = request.GET.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        problems.append(
            _("“%(raw)s” is not a number from %(low)s to %(high)s.")
            % {"raw": raw[:20], "low": f"{low:g}", "high": f"{high:g}"}
        )
        return default
    return value


@insights_required
def planner(request, slug):
    course = selectors.course_for_insights(request.user, pk=slug)
    problems: list[str] = []
    capacity = request.GET.get("capacity", "").strip()
    cap = None
    if capacity:
        cap = int(_float(request, "capacity", 0, problems, low=1, high=1000)) or None
    extra = []
    for part in request.GET.get("cadences", "").replace(" ", "").split(","):
        if part:
            try:
                months = float(part)
                if not 0.25 <= months <= 24:
                    raise ValueError
                extra.append(months)
            except ValueError:
                problems.append(
                    _("“%(raw)s” is not a number of months from 0.25 to 24.") % {"raw": part[:20]}
                )
    d = Targets()
    targets = Targets(
        fill=_float(request, "fill", d.fill * 100, problems, low=0, high=100) / 100,
        unmet=_float(request, "unmet", d.unmet * 100, problems, low=0, high=100) / 100,
        attendance=_float(request, "attendance", d.attendance * 100, problems, low=0, high=100)
        / 100,
    )
    plan = selectors.plan(course, capacity=cap, cadences=extra, targets=targets)
    return render(
        request,
        "insights/planner.html",
        {
            "course": course,
            "plan": plan,
            "targets": targets,
            "targets_pc": {k: round(v * 100) for k, v in vars(targets).items()},
            "extra": ",".join(f"{m:g}" for m in extra if m not in DEFAULT_CADENCES),
            "problems": problems,
        },
    )
