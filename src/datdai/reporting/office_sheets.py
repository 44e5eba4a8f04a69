"""Excel workbooks for the office: the findings (with a decision column to fill), the review
queue of the reconciliation and the progress tables — and the decisions taken in a findings
workbook, applied back (``datdai findings list --xlsx``, ``datdai findings decide --from``, the
same from the web pages).

Every text is written as a text cell (a value starting with ``=`` stays text, never a formula);
numbers as numbers; the header row frozen, with a filter. The decisions of a findings workbook
are applied through :func:`datdai.cleaning.store_findings.set_status` — the single decision's function and
audit trail — in the caller's transaction: a row that cannot be applied is refused and said,
with its row and reason; a workbook that cannot be read as a findings workbook applies nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, select

from datdai.access.masking import mask_id_numbers
from datdai.cleaning.findings import Status
from datdai.cleaning.fix_targets import FindingError
from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.store_findings import set_status
from datdai.db import schema as s
from datdai.kernel.text import vn_date, vn_decimals_in

DECISIONS = {
    "DA_SUA": "đã sửa (ghi giá trị đúng ở cột gia_tri_dung nếu cần sửa dữ liệu)",
    "CHAP_NHAN": "chấp nhận như hiện trạng",
    "BAC_BO": "bác bỏ: không phải lỗi",
    "MO": "mở lại",
}
FINDING_COLUMNS = ("ma_phat_hien", "ma_xa", "so_to", "so_thua", "quy_tac", "muc_do", "trang_thai",
                   "truong", "mo_ta", "de_xuat", "quyet_dinh", "gia_tri_dung", "ghi_chu")
DECISION_COLUMN, VALUE_COLUMN, NOTE_COLUMN = "quyet_dinh", "gia_tri_dung", "ghi_chu"
FINDINGS_SHEET = "phat_hien"
BOLD = Font(bold=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text, whatever it starts with (never a formula)
    else:
        cell.value = value


def write_table(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                widths: dict[str, int] | None = None) -> int:
    """``headers`` then ``rows`` into ``ws`` from A1; returns the number of rows written."""
    for j, h in enumerate(headers, start=1):
        _cell(ws, 1, j, h)
        ws.cell(row=1, column=j).font = BOLD
    n = 0
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            _cell(ws, i, j, v)
        n += 1
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    for j, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(j)].width = (widths or {}).get(h, max(10, min(len(h) + 2, 40)))
    return n


def _help_sheet(wb: Workbook, title: str, lines: Sequence[str]) -> None:
    ws = wb.create_sheet("huong_dan")
    _cell(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = BOLD
    for i, line in enumerate(lines, start=3):
        _cell(ws, i, 1, line)
    ws.column_dimensions["A"].width = 120


# ---------------------------------------------------------------- findings


def write_findings(path: Path | IO[bytes], findings: Sequence[Any]) -> int:
    """The findings (rows of ``findings``) with an empty decision column offering the allowed
    decisions (a drop-down list); ID numbers in texts masked. Returns the rows written."""
    wb = Workbook()
    ws = wb.active
    ws.title = FINDINGS_SHEET
    rows = ([f.id, f.commune_code, f.sheet_no, f.parcel_no, f.rule_code, f.severity, f.status, f.field,
             vn_decimals_in(mask_id_numbers(f.message)), mask_id_numbers(f.proposed_fix) if f.proposed_fix else None,
             None, None, None] for f in findings)
    n = write_table(ws, FINDING_COLUMNS, rows, widths={"mo_ta": 60, "de_xuat": 30, "quyet_dinh": 14,
                                                        "gia_tri_dung": 20, "ghi_chu": 30})
    col = get_column_letter(FINDING_COLUMNS.index(DECISION_COLUMN) + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Quyết định không hợp lệ",
                        error="Chọn một trong: " + ", ".join(DECISIONS),
                        promptTitle="Quyết định", prompt="Để trống nếu chưa quyết định")
    dv.add(f"{col}2:{col}{max(n + 1, 2)}")
    ws.add_data_validation(dv)
    _help_sheet(wb, "Cách ghi quyết định hàng loạt", [
        "Điền cột quyet_dinh của các dòng cần xử lý (để trống: không làm gì), rồi nạp lại tệp:",
        "  datdai findings decide --from TỆP.xlsx --actor TÊN   hoặc trang Lỗi dữ liệu → Nạp quyết định.",
        *[f"  {code}: {text}" for code, text in DECISIONS.items()],
        "gia_tri_dung: giá trị đúng, ghi vào dữ liệu qua nhật ký thay đổi (chỉ với DA_SUA).",
        "ghi_chu: lý do, ghi vào lịch sử của phát hiện.",
        "Mỗi dòng được áp dụng hoặc từ chối riêng, với lý do; không sửa các cột khác.",
    ])
    wb.save(path)
    return n


@dataclass(frozen=True)
class RowOutcome:
    row: int  # the spreadsheet row
    finding_id: int | None
    decision: str
    applied: bool
    message: str  # what was done, or why not (Vietnamese)


@dataclass
class DecisionsResult:
    outcomes: list[RowOutcome]

    @property
    def applied(self) -> int:
        return sum(o.applied for o in self.outcomes)

    @property
    def refused(self) -> int:
        return sum(not o.applied for o in self.outcomes)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if hasattr(v, "year") and hasattr(v, "day"):  # a date Excel made of a typed value
        return vn_date(v)
    s = str(v).strip()
    return s or None


def read_decisions(path: Path) -> list[tuple[int, int | None, str, str | None, str | None]]:
    """(row, finding id, decision, value, note) of each row with a decision; DeliveryError when
    the workbook is not a findings workbook (nothing is applied then)."""
    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook at all (zip, XML): the file's fault
        raise DeliveryError(path, f"không đọc được tệp Excel: {exc} / not an XLSX workbook") from None
    try:
        ws = wb[FINDINGS_SHEET] if FINDINGS_SHEET in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [(_text(h) or "").lower() for h in next(it, ())]
        missing = [c for c in ("ma_phat_hien", DECISION_COLUMN) if c not in header]
        if missing:
            raise DeliveryError(path, f"thiếu cột {', '.join(missing)}: hãy dùng tệp xuất bởi "
                                      "`datdai findings list --xlsx` / not a findings workbook")
        at = {h: i for i, h in enumerate(header)}
        out = []
        for r, values in enumerate(it, start=2):
            def get(name, values=values):
                i = at.get(name)
                return _text(values[i]) if i is not None and i < len(values) else None
            decision = get(DECISION_COLUMN)
            if decision is None:
                continue
            raw_id = get("ma_phat_hien")
            finding_id = int(raw_id) if raw_id and raw_id.isdigit() else None
            out.append((r, finding_id, decision.split()[0].upper(), get(VALUE_COLUMN), get(NOTE_COLUMN)))
        return out
    finally:
        wb.close()


def apply_decisions(conn: Connection, path: Path, *, actor: str,
                    communes: set[str] | None = None) -> DecisionsResult:
    """Apply the decisions of a findings workbook in ``conn``'s transaction, row by row, through
    :func:`set_status`; a row that cannot be applied is refused (the others still are).
    ``communes``: the communes the person may decide on (None: all)."""
    outcomes = []
    for row, finding_id, decision, value, note in read_decisions(path):
        if finding_id is not None:
            found = conn.execute(select(s.findings.c.commune_code, s.findings.c.status)
                                 .where(s.findings.c.id == finding_id)).first()
            if found is not None and communes is not None and found.commune_code not in communes:
                outcomes.append(RowOutcome(row, finding_id, decision, False, f"phát hiện #{finding_id} thuộc xã "
                                           f"{found.commune_code}, ngoài phạm vi được giao"))
                continue
            if found is not None and found.status == decision:  # the workbook applied again: no second write
                outcomes.append(RowOutcome(row, finding_id, decision, False,
                                           f"phát hiện #{finding_id} đã ở trạng thái {decision}"))
                continue
        if finding_id is None:
            outcomes.append(RowOutcome(row, None, decision, False, "thiếu mã phát hiện (cột ma_phat_hien)"))
            continue
        if decision not in DECISIONS:
            outcomes.append(RowOutcome(row, finding_id, decision, False,
                                       f"quyết định '{decision}' không hợp lệ ({', '.join(DECISIONS)})"))
            continue
        try:  # set_status refuses before it writes anything
            batch = set_status(conn, finding_id, decision, actor=actor,
                               note=note or f"quyết định hàng loạt từ tệp {path.name}, dòng {row}", value=value)
        except FindingError as exc:
            outcomes.append(RowOutcome(row, finding_id, decision, False, str(exc).split(" / ")[0]))
            continue
        done = f"đã ghi {decision}" + (f"; giá trị ghi qua nhật ký, lô #{batch}" if batch else "")
        outcomes.append(RowOutcome(row, finding_id, decision, True, done))
    return DecisionsResult(outcomes)


# ---------------------------------------------------------------- review queue and progress


def write_review_queue(path: Path | IO[bytes], cases: Sequence[Any]) -> int:
    """One row per candidate of each open case (the land record repeated), as the queue shows
    them (masked unless read unmasked)."""
    headers = ("ma_ket_qua", "lan_doi_soat", "ma_dong", "trang_thai", "diem", "ly_do", "ma_xa", "so_to",
               "so_thua", "ho_ten_dat_dai", "ngay_sinh_dat_dai", "so_dinh_danh_dat_dai", "dia_chi_dat_dai",
               "ung_vien", "so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "so_cmnd", "thuong_tru",
               "noi_o_hien_tai", "xac_suat")

    def rows():
        for c in cases:
            land = c.land
            head = [c.result_id, c.run_id, c.ma_dong, c.status, c.diem, ", ".join(c.reasons) or None,
                    land.commune_code, land.sheet_no, land.parcel_no, land.full_name, land.birth,
                    land.personal_number, land.address]
            if not c.candidates:
                yield [*head, *[None] * 9]
            for x in c.candidates:
                p = (x.evidence or {}).get("xac_suat")
                if x.found:
                    yield [*head, x.rank, x.so_dinh_danh, x.ho_ten, x.ngay_sinh, x.gioi_tinh, x.so_cmnd,
                           x.thuong_tru, x.noi_o_hien_tai, p]
                else:
                    yield [*head, x.rank, x.so_dinh_danh, "(không có trong bản trích CSDL dân cư đang lưu)",
                           None, None, None, None, None, p]

    wb = Workbook()
    ws = wb.active
    ws.title = "hang_doi"
    n = write_table(ws, headers, rows(), widths={"dia_chi_dat_dai": 40, "thuong_tru": 40, "noi_o_hien_tai": 40})
    col = get_column_letter(headers.index("xac_suat") + 1)
    for r in range(2, n + 2):
        ws[f"{col}{r}"].number_format = "0.0%"
    wb.save(path)
    return n


def write_cleaning_progress(path: Path | IO[bytes], figures: Sequence[Any]) -> int:
    headers = ("ma_xa", "so_thua", "da_kiem_tra", "phat_hien", "cho_xu_ly", "tu_sua", "da_sua", "chap_nhan",
               "bac_bo", "thua_con_loi", "ty_le_sach")
    wb = Workbook()
    ws = wb.active
    ws.title = "tien_do_lam_sach"
    n = write_table(ws, headers, ([c.commune_code, c.parcels, c.parcels_checked, c.count(), c.count(Status.OPEN),
                                   c.auto_fixed, c.count(Status.FIXED), c.count(Status.ACCEPTED),
                                   c.count(Status.DISMISSED), c.parcels_open_errors,
                                   None if c.clean_pct is None else c.clean_pct / 100] for c in figures))
    for r in range(2, n + 2):
        ws[f"K{r}"].number_format = "0.0%"
    wb.save(path)
    return n


def write_reconcile_progress(path: Path | IO[bytes], rows: Sequence[Any]) -> int:
    headers = ("ma", "ten", "nguoi_su_dung_dat", "khop", "cho_xac_minh", "khong_khop", "chua_doi_soat",
               "da_cap_nhat", "ty_le_cap_nhat")
    wb = Workbook()
    ws = wb.active
    ws.title = "tien_do_doi_soat"
    n = write_table(ws, headers, ([f.code or "toàn bộ", f.name, f.land_users, f.matched, f.in_review, f.unmatched,
                                   f.not_reconciled, f.enriched,
                                   None if f.enriched_pct is None else f.enriched_pct / 100] for f in rows))
    for r in range(2, n + 2):
        ws[f"I{r}"].number_format = "0.0%"
    wb.save(path)
    return n
