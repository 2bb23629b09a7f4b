"""Survey answers as a spreadsheet: CSV and XLSX, one row per response, one column per
question (merged across template versions as on the results page).

Anonymous responses carry no name, e-mail, booking, invitation or time, because none is
stored. Their rows are those of released cells only (`anonymity.py`: whole quarters of at
least k responses, the dates asked for widened to whole quarters, nothing for one
session); a row says its quarter, never its session, date or template version, and rows
are sorted by quarter and then by the answers themselves, never in the order they were
given. Named responses (from a moment that was not anonymous) keep their session and add
the person's name and e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.core.spreadsheets import csv_bytes, safe_text, sheet_fill, workbook_bytes
from guildbook.surveys import anonymity, selectors
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
    questions with their choices. An anonymous moment gives the rows of its released
    cells only, as the results page shows."""
    if moment.anonymous:
        date_from, date_to = anonymity.snap(date_from, date_to)
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
    if moment.anonymous:
        return _anonymous_sheet(moment, responses, one_session=session is not None)
    groups = selectors.question_groups({r.template_id for r in responses} | {moment.template_id})
    column_of = {q.pk: i for i, g in enumerate(groups) for q in g.asked}
    named = any(r.invitation_id for r in responses)

    header = [_("Course"), _("Session date"), _("Session start"), _("Survey"), _("Version")]
    if named:
        header += [_("Name"), _("E-mail")]
    header += [g.text for g in groups]

    keyed = []
    for r in responses:
        values = _values(r, groups, column_of)
        s = r.session
        row = [
            s.course.title,
            timezone.localtime(s.starts_at).date().isoformat(),
            timezone.localtime(s.starts_at).strftime("%H:%M"),
            moment.name,
            r.template.version,
        ]
        person = r.invitation.booking.person if r.invitation_id else None
        if named:
            row += [person.display_name, person.email] if person else ["", ""]
        row += values
        # Session first, then the answers themselves: never the order they were given.
        sort_key = ((s.starts_at, s.pk), [str(v) for v in values], row[5:7] if named else [])
        keyed.append((sort_key, row))
    keyed.sort(key=lambda kr: kr[0])
    return Sheet(header=header, rows=[row for _k, row in keyed])


def _anonymous_sheet(moment: SurveyMoment, responses: list[Response], *, one_session: bool):
    """Released cells' rows: course, quarter, survey and the answers, sorted by quarter and
    answer. No session, date, time or version: each would split a cell into fewer people."""
    release = anonymity.release(
        ((r.session.starts_at, 1) for r in responses),
        window=anonymity.window_days(moment),
        one_session=one_session,
    )
    responses = [r for r in responses if release.allows(r.session.starts_at)]
    groups = selectors.question_groups({r.template_id for r in responses} | {moment.template_id})
    column_of = {q.pk: i for i, g in enumerate(groups) for q in g.asked}
    header = [_("Course"), _("Period"), _("Survey"), *(g.text for g in groups)]
    keyed = []
    for r in responses:
        values = _values(r, groups, column_of)
        quarter = anonymity.quarter_of(r.session.starts_at)
        row = [r.session.course.title, str(quarter), moment.name, *values]
        keyed.append(((quarter, [str(v) for v in values]), row))
    keyed.sort(key=lambda kr: kr[0])
    return Sheet(header=header, rows=[row for _k, row in keyed])


def _values(response: Response, groups, column_of: dict[int, int]) -> list:
    """The response's answers as one value a column (a question group)."""
    cells: list[list] = [[] for _g in groups]
    for a in response.answers.all():
        i = column_of.get(a.question_id)
        if i is not None:
            cells[i].append(a)
    return [_cell_value(groups[i], answers) for i, answers in enumerate(cells)]


def _cell_value(group: selectors.QuestionResult, answers: list[Answer]):
    if not answers:
        return ""
    if group.kind in Question.CHOICE_KINDS:
        return "; ".join(a.choice.label for a in answers if a.choice_id)
    if group.kind == Question.Kind.SCALE:
        return answers[0].number if answers[0].number is not None else ""
    return answers[0].text


def as_csv(sheet: Sheet) -> bytes:
    return csv_bytes(
        [safe_text(h) for h in sheet.header],
        ([v if isinstance(v, int) else safe_text(v) for v in row] for row in sheet.rows),
    )


def as_xlsx(sheet: Sheet, *, summary: list[tuple[str, object]] | None = None) -> bytes:
    """An XLSX workbook: the answers, and (given) a second sheet of headline figures."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Answers")
    sheet_fill(ws, [sheet.header, *sheet.rows])
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
    return workbook_bytes(wb)


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
