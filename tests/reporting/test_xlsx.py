"""The XLSX report read back with openpyxl: one sheet per table, every figure a real number (not
text) with a number format, equal to the independent count."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.reporting.conftest import render_store
from tests.reporting.province import pct

HEADER_ROW = 4


def _rows(ws) -> tuple[list[str], list[tuple]]:
    header = [c.value for c in ws[HEADER_ROW]]
    rows = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[1].value is None:  # the note below the table
            break
        rows.append(row)
    return header, rows


def _approx(cell, percent: float | None) -> bool:
    if percent is None:
        return cell.value is None
    return abs(cell.value - percent / 100) < 1e-9 and cell.number_format == "0.0%"


def _int(cell, value: int) -> bool:
    return type(cell.value) is int and cell.value == value and cell.number_format == "#,##0"


def test_xlsx_sheets_hold_the_numbers(report_province, tmp_path):
    data, exp = render_store(report_province, "xlsx")
    (tmp_path / "bao-cao.xlsx").write_bytes(data)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Thông tin", "Biểu 1 - Hồ sơ", "Biểu 2 - Chuẩn hóa dữ liệu",
                             "Biểu 3 - Người sử dụng đất", "Phụ lục - DVC trực tuyến", "Hồ sơ 12 tháng"]
    codes = sorted(exp.services)

    header, rows = _rows(wb["Biểu 1 - Hồ sơ"])
    assert header[:4] == ["STT", "Thủ tục hành chính", "Tiếp nhận", "Trực tuyến"]
    assert [r[1].value for r in rows] == [exp.services[c]["name"] for c in codes] + ["Tổng cộng"]
    for row, e in zip(rows, [exp.services[c] for c in codes] + [exp.service_totals], strict=True):
        for j, key in ((2, "total"), (3, "online"), (5, "on_time"), (6, "overdue"), (8, "digitized")):
            assert _int(row[j], e[key]), (row[1].value, key, row[j].value)
        assert _approx(row[4], pct(e["online"], e["total"]))
        assert _approx(row[7], pct(e["on_time"], e["on_time"] + e["overdue"]))
        assert _approx(row[9], pct(e["digitized"], e["total"]))

    header, rows = _rows(wb["Biểu 2 - Chuẩn hóa dữ liệu"])
    units = sorted(exp.units)
    assert [r[1].value for r in rows] == [report_province.names[c] for c in units] + ["Tổng cộng"]
    for row, e in zip(rows, [exp.units[c] for c in units] + [exp.unit_totals], strict=True):
        for j, key in ((3, "parcels"), (4, "checked"), (5, "spatial_ok"), (6, "attribute_ok"), (7, "clean"),
                       (9, "findings_open"), (10, "findings_fixed")):
            assert _int(row[j], e[key]), (row[1].value, key)
        assert _approx(row[8], pct(e["clean"], e["parcels"]))

    header, rows = _rows(wb["Biểu 3 - Người sử dụng đất"])
    for row, c in zip(rows, [*units, None], strict=True):
        e = exp.units[c] if c else exp.unit_totals
        for j, key in ((2, "land_users"), (3, "reconciled"), (4, "matched"), (5, "updated")):
            assert _int(row[j], e[key]), (row[1].value, key)
        assert _approx(row[6], pct(e["updated"], e["land_users"]))
        assert row[7].value == (("Có" if e["connected"] else "Không") if c else e["connected"])

    header, rows = _rows(wb["Phụ lục - DVC trực tuyến"])
    assert header[-1] == "Khó khăn, vướng mắc"
    for row, c in zip(rows, [*codes, None], strict=True):
        e = exp.services[c] if c else exp.service_totals
        assert row[2].value == (("Có" if e["connected"] else "Không") if c else e["connected"])
        for j, key in ((3, "total"), (4, "online"), (6, "on_time"), (7, "overdue")):
            assert _int(row[j], e[key])
        assert row[8].value == (report_province.texts["service_notes"].get(c) if c else None)

    header, rows = _rows(wb["Hồ sơ 12 tháng"])
    assert rows[-1][0].value == "11/2025" and len(rows) == 12
    last = rows[-1]
    assert [last[header.index(k)].value for k in ("Tổng số hồ sơ", "Trực tuyến", "Đúng hạn", "Quá hạn")] == [
        exp.service_totals[k] for k in ("total", "online", "on_time", "overdue")]
    assert wb["Hồ sơ 12 tháng"]._charts  # the stacked bar chart

    sheet = list(wb["Thông tin"].iter_rows(values_only=True))
    info = {r[0]: r[1] for r in sheet if r[0]}
    assert info["Số, ký hiệu"] == "Số: 123/BC-VPĐK" and info["Tháng báo cáo"] == "tháng 11 năm 2025"
    assert "II. KHÓ KHĂN, VƯỚNG MẮC" in info and "IV. ĐỀ XUẤT, KIẾN NGHỊ" in info
    written = [r[1] for r in sheet if not r[0] and len(r) > 1 and r[1]]
    texts = report_province.texts
    assert written == [*texts["problems"].split("\n"), texts["tasks"], texts["proposals"]]


LINK = '=HYPERLINK("http://x","Bấm vào đây")'


def test_texts_are_strings_never_formulas():
    """Report texts that look like formulas (an office name, a paragraph, a table cell) are
    stored as strings with Excel's quote prefix; numbers stay numbers; the workbook holds no
    formula at all."""
    import datetime as dt
    import zipfile

    from datdai.reporting.content import Column, Header, Heading, Paragraph, Report, Table
    from datdai.reporting.figures import Office
    from datdai.reporting.xlsx_report import render_xlsx

    table = Table(sheet="Biểu 1", title=LINK, columns=(Column("STT", "seq"), Column("Tên", "text"),
                                                        Column("Số", "int")),
                  rows=((1, LINK, -5), (2, "-chú thích", 7)), note="@ghi chú")
    report = Report(month="2025-11", header=Header("A", "B", "Số: 1", "ngày", ("GĐ",), "X", ()),
                    title="BÁO CÁO", subtitle="+tháng 11", office=Office("", LINK),
                    blocks=(Heading("II. Kết quả"), Paragraph(LINK)), appendix=table,
                    tables=(table,), figures=None, as_of=dt.date(2025, 11, 30))
    data = render_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in x for x in sheets)
    wb = load_workbook(io.BytesIO(data))
    info, ws = wb["Thông tin"], wb["Biểu 1"]
    texts = [c for w in (info, ws) for row in w.iter_rows() for c in row if isinstance(c.value, str)]
    linked = [c for c in texts if c.value == LINK]
    assert len(linked) == 3  # the paragraph, the table's title and its cell
    assert all(c.data_type == "s" and c.quotePrefix for c in linked)
    assert all(c.quotePrefix for c in texts if c.value[0] in "=+-@")  # "+tháng 11 — =HYP…" too
    assert sum(c.value.startswith("+tháng") for c in texts) == 2
    assert not any(c.quotePrefix for c in texts if c.value == "STT")
    assert ws.cell(HEADER_ROW + 1, 3).value == -5 and ws.cell(HEADER_ROW + 1, 3).data_type == "n"
