"""The report as a Word document laid out per Decree 30/2020/NĐ-CP (appendix I):

A4; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the governing and
issuing body (upper case, the issuing body bold, a short rule under it) and "Số: …/BC-VPĐK" on
the left, the national title (13 pt bold upper case) and motto (14 pt bold, ruled) and the italic
place and date on the right; the document type "BÁO CÁO" and its summary (14 pt bold) centred;
body 14 pt, justified, first line indented 1 cm, 6 pt between paragraphs; "Nơi nhận:" (12 pt
bold italic) with recipients (11 pt) and the signer's title (14 pt bold upper case) and name;
page numbers centred in the top margin from page 2; the appendix on landscape pages.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from datdai.reporting.content import Chart, Heading, Paragraph, Report, Table, cell_text

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 11
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
LANDSCAPE_WIDTH_MM = 297 - MARGINS_MM["left"] - MARGINS_MM["right"]
HEADER_LEFT_MM = 75.0  # "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" on one line at 12 pt; the national title (12 pt) on the right
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _set_font(style_or_run, size: float | None = None) -> None:
    font = style_or_run.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, before: float = 0, after: float = 6,
          line: float = 1.15):
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(before), Pt(after), line
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        _set_font(run, size)
    return p


def _rule(container, width_mm: float, cell_width_mm: float) -> None:
    """A short centred horizontal rule: an empty paragraph, indented, with a bottom border."""
    p = container.add_paragraph()
    side = max((cell_width_mm - width_mm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(4), Pt(2)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.append(borders)


def _cell_margins(table, mm: float) -> None:
    """The space between a cell's border and its text (Word's default 1.9 mm would wrap the names)."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("top", "left", "bottom", "right"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:w"), str(round(mm / 25.4 * 1440)))
        e.set(qn("w:type"), "dxa")
        margins.append(e)
    table._tbl.tblPr.append(margins)


def _cell_width(cell, mm: float) -> None:
    cell.width = Mm(mm)


def _first_paragraph(cell, text: str, **kw):
    """Write into the cell's existing first paragraph (a cell always has one)."""
    p = cell.paragraphs[0]
    fmt = p.paragraph_format
    fmt.alignment = kw.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(kw.get("after", 0)), 1.0
    run = p.add_run(text)
    run.bold, run.italic = kw.get("bold", False), kw.get("italic", False)
    _set_font(run, kw.get("size", 13))
    return p


def _header_block(doc, report: Report) -> None:
    h = report.header
    left_mm, right_mm = HEADER_LEFT_MM, TEXT_WIDTH_MM - HEADER_LEFT_MM
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _no_borders(t)
    _cell_margins(t, 0.3)
    left, right = t.rows[0].cells
    _cell_width(left, left_mm)
    _cell_width(right, right_mm)
    c = WD_ALIGN_PARAGRAPH.CENTER
    lines = [(x, False) for x in h.superior.split("\n") if x] + [(x, True) for x in h.issuer.split("\n") if x]
    for i, (text, bold) in enumerate(lines):
        if i == 0:
            _first_paragraph(left, text, size=12, bold=bold)
        else:
            _para(left, text, size=12, bold=bold, align=c, after=0, line=1.0)
    _rule(left, 22, left_mm)
    _para(left, h.number_line, size=13, align=c, after=0, line=1.0)
    _first_paragraph(right, NATIONAL_TITLE, size=12, bold=True)
    _para(right, MOTTO, size=14, bold=True, align=c, after=0, line=1.0)
    _rule(right, 56, right_mm)
    _para(right, h.place_date, size=14, italic=True, align=c, after=0, line=1.0)
    for row in t.rows:
        row.cells[0].width, row.cells[1].width = Mm(left_mm), Mm(right_mm)


def _title(doc, report: Report) -> None:
    c = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, report.title, size=14, bold=True, align=c, before=18, after=0, line=1.0)
    _para(doc, report.subtitle, size=14, bold=True, align=c, after=0, line=1.0)
    _rule(doc, 40, TEXT_WIDTH_MM)
    _para(doc, "", after=6)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    e = OxmlElement("w:tblHeader")
    e.set(qn("w:val"), "true")
    tr_pr.append(e)


