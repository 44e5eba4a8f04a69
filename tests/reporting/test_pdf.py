"""The PDF report read back with pdftotext: every number of its tables and of section I equals the
independent count; the fonts are Liberation Serif, embedded; page 1 rendered to PNG (pdftoppm) as
an artifact to look at."""

from __future__ import annotations

import re
import subprocess

from PIL import Image

from tests.reporting.conftest import _render_store, keep, render_store
from tests.reporting.readback import (
    appendix_rows,
    cleaning_rows,
    sentences,
    service_rows,
    users_rows,
)


def _text(pdf, layout: bool) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _row_pattern(stt: int | None, first_word: str, cells: list[str], tail: bool = False) -> re.Pattern:
    """A table row's first line: STT, the first word of its label, then its cells in order."""
    head = rf"^\s*{stt}\s+" if stt is not None else r"^\s*"
    body = r"\s+".join(re.escape(c) for c in cells if c != "")
    return re.compile(head + re.escape(first_word) + r"\b.*?\s" + body + (r"(\s.*)?$" if tail else r"\s*$"),
                      re.MULTILINE)


def _check_rows(text: str, labels: list[str], rows: list[list[str]], *, tail: bool = False) -> None:
    for i, (label, cells) in enumerate(zip(labels, rows, strict=True), start=1):
        stt = None if label == "Tổng cộng" else i
        pattern = _row_pattern(stt, label.split()[0], cells, tail)
        assert pattern.search(text), f"{label}: {cells}"


def test_pdf_numbers_equal_the_store(report_province, tmp_path, artifacts):
    data, exp = render_store(report_province, "pdf")
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(data)
    keep(pdf, artifacts, f"bao-cao-{report_province.url.split(':')[0]}.pdf")
    text = _text(pdf, layout=True)
    services = [exp.services[c]["name"] for c in sorted(exp.services)] + ["Tổng cộng"]
    communes = [report_province.names[c] for c in sorted(exp.units)] + ["Tổng cộng"]
    _check_rows(text, services, service_rows(exp))
    _check_rows(text, communes, cleaning_rows(exp))
    _check_rows(text, communes, users_rows(exp))
    _check_rows(text, services, [r[:-1] for r in appendix_rows(exp, {})], tail=True)
    assert report_province.texts["service_notes"]["CHUYEN_QUYEN"].split()[0] in text

    flat = " ".join(_text(pdf, layout=False).split())
    for sentence in sentences(exp):
        assert sentence in flat, sentence
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 123/BC-VPĐK",
                  "Đồng Nai, ngày 05 tháng 12 năm 2025", "BÁO CÁO", "Kết quả thực hiện Đề án 06 tháng 11 năm 2025",
                  "II. KHÓ KHĂN, VƯỚNG MẮC", "III. NHIỆM VỤ TRỌNG TÂM THÁNG TỚI", "IV. ĐỀ XUẤT, KIẾN NGHỊ",
                  report_province.texts["tasks"], "Nơi nhận:", "GIÁM ĐỐC", "Nguyễn Văn Ký", "PHỤ LỤC"):
        assert words in flat, words


def test_pdf_embeds_liberation_serif_and_page_one_renders(report_province, tmp_path, artifacts):
    data, _ = render_store(report_province, "pdf")
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("Liberation-Serif" in r[0] for r in rows), fonts
    assert all(r[-5] == "yes" for r in rows), fonts  # "emb" column: every font embedded
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4

    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "trang")],
                   check=True)
    (png,) = tmp_path.glob("trang-*1.png")
    keep(png, artifacts, f"bao-cao-trang-1-{report_province.url.split(':')[0]}.png")
    with Image.open(png) as im:
        assert abs(im.size[0] - 496) <= 1 and abs(im.size[1] - 702) <= 1  # A4 at 60 dpi
        dark = sum(im.convert("L").histogram()[:128])  # pixels darker than mid-grey
        assert dark > 2000  # text was drawn, not a blank page


def test_no_table_is_cut_with_the_fallback_font(report_province, tmp_path, artifacts, monkeypatch):
    """Without Liberation Serif (a machine without fonts-liberation2) the PDF falls back to DejaVu
    Serif, wider: every word still lies inside the page."""
    from datdai.reporting import fonts

    empty = tmp_path / "khong-co-phong-chu"
    empty.mkdir()
    monkeypatch.setenv("DATDAI_REPORT_FONT_DIR", str(empty))
    monkeypatch.setattr(fonts, "SEARCH_DIRS", [])
    fonts.liberation_serif.cache_clear()
    try:
        data, _ = _render_store.__wrapped__(report_province.url, "pdf", None, "")  # not the cached one
    finally:
        fonts.liberation_serif.cache_clear()
    pdf = tmp_path / "bao-cao-du-phong.pdf"
    pdf.write_bytes(data)
    keep(pdf, artifacts, f"bao-cao-phong-chu-du-phong-{report_province.url.split(':')[0]}.pdf")
    used = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "Liberation" not in used
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    outside = []
    for page, (width, body) in enumerate(re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', boxes, re.S), 1):
        outside += [(page, w, x) for x, w in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', body)
            if float(x) > float(width) - 10]
    assert not outside, outside[:10]
