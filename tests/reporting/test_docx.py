"""The DOCX report read back with python-docx: every number of its tables and of section I equals
the independent count; the page is laid out as Decree 30/2020/NĐ-CP asks."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

from tests.reporting.conftest import render_store
from tests.reporting.readback import (
    appendix_rows,
    cleaning_rows,
    sentences,
    service_rows,
    users_rows,
)


def _table(doc, first_header: str, column: int = 1):
    found = [t for t in doc.tables if len(t.rows) > 1 and t.rows[0].cells[column].text == first_header]
    assert len(found) == 1, first_header
    return [[c.text for c in row.cells] for row in found[0].rows[1:]]


def _mm(length) -> float:
    return round(length / Mm(1), 1)


def test_docx_numbers_equal_the_store(report_province, tmp_path):
    data, exp = render_store(report_province, "docx")
    (tmp_path / "bao-cao.docx").write_bytes(data)
    doc = Document(io.BytesIO(data))
    names = [exp.services[c]["name"] for c in sorted(exp.services)]

    rows = _table(doc, "Thủ tục hành chính")
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(names) + 1)] + [""]
    assert [r[1] for r in rows] == names + ["Tổng cộng"]
    assert [r[2:] for r in rows] == service_rows(exp)

    communes = [report_province.names[c] for c in sorted(exp.units)] + ["Tổng cộng"]
    rows = _table(doc, "Lỗi đã xử lý", column=-1)
    assert [r[1] for r in rows] == communes
    assert [r[3:] for r in rows] == cleaning_rows(exp)  # after STT, commune, district

    rows = _table(doc, "Đã kết nối, chia sẻ", column=-1)
    assert [r[1] for r in rows] == communes
    assert [r[2:] for r in rows] == users_rows(exp)

    rows = _table(doc, "Tên dịch vụ công")
    assert [r[1] for r in rows] == names + ["Tổng cộng"]
    assert [r[2:] for r in rows] == appendix_rows(exp, report_province.texts["service_notes"])

    text = "\n".join(p.text for p in doc.paragraphs)
    for sentence in sentences(exp):
        assert sentence in text, sentence


def test_docx_is_an_administrative_report(report_province):
    data, _ = render_store(report_province, "docx")
    doc = Document(io.BytesIO(data))
    head = [c.text for c in doc.tables[0].rows[0].cells]
    assert head[0].startswith("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG\nTỈNH ĐỒNG NAI\nVĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI")
    assert "Số: 123/BC-VPĐK" in head[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head[1] and "Độc lập - Tự do - Hạnh phúc" in head[1]
    assert "Đồng Nai, ngày 05 tháng 12 năm 2025" in head[1]
    paragraphs = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in paragraphs and "Kết quả thực hiện Đề án 06 tháng 11 năm 2025" in paragraphs
    headings = [p for p in paragraphs if p[:4] in ("I. K", "II. ", "III.", "IV. ")]
    assert headings == ["I. KẾT QUẢ THỰC HIỆN TRONG THÁNG", "II. KHÓ KHĂN, VƯỚNG MẮC",
                        "III. NHIỆM VỤ TRỌNG TÂM THÁNG TỚI", "IV. ĐỀ XUẤT, KIẾN NGHỊ"]
    texts = report_province.texts
    i = paragraphs.index("II. KHÓ KHĂN, VƯỚNG MẮC")
    assert paragraphs[i + 1: i + 3] == texts["problems"].split("\n")
    assert texts["tasks"] in paragraphs and texts["proposals"] in paragraphs
    closing = [c.text for c in doc.tables[-2].rows[0].cells]
    assert closing[0].startswith("Nơi nhận:") and "- Lưu: VT." in closing[0]
    assert closing[1].startswith("GIÁM ĐỐC") and closing[1].rstrip().endswith("Nguyễn Văn Ký")
    assert "PHỤ LỤC" in paragraphs and "(Kèm theo Báo cáo số 123/BC-VPĐK ngày 05 tháng 12 năm 2025)" in paragraphs

    first, appendix = doc.sections[0], doc.sections[-1]
    assert (_mm(first.page_width), _mm(first.page_height)) == (210, 297)
    assert 20 <= _mm(first.top_margin) <= 25 and 20 <= _mm(first.bottom_margin) <= 25
    assert 30 <= _mm(first.left_margin) <= 35 and 15 <= _mm(first.right_margin) <= 20
    assert appendix.orientation == WD_ORIENT.LANDSCAPE and _mm(appendix.page_width) == 297
    assert first.different_first_page_header_footer and "PAGE" in first.header._element.xml
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    body = [r for p in doc.paragraphs if p.text.startswith("Trong tháng") for r in p.runs]
    assert body and all(r.font.size == Pt(14) for r in body)
    assert len(doc.inline_shapes) == 3  # the three charts
