"""The monthly report as content: header, headings I–IV, paragraphs, tables and charts, in order.

One model, three renderings (``docx_report``, ``pdf_report``, ``xlsx_report``): a table keeps its
raw values (whole numbers, percentages 0–100, yes/no) and each rendering formats them — Vietnamese
text in DOCX and PDF ("5.615", "95,2%"), numbers with number formats in XLSX. Every figure comes
from :class:`~datdai.reporting.figures.MonthFigures`; sections II–IV are the office's own text
(:mod:`datdai.reporting.texts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from datdai.kernel.text import vn_date, vn_document_date, vn_int, vn_percent
from datdai.reporting.figures import (
    FigureFile,
    MonthFigures,
    Office,
    ProgressRow,
    ServiceRow,
    sum_services,
)
from datdai.reporting.texts import ReportTexts

NOT_ENTERED = "(Chưa nhập nội dung.)"
DEFAULT_ISSUER = "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI"
DEFAULT_SYMBOL = "BC-VPĐK"
DEFAULT_SIGNER_TITLE = "GIÁM ĐỐC"
ROLLUP_ISSUER = "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
ROLLUP_SYMBOL = "BC-SNNMT"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "int"  # seq (row number), text, int, pct (0–100 or None), yesno (bool)
    width: float = 1.0  # relative width in DOCX / PDF


@dataclass(frozen=True)
class Table:
    sheet: str  # XLSX sheet name (≤ 31 characters)
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    total: tuple | None = None
    note: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: I, II, …; 2: 1., 2., …


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False


@dataclass(frozen=True)
class Header:
    superior: str  # governing body, upper case; '\n' breaks a line
    issuer: str  # issuing body, upper case; '\n' breaks a line
    number_line: str  # "Số: 15/BC-VPĐK"
    place_date: str  # "Đồng Nai, ngày 05 tháng 12 năm 2025"
    signer_title: tuple[str, ...]  # lines: "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
    signer_name: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    month: str
    header: Header
    title: str
    subtitle: str
    blocks: tuple  # Heading | Paragraph | Table | Chart, in order
    appendix: Table
    tables: tuple[Table, ...]  # every table (XLSX: one sheet each)
    figures: MonthFigures
    office: Office
    as_of: dt.date
    rollup: bool = False
    info: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def appendix_heading(self) -> tuple[str, str, str]:
        """"PHỤ LỤC", its subject, and "(Kèm theo Báo cáo số …/BC-VPĐK ngày …)"."""
        number = self.header.number_line.replace("Số: ", "số ", 1)
        date = self.header.place_date.split(", ", 1)[-1]
        return ("PHỤ LỤC", f"Tình hình cung cấp dịch vụ công trực tuyến {month_title(self.month)}",
                f"(Kèm theo Báo cáo {number} {date[0].lower() + date[1:]})")


def month_title(month: str) -> str:
    return f"tháng {int(month[5:])} năm {month[:4]}"


def province_of(codes: Sequence[str]) -> str | None:
    """The (2025) province of the first commune code that the reference knows: "Tỉnh Đồng Nai"."""
    from datdai.kernel.admin_units import new_commune, old_commune

    for c in codes:
        if not (isinstance(c, str) and c.isdigit() and len(c) == 5):
            continue
        old = old_commune(c)
        if old is not None:
            return old.new_province_name
        new = new_commune(c)
        if new is not None:
            return new.province_name
    return None


def _place(province: str | None) -> str:
    if not province:
        return ""
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.startswith(prefix):
            return province[len(prefix):]
    return province


def in_text(province: str) -> str:
    """"Tỉnh Đồng Nai" → "tỉnh Đồng Nai" (inside a sentence)."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.startswith(prefix):
            return prefix.lower() + province[len(prefix):]
    return province