def _table(doc, table: Table, width_mm: float, *, titled: bool = True) -> None:
    if titled:
        _para(doc, table.title, size=BODY_PT - 1, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=4)
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    t = doc.add_table(rows=1 + len(rows), cols=len(table.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    weights = sum(c.width for c in table.columns)
    widths = [width_mm * c.width / weights for c in table.columns]
    for j, col in enumerate(table.columns):
        cell = t.rows[0].cells[j]
        _first_paragraph(cell, col.label, size=TABLE_PT, bold=True)
        _shade(cell, "D9E2F3")
    _repeat_header(t.rows[0])
    for i, values in enumerate(rows, start=1):
        is_total = table.total is not None and i == len(rows)
        for j, (col, value) in enumerate(zip(table.columns, values, strict=True)):
            align = (WD_ALIGN_PARAGRAPH.LEFT if col.kind == "text" else
                     WD_ALIGN_PARAGRAPH.CENTER if col.kind in ("seq", "yesno") else WD_ALIGN_PARAGRAPH.RIGHT)
            _first_paragraph(t.rows[i].cells[j], cell_text(col, value), size=TABLE_PT, bold=is_total, align=align)
    for row in t.rows:
        for j, cell in enumerate(row.cells):
            cell.width = Mm(widths[j])
    if table.note:
        _para(doc, table.note, size=TABLE_PT, italic=True, after=6, line=1.0)
    else:
        _para(doc, "", size=6, after=0)


def _chart(doc, chart: Chart) -> None:
    p = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    p.add_run().add_picture(io.BytesIO(chart.png), width=Mm(min(TEXT_WIDTH_MM, 160)))
    _para(doc, chart.title, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)


def _closing(doc, report: Report) -> None:
    h = report.header
    left_mm, right_mm = 80.0, TEXT_WIDTH_MM - 80.0
    _para(doc, "", after=0)
    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    _no_borders(t)
    left, right = t.rows[0].cells
    p = _first_paragraph(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.space_after = Pt(0)
    for line in h.recipients:
        _para(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0, line=1.0)
    c = WD_ALIGN_PARAGRAPH.CENTER
    _first_paragraph(right, h.signer_title[0] if h.signer_title else "", size=14, bold=True)
    for line in h.signer_title[1:]:
        _para(right, line, size=14, bold=True, align=c, after=0, line=1.0)
    _para(right, "(Ký, ghi rõ họ tên, đóng dấu)" if not h.signer_name else "", size=12, italic=True, align=c,
          after=0, line=1.0)
    for _ in range(4):
        _para(right, "", size=14, after=0, line=1.0)
    _para(right, h.signer_name, size=14, bold=True, align=c, after=0, line=1.0)
    for row in t.rows:
        row.cells[0].width, row.cells[1].width = Mm(left_mm), Mm(right_mm)


def _page_numbers(section) -> None:
    """Page numbers centred in the top margin, not on the first page (Decree 30)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _margins(section) -> None:
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)


def _appendix(doc, report: Report) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    _margins(section)
    c = WD_ALIGN_PARAGRAPH.CENTER
    heading, subject, attached = report.appendix_heading
    _para(doc, heading, size=14, bold=True, align=c, after=0, line=1.0)
    _para(doc, subject, size=14, bold=True, align=c, after=0, line=1.0)
    _para(doc, attached, size=14, italic=True, align=c, after=8, line=1.0)
    _table(doc, report.appendix, LANDSCAPE_WIDTH_MM, titled=False)


def render_docx(report: Report) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _margins(section)
    _page_numbers(section)
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_PT)
    doc.core_properties.title = f"{report.title} {report.subtitle}"
    doc.core_properties.author = report.office.name or report.header.issuer
    doc.core_properties.language = "vi-VN"
    _header_block(doc, report)
    _title(doc, report)
    for block in report.blocks:
        if isinstance(block, Heading):
            _para(doc, block.text, bold=True, indent=True, before=6 if block.level == 1 else 3, after=6)
        elif isinstance(block, Paragraph):
            _para(doc, block.text, italic=block.italic, indent=True)
        elif isinstance(block, Table):
            _table(doc, block, TEXT_WIDTH_MM)
        elif isinstance(block, Chart):
            _chart(doc, block)
    _closing(doc, report)
    _appendix(doc, report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_docx(report: Report, path: Path) -> None:
    path.write_bytes(render_docx(report))


__all__ = ["MARGINS_MM", "render_docx", "write_docx"]
