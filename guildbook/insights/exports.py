"""The dashboard's and planner's tables as CSV and XLSX, safe to open in a spreadsheet: a
cell that would start a formula (= + - @) is kept as text."""

from __future__ import annotations

from dataclasses import dataclass

from guildbook.core.spreadsheets import sheet_fill, workbook_bytes
from guildbook.surveys.exports import Sheet, as_csv

__all__ = ["Sheet", "Table", "as_csv", "as_xlsx"]


@dataclass
class Table:
    name: str  # the XLSX sheet's name
    sheet: Sheet


def as_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        sheet_fill(ws, [table.sheet.header, *table.sheet.rows])
        ws.column_dimensions["A"].width = 32
    wb.properties.creator = wb.properties.lastModifiedBy = "Guildbook"
    return workbook_bytes(wb)
