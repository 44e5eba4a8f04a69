"""Findings: one row per (parcel, rule) — docs/formats/loi-du-lieu.md — plus where it was found.

The nine columns of the spec come first; the extra columns say which side and row of the
delivery the finding is about, which field, what kind of record, and whether the proposed fix
is safe to apply automatically.
"""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from datdai.kernel.spreadsheet import BOM, neutralise_table

SPEC_COLUMNS = ("ma_xa", "so_to", "so_thua", "ma_loi", "muc_do", "mo_ta", "gia_tri_ban_do",
                "gia_tri_thuoc_tinh", "de_xuat")
EXTRA_COLUMNS = ("doi_tuong", "nguon", "dong", "truong", "sua_tu_dong")
FINDING_COLUMNS = SPEC_COLUMNS + EXTRA_COLUMNS
FINDING_SCHEMA = pa.schema([(c, pa.int64() if c == "dong" else pa.string())
                            for c in FINDING_COLUMNS])
# What a rule's query returns: every column but the two the rule itself supplies.
RULE_OUTPUT_COLUMNS = tuple(c for c in FINDING_COLUMNS if c not in ("ma_loi", "muc_do"))


class Severity(StrEnum):
    ERROR = "LOI"  # blocks use of the record
    WARNING = "CANH_BAO"


class Target(StrEnum):
    PARCEL = "THUA_DAT"
    PARTY = "NGUOI_SU_DUNG"
    DOCUMENT = "GIAY_TO"


class Side(StrEnum):
    MAP = "BAN_DO"
    REGISTER = "SO_DIA_CHINH"


class Status(StrEnum):
    """Where a finding stands in the review queue."""

    OPEN = "MO"  # waiting for a person
    AUTO_FIXED = "TU_SUA"  # fixed automatically (through the audit trail, revertible)
    FIXED = "DA_SUA"  # fixed by a person
    ACCEPTED = "CHAP_NHAN"  # accepted as it is
    DISMISSED = "BAC_BO"  # not a defect
    GONE = "KHONG_CON"  # no longer found by a re-check of a corrected delivery (closed by itself)


STATUS_LABELS = {
    Status.OPEN: "Chờ xử lý", Status.AUTO_FIXED: "Đã tự sửa", Status.FIXED: "Đã sửa",
    Status.ACCEPTED: "Chấp nhận như hiện trạng", Status.DISMISSED: "Bác bỏ",
    Status.GONE: "Không còn (giao nộp sửa đã hết lỗi)",
}
AUTO_FIX = "CO"  # value of sua_tu_dong for a safe automatic fix


def empty_findings() -> pa.Table:
    return FINDING_SCHEMA.empty_table()


# After the parcel key (numerically): rule, side, row, field, then every other column, so that
# the order is total and the same whichever engine found them.
SORT_TIEBREAK = ("ma_loi", "nguon", "dong", "truong", "muc_do", "mo_ta", "gia_tri_ban_do",
                 "gia_tri_thuoc_tinh", "de_xuat", "doi_tuong", "sua_tu_dong", "so_to", "so_thua")


def sort_findings(table: pa.Table) -> pa.Table:
    """A total order: parcel key (numerically), rule, side, row, field, then the rest."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return table
    to = pc.cast(pc.if_else(pc.utf8_is_digit(table["so_to"]), table["so_to"], "0"), pa.int64())
    th = pc.cast(pc.if_else(pc.utf8_is_digit(table["so_thua"]), table["so_thua"], "0"), pa.int64())
    keyed = table.append_column("_to", to).append_column("_th", th)
    keyed = keyed.sort_by([("ma_xa", "ascending"), ("_to", "ascending"), ("_th", "ascending"),
                           *((c, "ascending") for c in SORT_TIEBREAK)])
    return keyed.drop_columns(["_to", "_th"])


def write_findings_csv(table: pa.Table, path: str | Path) -> None:
    """Write the findings CSV (UTF-8 with a byte order mark for Excel, header row) atomically: a
    failed write leaves no file. Texts a spreadsheet would take for a formula are neutralised
    (:mod:`datdai.kernel.spreadsheet`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            fh.write(BOM.encode("utf-8"))
            pacsv.write_csv(neutralise_table(table.select(list(FINDING_COLUMNS))), fh,
                            write_options=pacsv.WriteOptions(quoting_style="needed"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