def make_header(texts: ReportTexts, province: str | None, *, today: dt.date, rollup: bool = False) -> Header:
    """The document's particulars: what the office entered, else defaults from the province (an
    office reports to the provincial Department of Agriculture and Environment; a roll-up is the
    Department's, reporting to the Ministry and the provincial People's Committee)."""
    if rollup:
        superior = texts.superior or (f"ỦY BAN NHÂN DÂN\n{province.upper()}" if province else "")
        issuer = texts.issuer or ROLLUP_ISSUER
        symbol = texts.symbol or ROLLUP_SYMBOL
        default_recipients = ("Bộ Nông nghiệp và Môi trường (để báo cáo);",
                              f"Ủy ban nhân dân {in_text(province)} (để báo cáo);" if province else "",
                              "Ban Giám đốc Sở;", "Lưu: VT.")
    else:
        superior = texts.superior or (f"SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG\n{province.upper()}" if province else "")
        issuer = texts.issuer or DEFAULT_ISSUER
        symbol = texts.symbol or DEFAULT_SYMBOL
        default_recipients = (f"Sở Nông nghiệp và Môi trường {in_text(province)} (để báo cáo);" if province
                              else "Cơ quan cấp trên (để báo cáo);", "Ban Giám đốc;", "Lưu: VT.")
    number = texts.number or "\u00a0" * 6  # left for the clerk to number by hand
    recipients = tuple(line.strip().lstrip("-–").strip() for line in (texts.recipients or "").split("\n")
                       if line.strip())
    if not recipients:
        recipients = tuple(x for x in default_recipients if x)
    titles = tuple(x.strip() for x in (texts.signer_title or DEFAULT_SIGNER_TITLE).split("\n") if x.strip())
    return Header(superior=superior.upper(), issuer=issuer.upper(),
                  number_line=f"Số: {number}/{symbol}",
                  place_date=vn_document_date(texts.report_date or today, texts.place or _place(province)),
                  signer_title=tuple(t.upper() for t in titles), signer_name=texts.signer_name or "",
                  recipients=recipients)


# ------------------------------------------------------------------------------------ tables

def _service_table(f: MonthFigures) -> Table:
    cols = (Column("STT", "seq", 0.4), Column("Thủ tục hành chính", "text", 4.2), Column("Tiếp nhận"),
            Column("Trực tuyến"), Column("Tỷ lệ trực tuyến", "pct"), Column("Đúng hạn"), Column("Quá hạn"),
            Column("Tỷ lệ đúng hạn", "pct"), Column("Số hóa"), Column("Tỷ lệ số hóa", "pct"))

    def row(i, r: ServiceRow):
        return (i, r.name, r.total, r.online, r.online_pct, r.on_time, r.overdue, r.on_time_pct, r.digitized,
                r.digitized_pct)

    t = f.service_totals
    return Table("Biểu 1 - Hồ sơ", "Biểu 1. Kết quả tiếp nhận, giải quyết thủ tục hành chính về đất đai",
                 cols, tuple(row(i, r) for i, r in enumerate(f.services, 1)), row(None, t),
                 note="Tỷ lệ đúng hạn tính trên số hồ sơ đã có kết quả đúng hạn hoặc quá hạn; hồ sơ đang giải "
                      f"quyết đã quá hạn tính đến ngày {vn_date(f.as_of)}.")


def _unit_label(rollup: bool) -> str:
    return "Đơn vị" if rollup else "Xã, phường, thị trấn"


def _connected_col(rollup: bool) -> Column:
    return Column("Số xã đã kết nối, chia sẻ" if rollup else "Đã kết nối, chia sẻ", "int" if rollup else "yesno")


def _cleaning_table(f: MonthFigures, rollup: bool) -> Table:
    districts = any(u.district for u in f.units)
    cols = [Column("STT", "seq", 0.4), Column(_unit_label(rollup), "text", 2.0)]
    if districts:
        cols.append(Column("Huyện (trước 01/7/2025)", "text", 1.6))
    cols += [Column("Số thửa"), Column("Đã kiểm tra"), Column("Chuẩn hóa không gian"),
             Column("Chuẩn hóa thuộc tính"), Column("Đạt chuẩn"), Column("Tỷ lệ đạt chuẩn", "pct"),
             Column("Lỗi chờ xử lý"), Column("Lỗi đã xử lý")]

    def row(i, r: ProgressRow):
        head = (i, r.name) + ((r.district or "",) if districts else ())
        return head + (r.parcels, r.parcels_checked, r.parcels_spatial_ok, r.parcels_attribute_ok,
                       r.parcels_clean, r.clean_pct, r.findings_open, r.findings_fixed)

    return Table("Biểu 2 - Chuẩn hóa dữ liệu", "Biểu 2. Chuẩn hóa, làm sạch dữ liệu địa chính", tuple(cols),
                 tuple(row(i, u) for i, u in enumerate(f.units, 1)), row(None, f.unit_totals),
                 note="Chuẩn hóa không gian: thửa không còn lỗi bản đồ (hình thửa, chồng lấn, trùng thửa, thiếu "
                      "thửa trên bản đồ) chờ xử lý hoặc chấp nhận hiện trạng; chuẩn hóa thuộc tính: không còn lỗi "
                      "thuộc tính như vậy; đạt chuẩn: cả hai. Xã chưa kiểm tra tính 0.")


