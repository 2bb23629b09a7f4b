"""Survey answers as a spreadsheet: CSV and XLSX, one row per response, one column per
question (merged across template versions as on the results page).

Anonymous responses carry no name, e-mail, booking, invitation or time, because none is
stored; and the rows are sorted by session and then by the answers themselves, never in
the order they were given, so row order cannot be lined up with who answered when. An
anonymous row from a session with fewer than `selectors.ANONYMOUS_MINIMUM` responses leaves
its session out. Named responses (from a moment that was not anonymous) add the person's
name and e-mail.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.surveys import selectors
from guildbook.surveys.models import Answer, Question, Response, SurveyMoment
from guildbook.training.models import Course, Session


@dataclass
class Sheet:
    header: list[str]
    rows: list[list]


def answer_sheet(
    *,
    moment: SurveyMoment,
    course: Course | None = None,
    session: Session | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Sheet:
    """The rows for a download. Four queries whatever the number of answers: responses
    (with session, course and, for named ones, the person), their answers, and the
    questions with their choices. An anonymous moment with fewer responses than
    `selectors.ANONYMOUS_MINIMUM` gives a header and no rows, as the results page shows none."""
    scope = {"course": course, "session": session, "date_from": date_from, "date_to": date_to}
    responses = list(
        Response.objects.filter(selectors.session_scope("", **scope), moment=moment)
        .select_related("session__course", "template", "invitation__booking__person")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("choice").order_by("choice__position"),
            )
        )
        .order_by()
    )
    if moment.anonymous and len(responses) < selectors.ANONYMOUS_MINIMUM:
        responses = []
    groups = selectors.question_groups({r.template_id for r in responses} | {moment.template_id})
    column_of = {q.pk: i for i, g in enumerate(groups) for q in g.asked}
    named = any(r.invitation_id for r in responses)

    header = [_("Course"), _("Session date"), _("Session start"), _("Survey"), _("Version")]
    if named:
        header += [_("Name"), _("E-mail")]
    header += [g.text for g in groups]

    # Anonymous: a row that names a session where only one or two people answered would be
    # theirs, so such rows go without their session (as the results pages show no answers).
    per_session: dict[int, int] = {}
    for r in responses:
        per_session[r.session_id] = per_session.get(r.session_id, 0) + 1
    keyed = []
    for r in responses:
        cells: list[list] = [[] for _g in groups]
        for a in r.answers.all():
            i = column_of.get(a.question_id)
            if i is not None:
                cells[i].append(a)
        values = [_cell_value(groups[i], answers) for i, answers in enumerate(cells)]
        s = r.session
        hide_session = r.invitation_id is None and per_session[s.pk] < selectors.ANONYMOUS_MINIMUM
        row = [
            s.course.title,
            "" if hide_session else timezone.localtime(s.starts_at).date().isoformat(),
            "" if hide_session else timezone.localtime(s.starts_at).strftime("%H:%M"),
            moment.name,
            r.template.version,
        ]
        person = r.invitation.booking.person if r.invitation_id else None
        if named:
            row += [person.display_name, person.email] if person else ["", ""]
        row += values
        # Session first, then the answers themselves: never the order they were given.
        sort_key = (
            hide_session,
            None if hide_session else (s.starts_at, s.pk),
            [str(v) for v in values],
            row[5:7] if named else [],
        )
        keyed.append((sort_key, row))
    keyed.sort(key=lambda kr: kr[0])
    return Sheet(header=header, rows=[row for _k, row in keyed])


def _cell_value(group: selectors.QuestionResult, answers: list[Answer]):
    if not answers:
        return ""
    if group.kind in Question.CHOICE_KINDS:
        return "; ".join(a.choice.label for a in answers if a.choice_id)
    if group.kind == Question.Kind.SCALE:
        return answers[0].number if answers[0].number is not None else ""
    return answers[0].text


def _safe_text(value) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: keep it as text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([_safe_text(h) for h in sheet.header])
    for row in sheet.rows:
        writer.writerow([v if isinstance(v, int) else _safe_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def as_xlsx(sheet: Sheet, *, summary: list[tuple[str, object]] | None = None) -> bytes:
    """An XLSX workbook: the answers, and (given) a second sheet of headline figures."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Answers")
    bold = Font(bold=True)
    for r, row in enumerate([sheet.header, *sheet.rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                # Never a formula, whatever the person typed.
                cell.data_type = "s"
            if r == 1:
                cell.font = bold
    ws.freeze_panes = "A2"
    for c, heading in enumerate(sheet.header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(
            max(len(str(heading)), 12), 50
        )
    if summary:
        fig = wb.create_sheet(_("Figures"))
        for r, (name, value) in enumerate(summary, start=1):
            fig.cell(row=r, column=1, value=name).data_type = "s"
            cell = fig.cell(row=r, column=2)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
        fig.column_dimensions["A"].width = 30
        fig.column_dimensions["B"].width = 30
    # Workbook properties say nothing about who answered; keep them plain.
    wb.properties.creator = "Guildbook"
    wb.properties.lastModifiedBy = "Guildbook"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_rows(results: selectors.Results) -> list[tuple[str, object]]:
    """The headline figures for the XLSX's second sheet."""
    rows: list[tuple[str, object]] = [
        (_("Course"), results.course.title if results.course else _("All courses")),
        (_("Survey"), results.moment.name),
        (_("Sessions from"), results.date_from.isoformat() if results.date_from else ""),
        (_("Sessions to"), results.date_to.isoformat() if results.date_to else ""),
        (_("Invitations"), results.invitations),
        (_("Responses"), results.responses),
        (_("Response rate"), str(results.response_rate)),
        (_("Impact rate"), str(results.impact)),
    ]
    if results.session is not None:
        rows.insert(1, (_("Session"), timezone.localtime(results.session.starts_at).isoformat()))
    return rows
