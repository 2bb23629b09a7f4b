"""The yearly funding report as CSV and XLSX: one row per team, amounts in pounds.

Team names are typed by people, so every text cell is kept as text: a CSV cell starting
with = + - @ gets a leading apostrophe, and an XLSX cell is written as a string, never a
formula.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from guildbook.qualifications.selectors import TeamFunding


def _safe_text(value) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(header)
    for row in body:
        writer.writerow([_safe_text(row[0]), *row[1:]])
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[TeamFunding], *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, body = report_rows(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Funding %(year)s") % {"year": year}
    bold = Font(bold=True)
    for r, row in enumerate([header, *body], start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = float(value) if isinstance(value, Decimal) else value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever was typed
            elif isinstance(value, Decimal):
                cell.number_format = "£#,##0.00"
            if r == 1:
                cell.font = bold
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 30
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 16
    wb.properties.creator = "Guildbook"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