def _users_table(f: MonthFigures, rollup: bool) -> Table:
    cols = (Column("STT", "seq", 0.4), Column(_unit_label(rollup), "text", 2.2), Column("Người sử dụng đất"),
            Column("Đã đối chiếu CSDLQG về dân cư"), Column("Khớp"), Column("Đã cập nhật"),
            Column("Tỷ lệ cập nhật", "pct"), _connected_col(rollup))

    def row(i, r: ProgressRow, total: bool = False):
        connected = r.communes_connected if (rollup or total) else r.connected
        return (i, r.name, r.land_users, r.land_users_reconciled, r.land_users_matched, r.land_users_updated,
                r.updated_pct, connected)

    note = ("Người sử dụng đất: cá nhân đứng tên quyền sử dụng đất và thành viên hộ gia đình, vợ chồng, nhóm "
            "(không gồm tổ chức); dòng tổng đếm mỗi người một lần.")
    if not rollup:
        note += " Dòng tổng của cột kết nối: số xã đã kết nối."
    return Table("Biểu 3 - Người sử dụng đất", "Biểu 3. Rà soát, cập nhật thông tin người sử dụng đất từ CSDLQG về dân cư",
                 cols, tuple(row(i, u) for i, u in enumerate(f.units, 1)), row(None, f.unit_totals, True),
                 note=note)


def appendix_table(f: MonthFigures, notes: dict[str, str], rollup: bool) -> Table:
    cols = (Column("STT", "seq", 0.4), Column("Tên dịch vụ công", "text", 3.6),
            Column("Số đơn vị đã kết nối Cổng DVCQG" if rollup else "Đã kết nối Cổng DVCQG",
                   "int" if rollup else "yesno"),
            Column("Tổng số hồ sơ"), Column("Hồ sơ trực tuyến"), Column("Tỷ lệ trực tuyến", "pct"),
            Column("Đúng hạn"), Column("Quá hạn"), Column("Khó khăn, vướng mắc", "text", 2.4))

    def row(i, r: ServiceRow, note: str, total: bool = False):
        connected = r.offices_connected if (rollup or total) else r.portal_connected
        return (i, r.name, connected, r.total, r.online, r.online_pct, r.on_time, r.overdue, note)

    t = f.service_totals
    return Table("Phụ lục - DVC trực tuyến", "Phụ lục. Tình hình cung cấp dịch vụ công trực tuyến", cols,
                 tuple(row(i, r, notes.get(r.code, "")) for i, r in enumerate(f.services, 1)),
                 row(None, t, "", True),
                 note="Dòng tổng của cột kết nối: số dịch vụ đã kết nối Cổng Dịch vụ công quốc gia.")


def _series_table(f: MonthFigures, names: dict[str, str]) -> Table:
    codes = sorted({c for p in f.series for c, _ in p.by_service})
    cols = (Column("Tháng", "text", 1.0), *(Column(names.get(c, c), "int") for c in codes),
            Column("Tổng số hồ sơ"), Column("Trực tuyến"), Column("Đúng hạn"), Column("Quá hạn"),
            Column("Tỷ lệ đúng hạn", "pct"))
    rows = tuple((f"{p.month[5:]}/{p.month[:4]}", *(dict(p.by_service).get(c, 0) for c in codes), p.total,
                  p.online, p.on_time, p.overdue, p.on_time_pct) for p in f.series)
    return Table("Hồ sơ 12 tháng", "Hồ sơ tiếp nhận theo tháng (12 tháng)", cols, rows)


