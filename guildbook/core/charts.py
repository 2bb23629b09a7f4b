"""Charts for survey results and training insights: SVG drawn on the server, no JavaScript.

Each chart is an `<svg role="img">` named by its `<title>` and described by a `<desc>` that
reads out the figures, and comes with the same figures as rows for a real data table
(templates/surveys/results/_chart.html puts it beside the picture), so nobody needs to see
the chart to read it. Colours are not the only difference between the trend's two lines:
one is solid with round markers, the other dashed with square ones. No `style` attributes:
the page's Content-Security-Policy forbids inline styles; presentation attributes are fine.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#c9ced6"
# Both at least 3:1 against white (WCAG 1.4.11) and told apart by line and marker too.
BLUE = "#0b5c8e"
BROWN = "#8a4b00"

WIDTH = 640
FONT = "system-ui, sans-serif"


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent_text(percent: int | None) -> str:
    return "–" if percent is None else f"{percent}%"


def _chart(
    chart_id: str,
    title: str,
    desc: str,
    height: int,
    parts: list[SafeString],
    *,
    empty: str,
    columns: list[str],
    rows: list[list[str]],
) -> Chart:
    """The chart drawn by `parts` (our own escaped SVG), framed with its title and `desc`;
    `empty` describes it when there are no figures to read out."""
    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-family="{font}" font-size="14" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=height,
        id=chart_id,
        font=FONT,
        ink=INK,
        title=title,
        desc=desc,
        body=mark_safe("".join(parts)),  # noqa: S308
    )
    return Chart(id=chart_id, title=title, desc=desc or empty, svg=svg, columns=columns, rows=rows)


def bar_chart(
    chart_id: str,
    title: str,
    bars: list[tuple[str, int, int | None]],
    *,
    label_heading: str,
    count_heading: str | None = None,
) -> Chart:
    """Horizontal bars, one per answer: (label, count, percent of those who answered).

    With `count_heading`, bars are plain counts (their percent None): no share is shown."""
    counts_only = count_heading is not None
    row_h, top, label_w, bar_w = 34, 8, 220, 300
    height = top * 2 + row_h * max(len(bars), 1)
    most = max((count for _l, count, _p in bars), default=0) or 1
    parts = []
    for i, (label, count, percent) in enumerate(bars):
        y = top + i * row_h
        length = round(bar_w * count / most)
        parts.append(
            format_html(
                '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect x="{bx}" y="{by}" width="{bw}" height="20" fill="{fill}"></rect>'
                '<text x="{vx}" y="{ty}">{value}</text>',
                lx=label_w - 8,
                ty=y + 19,
                label=_short(label, 28),
                bx=label_w,
                by=y + 5,
                bw=max(length, 1 if count else 0),
                fill=BLUE,
                vx=label_w + length + 8,
                value=str(count) if counts_only else f"{count} ({_percent_text(percent)})",
            )
        )
    parts.append(
        format_html(
            '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{c}"></line>',
            x=label_w,
            t=top,
            b=height - top,
            c=MUTED,
        )
    )
    if counts_only:
        desc = "; ".join(f"{label}: {count}" for label, count, _p in bars)
        columns = [label_heading, count_heading]
        rows = [[label, str(count)] for label, count, _p in bars]
    else:
        desc = "; ".join(f"{label}: {count} ({_percent_text(p)})" for label, count, p in bars)
        columns = [label_heading, _("Answers"), _("Share")]
        rows = [[label, str(count), _percent_text(p)] for label, count, p in bars]
    return _chart(
        chart_id, title, desc, height, parts, empty=_("No answers yet."), columns=columns, rows=rows
    )


@dataclass
class TrendPoint:
    label: str  # the session's date, short
    response_rate: int | None
    impact_rate: int | None
    cells: list[str]  # the table row


def trend_chart(
    chart_id: str,
    title: str,
    points: list[TrendPoint],
    *,
    columns: list[str],
    names: tuple[str, str] | None = None,
) -> Chart:
    """Two rates per point, in date order, on a 0–100% scale: by default a survey's response
    rate and impact rate (the points' first and second rate), or the two `names` given."""
    first, second = names or (_("Response rate"), _("Impact rate"))
    left, right, top, bottom = 48, 40, 40, 56
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    n = len(points)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y_at(percent: int) -> float:
        return top + plot_h * (1 - percent / 100)

    parts = []
    for pct in (0, 25, 50, 75, 100):
        y = y_at(pct)
        parts.append(
            format_html(
                '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{c}"></line>'
                '<text x="{tx}" y="{ty}" text-anchor="end" fill="{m}">{pct}%</text>',
                l=left,
                r=WIDTH - right,
                y=f"{y:.1f}",
                c=GRID,
                tx=left - 6,
                ty=f"{y + 5:.1f}",
                m=MUTED,
                pct=pct,
            )
        )
    # Label at most about ten dates, evenly, so they never overlap.
    step = max(1, -(-n // 10))
    for i, p in enumerate(points):
        if i % step == 0 or i == n - 1:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle" fill="{m}" font-size="12">'
                    "{label}</text>",
                    x=f"{x_at(i):.1f}",
                    y=height - bottom + 18,
                    m=MUTED,
                    label=p.label,
                )
            )
    series = [
        ("response_rate", first, BLUE, "", "circle"),
        ("impact_rate", second, BROWN, "6 4", "square"),
    ]
    for key, _name, colour, dash, marker in series:
        runs, run = [], []
        for i, p in enumerate(points):
            value = getattr(p, key)
            if value is None:  # a gap, not a drop to zero
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((x_at(i), y_at(value)))
        if run:
            runs.append(run)
        for run in runs:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2.5"'
                        ' stroke-dasharray="{d}"></polyline>',
                        pts=" ".join(f"{x:.1f},{y:.1f}" for x, y in run),
                        c=colour,
                        d=dash or "none",
                    )
                )
            for x, y in run:
                parts.append(_marker(marker, x, y, colour))
    # The legend, drawn with the same line and marker as each series.
    lx = left
    for _key, name, colour, dash, marker in series:
        parts.append(
            format_html(
                '<line x1="{x1}" y1="16" x2="{x2}" y2="16" stroke="{c}" stroke-width="2.5"'
                ' stroke-dasharray="{d}"></line>{m}<text x="{tx}" y="21">{name}</text>',
                x1=lx,
                x2=lx + 36,
                c=colour,
                d=dash or "none",
                m=_marker(marker, lx + 18, 16, colour),
                tx=lx + 44,
                name=name,
            )
        )
        lx += 200
    said = _("%(when)s: %(first)s %(r)s, %(second)s %(i)s")
    desc = "; ".join(
        said
        % {
            "when": p.label,
            "first": first.lower(),
            "r": _percent_text(p.response_rate),
            "second": second.lower(),
            "i": _percent_text(p.impact_rate),
        }
        for p in points
    )
    rows = [p.cells for p in points]
    return _chart(
        chart_id,
        title,
        desc,
        height,
        parts,
        empty=_("No sessions yet."),
        columns=columns,
        rows=rows,
    )


def _marker(kind: str, x: float, y: float, colour: str) -> SafeString:
    # Numbers and our own colours only, so nothing needs escaping (one marker a point).
    if kind == "square":
        svg = (
            f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}">'
            "</rect>"
        )
    else:
        svg = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"></circle>'
    return mark_safe(svg)  # noqa: S308
