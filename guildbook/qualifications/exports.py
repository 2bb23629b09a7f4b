"""The yearly funding report as CSV and XLSX: one row per team, amounts in pounds.

Team names are typed by people, so every text cell is kept as text: a CSV cell starting
with = + - @ gets a leading apostrophe, and an XLSX cell is written as a string, never a
formula.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from guildbook.core.spreadsheets import csv_bytes, safe_text, sheet_fill, workbook_bytes
from guildbook.qualifications.selectors import TeamFunding


def _pounds(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def report_rows(rows: list[TeamFunding]) -> tuple[list[str], list[list]]:
    header = [
        _("Team"),
        _("Requests"),
        _("Requested (£)"),
        _("Approved (£)"),
        _("Paid (£)"),
    ]
    body = [
        [r.team, r.count, _pounds(r.requested), _pounds(r.approved), _pounds(r.paid)] for r in rows
    ]
    if rows:
        body.append(
            [
                _("All teams"),
                sum(r.count for r in rows),
                _pounds(sum(r.requested for r in rows)),
                _pounds(sum(r.approved for r in rows)),
                _pounds(sum(r.paid for r in rows)),
            ]
        )
    return header, body


def as_csv(rows: list[TeamFunding]) -> bytes:
    header, body = report_rows(rows)
    return csv_bytes(header, ([safe_text(row[0]), *row[1:]] for row in body))


def as_xlsx(rows: list[TeamFunding], *, year: int) -> bytes:
    from openpyxl import Workbook

    header, body = report_rows(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Funding %(year)s") % {"year": year}
    sheet_fill(
        ws, [[float(v) if isinstance(v, Decimal) else v for v in row] for row in [header, *body]]
    )
    for r, row in enumerate([header, *body], start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, Decimal):
                ws.cell(row=r, column=c).number_format = "£#,##0.00"
    ws.column_dimensions["A"].width = 30
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 16
    wb.properties.creator = "Guildbook"
    return workbook_bytes(wb)