def _offices_table(parts: Sequence[FigureFile]) -> Table:
    cols = (Column("STT", "seq", 0.4), Column("Đơn vị", "text", 3.0), Column("Tiếp nhận"), Column("Trực tuyến"),
            Column("Tỷ lệ trực tuyến", "pct"), Column("Đúng hạn"), Column("Quá hạn"), Column("Số hóa"))

    def row(i, name, t: ServiceRow):
        return (i, name, t.total, t.online, t.online_pct, t.on_time, t.overdue, t.digitized)

    rows = tuple(row(i, p.office.name, p.figures.service_totals) for i, p in enumerate(parts, 1))
    total = sum_services([p.figures.service_totals for p in parts])
    return Table("Biểu 1b - Hồ sơ theo đơn vị", "Biểu 1b. Hồ sơ tiếp nhận, giải quyết theo đơn vị", cols, rows,
                 row(None, "Tổng cộng", total))


# ------------------------------------------------------------------------------------ text

def _dossier_paragraph(f: MonthFigures) -> str:
    t = f.service_totals
    return (f"Trong tháng, tiếp nhận {vn_int(t.total)} hồ sơ thủ tục hành chính về đất đai, trong đó "
            f"{vn_int(t.online)} hồ sơ nộp trực tuyến (đạt {vn_percent(t.online_pct)}); giải quyết đúng hạn "
            f"{vn_int(t.on_time)} hồ sơ, quá hạn {vn_int(t.overdue)} hồ sơ (tỷ lệ đúng hạn {vn_percent(t.on_time_pct)}); "
            f"{vn_int(t.digitized)} hồ sơ được số hóa thành phần hồ sơ ({vn_percent(t.digitized_pct)}). "
            f"{vn_int(f.services_connected)}/{vn_int(len(f.services))} thủ tục đã kết nối Cổng Dịch vụ công "
            "quốc gia. Chi tiết tại Biểu 1 và Phụ lục.")


def _cleaning_paragraph(f: MonthFigures, rollup: bool) -> str:
    u = f.unit_totals
    where = f"{vn_int(len(f.units))} đơn vị ({vn_int(u.communes)} xã)" if rollup else f"{vn_int(u.communes)} xã"
    return (f"Dữ liệu địa chính của {where}: {vn_int(u.parcels)} thửa đất, đã kiểm tra {vn_int(u.parcels_checked)} "
            f"thửa; chuẩn hóa về không gian {vn_int(u.parcels_spatial_ok)} thửa ({vn_percent(u.spatial_pct)}), về "
            f"thuộc tính {vn_int(u.parcels_attribute_ok)} thửa ({vn_percent(u.attribute_pct)}); "
            f"{vn_int(u.parcels_clean)} thửa đạt chuẩn cả không gian và thuộc tính ({vn_percent(u.clean_pct)}). "
            f"Còn {vn_int(u.findings_open)} lỗi dữ liệu chờ xử lý; đã xử lý {vn_int(u.findings_fixed)} lỗi. "
            "Chi tiết tại Biểu 2.")


def _users_paragraph(f: MonthFigures) -> str:
    u = f.unit_totals
    return (f"Đã rà soát, đối chiếu {vn_int(u.land_users_reconciled)}/{vn_int(u.land_users)} người sử dụng đất "
            f"với Cơ sở dữ liệu quốc gia về dân cư ({vn_percent(u.reconciled_pct)}), trong đó "
            f"{vn_int(u.land_users_matched)} người khớp thông tin; đã cập nhật thông tin "
            f"{vn_int(u.land_users_updated)}/{vn_int(u.land_users)} người sử dụng đất "
            f"({vn_percent(u.updated_pct)}). Chi tiết tại Biểu 3.")


def _connected_paragraph(f: MonthFigures, rollup: bool) -> str:
    u = f.unit_totals
    text = (f"Số xã đã kết nối, chia sẻ dữ liệu đất đai với Cơ sở dữ liệu quốc gia về dân cư: "
            f"{vn_int(u.communes_connected)}/{vn_int(u.communes)} xã")
    if not rollup:
        names = [r.name for r in f.units if r.connected]
        if names and len(names) <= 30:
            text += " (" + ", ".join(names) + ")"
    return text + "."


def _section_text(text: str) -> tuple[Paragraph, ...]:
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    return tuple(Paragraph(line) for line in lines) or (Paragraph(NOT_ENTERED, italic=True),)


