"""Downloads that people open in a spreadsheet (CSV and XLSX), safe to open: a cell that
would start a formula (= + - @, or a tab or carriage return) is kept as text, CSV starts with
a byte-order mark so Excel reads it as UTF-8, and XLSX stores text as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_text(value) -> str:
    """`value` as text a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_bytes(header: list, rows: Iterable[list]) -> bytes:
    """UTF-8 CSV with a byte-order mark; the caller makes each cell safe."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def sheet_fill(ws, rows: Iterable[list]) -> None:
    """Rows into an XLSX worksheet: the first row bold and frozen above the rest, and text
    stored as text (never a formula, whatever was typed)."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            if r == 1:
                cell.font = bold
    ws.freeze_panes = "A2"


def workbook_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
