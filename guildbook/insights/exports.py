"""The dashboard's and planner's tables as CSV and XLSX, safe to open in a spreadsheet: a
cell that would start a formula (= + - @) is kept as text."""

from __future__ import annotations

import io
from dataclasses import dataclass

from guildbook.surveys.exports import Sheet, as_csv

__all__ = ["Sheet", "Table", "as_csv", "as_xlsx"]


@dataclass
class Table:
    name: str  # the XLSX sheet's name
    sheet: Sheet


def as_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        for r, row in enumerate([table.sheet.header, *table.sheet.rows], start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                if r == 1:
                    cell.font = bold
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = 32
    wb.properties.creator = wb.properties.lastModifiedBy = "Guildbook"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