def build_report(source: FigureFile, texts: ReportTexts, *, today: dt.date | None = None, charts: bool = True,
                 parts: Sequence[FigureFile] = ()) -> Report:
    """The report of ``source`` (one office's figures, or a roll-up with its ``parts``)."""
    f = source.figures
    rollup = bool(parts)
    today = today or dt.date.today()
    codes = list(f.scope or ()) + [u.code for u in f.units]
    for p in parts:
        codes += list(p.figures.scope or ()) + [u.code for u in p.figures.units]
    header = make_header(texts, province_of(codes), today=today, rollup=rollup)
    names = {r.code: r.name for r in f.services}

    t1, t2, t3 = _service_table(f), _cleaning_table(f, rollup), _users_table(f, rollup)
    appendix = appendix_table(f, dict(texts.service_notes), rollup)
    series = _series_table(f, names) if f.series else None
    offices = _offices_table(parts) if rollup else None

    blocks: list = [
        Paragraph(f"Số liệu tính đến ngày {vn_date(f.as_of)}, lấy từ cơ sở dữ liệu đất đai"
                  + (f" của {vn_int(len(parts))} đơn vị." if rollup else "."), italic=True),
        Heading("I. KẾT QUẢ THỰC HIỆN TRONG THÁNG"),
        Heading("1. Tiếp nhận, giải quyết thủ tục hành chính về đất đai", 2),
        Paragraph(_dossier_paragraph(f)), t1]
    if offices is not None:
        blocks.append(offices)
    blocks += [
        Heading("2. Chuẩn hóa, làm sạch dữ liệu địa chính", 2), Paragraph(_cleaning_paragraph(f, rollup)), t2,
        Heading("3. Rà soát, cập nhật thông tin người sử dụng đất từ Cơ sở dữ liệu quốc gia về dân cư", 2),
        Paragraph(_users_paragraph(f)), t3,
        Heading("4. Kết nối, chia sẻ dữ liệu đất đai với Cơ sở dữ liệu quốc gia về dân cư", 2),
        Paragraph(_connected_paragraph(f, rollup))]
    if charts:
        from datdai.reporting import charts as ch

        blocks.append(Heading("5. Biểu đồ", 2))
        if f.series:
            blocks += [Chart("Biểu đồ 1. Hồ sơ tiếp nhận theo thủ tục, 12 tháng", ch.dossiers_by_service(f.series, names)),
                       Chart("Biểu đồ 2. Tỷ lệ giải quyết đúng hạn và tỷ lệ trực tuyến, 12 tháng",
                             ch.on_time_rate(f.series))]
        if f.units:
            blocks.append(Chart("Biểu đồ 3. Tiến độ chuẩn hóa dữ liệu và cập nhật người sử dụng đất theo "
                                + ("đơn vị" if rollup else "xã"), ch.progress_by_unit(f.units)))
    blocks += [Heading("II. KHÓ KHĂN, VƯỚNG MẮC"), *_section_text(texts.problems),
               Heading("III. NHIỆM VỤ TRỌNG TÂM THÁNG TỚI"), *_section_text(texts.tasks),
               Heading("IV. ĐỀ XUẤT, KIẾN NGHỊ"), *_section_text(texts.proposals)]
    tables = tuple(t for t in (t1, offices, t2, t3, appendix, series) if t is not None)
    info = (("Tháng báo cáo", month_title(f.month)), ("Đơn vị báo cáo", source.office.name),
            ("Số liệu tính đến ngày", vn_date(f.as_of)),
            ("Phạm vi", ", ".join(f.scope) if f.scope is not None else "toàn bộ cơ sở dữ liệu"))
    return Report(month=f.month, header=header, title="BÁO CÁO",
                  subtitle=f"Kết quả thực hiện Đề án 06 {month_title(f.month)}", blocks=tuple(blocks),
                  appendix=appendix, tables=tables, figures=f, office=source.office, as_of=f.as_of,
                  rollup=rollup, info=info)


def cell_text(column: Column, value) -> str:
    """A table value as DOCX and PDF show it: "5.615", "95,2%", "Có"/"Không", "—" for no rate."""
    if value is None:
        return "—" if column.kind == "pct" else ""
    if column.kind == "seq":
        return str(value)
    if column.kind == "pct":
        return vn_percent(value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return vn_int(value)
    return str(value)


__all__ = ["Chart", "Column", "Header", "Heading", "Paragraph", "Report", "Table", "build_report", "cell_text",
           "make_header", "month_title"]
