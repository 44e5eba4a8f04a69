"""The report's tables as an Excel workbook (openpyxl): one sheet per table, values as numbers
(whole numbers with a thousands format, rates as fractions with a percent format — Excel shows
them with the separators of the reader's locale), plus a first sheet with the report's particulars
and sections II–IV, and a stacked bar chart of the 12 months.

The workbook holds no formula: every text is stored as a string, and a text a spreadsheet would
take for a formula (``=…``, ``+…``, ``-…``, ``@…``) carries Excel's quote prefix, so that it stays
text when an officer edits the cell (:mod:`datdai.kernel.spreadsheet`).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from datdai.kernel.spreadsheet import is_formula_like
from datdai.reporting.content import Column, Heading, Paragraph, Report, Table

INT_FORMAT = "#,##0"
PCT_FORMAT = "0.0%"
HEADER_ROW = 4
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
_FONT = "Times New Roman"
_INVALID = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_title(name: str) -> str:
    return name.translate(_INVALID)[:31]


def _value(column: Column, value):
    """(cell value, number format)."""
    if value is None:
        return None, None
    if column.kind == "seq":
        return value, "0"
    if column.kind == "pct":
        return value / 100.0, PCT_FORMAT
    if isinstance(value, bool):
        return ("Có" if value else "Không"), None
    if isinstance(value, int):
        return value, INT_FORMAT
    return value, None


def _write_table(ws, table: Table, report: Report) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(name=_FONT, bold=True, size=13)
    ws.append([f"{report.subtitle} — {report.office.name}".strip(" —")])
    ws["A2"].font = Font(name=_FONT, italic=True, size=11)
    ws.append([])
    ws.append([c.label for c in table.columns])
    for j in range(1, len(table.columns) + 1):
        cell = ws.cell(HEADER_ROW, j)
        cell.font = Font(name=_FONT, bold=True, size=11)
        cell.fill = _HEAD_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    for i, values in enumerate(rows):
        r = HEADER_ROW + 1 + i
        is_total = table.total is not None and i == len(rows) - 1
        for j, (col, v) in enumerate(zip(table.columns, values, strict=True), start=1):
            value, fmt = _value(col, v)
            cell = ws.cell(r, j, value)
            if fmt:
                cell.number_format = fmt
            cell.border = _BOX
            cell.font = Font(name=_FONT, size=11, bold=is_total)
            cell.alignment = Alignment(vertical="top", wrap_text=col.kind == "text",
                                       horizontal="center" if col.kind == "yesno" else None)
    if table.note:
        ws.cell(HEADER_ROW + len(rows) + 2, 1, table.note).font = Font(name=_FONT, italic=True, size=10)
    for j, col in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(7.0, min(60.0, 11.0 * col.width))
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3 if len(table.columns) > 2 else 1)


def _info_sheet(ws, report: Report) -> None:
    ws.title = "Thông tin"
    h = report.header
    rows = [(report.title, report.subtitle), ("Cơ quan chủ quản", h.superior), ("Cơ quan ban hành", h.issuer),
            ("Số, ký hiệu", h.number_line), ("Địa danh, ngày", h.place_date), *report.info]
    for label, value in rows:
        ws.append([label, value])
    ws["A1"].font = ws["B1"].font = Font(name=_FONT, bold=True, size=13)
    ws.append([])
    section = None
    for block in report.blocks:
        if isinstance(block, Heading) and block.level == 1 and not block.text.startswith("I."):
            section = block.text
            ws.append([section])
            ws.cell(ws.max_row, 1).font = Font(name=_FONT, bold=True)
        elif section and isinstance(block, Paragraph):
            ws.append(["", block.text])
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100


def _series_chart(ws, table: Table) -> None:
    n_rows = len(table.rows)
    services = [i for i, c in enumerate(table.columns) if c.kind == "int"][:-4]  # the per-service columns
    if not n_rows or not services:
        return
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "Hồ sơ tiếp nhận theo thủ tục, 12 tháng"
    chart.y_axis.title = "Số hồ sơ"
    data = Reference(ws, min_col=services[0] + 1, max_col=services[-1] + 1, min_row=HEADER_ROW,
                     max_row=HEADER_ROW + n_rows)
    cats = Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + n_rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.width, chart.height = 24, 11
    ws.add_chart(chart, f"A{HEADER_ROW + n_rows + 4}")


def _texts_as_strings(wb: Workbook) -> None:
    """openpyxl takes a text beginning with ``=`` for a formula: every text back to a string,
    those that look like a formula with the quote prefix."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if is_formula_like(cell.value):
                        cell.quotePrefix = True


def render_xlsx(report: Report) -> bytes:
    wb = Workbook()
    _info_sheet(wb.active, report)
    for table in report.tables:
        ws = wb.create_sheet(sheet_title(table.sheet))
        _write_table(ws, table, report)
        if table.sheet.startswith("Hồ sơ 12"):
            _series_chart(ws, table)
    _texts_as_strings(wb)
    wb.properties.title = f"{report.title} {report.subtitle}"
    wb.properties.creator = report.office.name or report.header.issuer
    wb.properties.language = "vi-VN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["HEADER_ROW", "INT_FORMAT", "PCT_FORMAT", "render_xlsx", "sheet_title"]
