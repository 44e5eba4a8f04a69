"""The land register table's header and columns, whatever the file (CSV or XLSX): the output
schema, finding the header row (title rows above it, a two-row header, column numbers under
it), and normalising the raw text columns into :data:`REGISTER_SCHEMA`. The CSV reader
(:mod:`datdai.cleaning.readers.register`) and the Excel reader (:mod:`datdai.cleaning.readers.xlsx`) share it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from datdai.cleaning.readers.columns import (
    REGISTER_COLUMNS,
    REGISTER_REQUIRED,
    ColumnMatch,
    match_columns,
    require,
)
from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.values import (
    area,
    commune_code,
    latin1_to_cp1252,
    map_scale,
    text,
    whole_number,
)
from datdai.kernel.text import nfc

REGISTER_SCHEMA = pa.schema([
    ("row", pa.int64()), ("ma_xa", pa.string()), ("so_to", pa.string()),
    ("so_thua", pa.string()), ("dien_tich", pa.float64()), ("loai_dat", pa.string()),
    ("ten_chu", pa.string()), ("gioi_tinh", pa.string()), ("nam_sinh", pa.string()),
    ("loai_giay_to", pa.string()), ("so_giay_to", pa.string()), ("dia_chi_chu", pa.string()),
    ("so_seri_gcn", pa.string()), ("dia_chi_thua", pa.string()), ("ty_le_ban_do", pa.int32()),
])  # fmt: skip

HEADER_SEARCH_ROWS = 15
BAD_VALUES = "giá trị không hợp lệ trong sổ địa chính / invalid values in the register"
_COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")
_DIGIT = re.compile(r"[0-9]")


@dataclass
class RegisterSource:
    """What is known of a register table before its rows are read (the streaming metadata)."""

    path: Path
    format: str  # "csv" | "xlsx"
    encoding: str | None
    header_row: int  # 1-based row holding the column names
    columns: list[str]  # output column names (REGISTER_SCHEMA then extras)
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    delimiter: str | None = None


@dataclass
class RegisterTable:
    path: Path
    format: str  # "csv" | "xlsx"
    encoding: str | None
    header_row: int
    table: pa.Table
    warnings: list[str]


# --- header rows ------------------------------------------------------------------------------
@dataclass
class Header:
    row: int  # 0-based index of the row holding the names (the lower one of a two-row header)
    data_start: int  # 0-based index of the first data row
    match: ColumnMatch


def _cells(row: Sequence[object]) -> list[str]:
    return ["" if v is None else nfc(str(v)).strip() for v in row]


def _combined(upper: list[str], lower: list[str]) -> list[str]:
    n = max(len(upper), len(lower))
    upper, lower = upper + [""] * (n - len(upper)), lower + [""] * (n - len(lower))
    return [lo or up for up, lo in zip(upper, lower)]


def _is_column_numbers(cells: list[str]) -> bool:
    values = [c for c in cells if c]
    if len(values) < 2:
        return False
    nums = []
    for v in values:
        m = _COLUMN_NUMBER.match(v)
        if not m:
            return False
        nums.append(int(m.group(1)))
    return all(b > a for a, b in zip(nums, nums[1:]))


def _is_subheader(cells: list[str]) -> bool:
    """A row of text without digits (sub-headers, units) directly under the header."""
    values = [c for c in cells if c]
    return bool(values) and not any(_DIGIT.search(v) for v in values)


class HeaderNotFound(DeliveryError):
    pass


def find_header(rows: list[Sequence[object]], file: str | Path) -> Header:
    """The header among the first rows: title rows above it, a two-row (merged) header, and a
    row of column numbers or sub-headers under it are recognised."""
    cells = [_cells(r) for r in rows]
    best: ColumnMatch | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(cells))):
        single = match_columns(cells[r], REGISTER_COLUMNS)
        pair = (match_columns(_combined(cells[r], cells[r + 1]), REGISTER_COLUMNS)
                if r + 1 < len(cells) else None)
        chosen, last = None, r
        if single.has(REGISTER_REQUIRED):
            chosen = single
            if (pair is not None and pair.has(REGISTER_REQUIRED) and pair.clean
                    and len(pair.columns) > len(single.columns)):
                chosen, last = pair, r + 1
        elif pair is not None and pair.has(REGISTER_REQUIRED):
            chosen, last = pair, r + 1
        if chosen is None:
            for m in (single, pair):
                if m is not None and (best is None or len(m.columns) > len(best.columns)):
                    best = m
            continue
        require(chosen, REGISTER_REQUIRED, file)
        start = last + 1
        for _ in range(2):  # column numbers "(1) (2) …" and/or a sub-header row
            if start < len(cells) and (_is_column_numbers(cells[start])
                                       or _is_subheader(cells[start])):
                start += 1
        return Header(last, start, chosen)
    if best is None:
        best = match_columns([], REGISTER_COLUMNS)
    missing = [c for c in REGISTER_REQUIRED if c not in best.columns]
    found = ", ".join(repr(h) for h in best.headers if h) or "(không có)"
    raise HeaderNotFound(
        file, f"không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu: thiếu cột "
        f"{', '.join(missing)}; tiêu đề gần nhất: {found} / header row not found, missing columns")


# --- normalisation ----------------------------------------------------------------------------
def output_columns(match: ColumnMatch) -> list[str]:
    return list(REGISTER_SCHEMA.names) + [name for _, name in match.extras]


def output_schema(match: ColumnMatch) -> pa.Schema:
    return pa.schema(list(REGISTER_SCHEMA) + [(name, pa.string()) for _, name in match.extras])


def normalise_register(columns: Sequence[pa.Array | pa.ChunkedArray], match: ColumnMatch,
                       rows: pa.Array, problems: ProblemCollector, *, latin1: bool = False
                       ) -> pa.Table:
    """Raw text columns (by position in the file) → a REGISTER_SCHEMA (+ extras) table."""
    n = len(rows)

    def raw(i: int) -> pa.Array | pa.ChunkedArray:
        values = columns[i] if i < len(columns) else pa.nulls(n, pa.string())
        return latin1_to_cp1252(values) if latin1 else values

    out: list[pa.Array] = [rows]
    for name in REGISTER_SCHEMA.names[1:]:
        i = match.columns.get(name)
        if i is None:
            typ = REGISTER_SCHEMA.field(name).type
            out.append(pa.nulls(n, typ))
            continue
        values, header = raw(i), match.headers[i]
        if name == "ma_xa":
            out.append(commune_code(values))
        elif name in ("so_to", "so_thua"):
            out.append(whole_number(values, rows, header, problems))
        elif name == "dien_tich":
            out.append(area(values, rows, header, problems))
        elif name == "ty_le_ban_do":
            out.append(map_scale(values, rows, header, problems))
        else:
            out.append(text(values))
    for i, _ in match.extras:
        out.append(text(raw(i)))
    return pa.Table.from_arrays(out, schema=output_schema(match))


def column_warnings(match: ColumnMatch) -> list[str]:
    missing = [c for c in REGISTER_COLUMNS if c not in match.columns and c not in REGISTER_REQUIRED]
    if not missing:
        return []
    return [f"sổ địa chính không có cột {', '.join(missing)}: để trống"
            " / optional columns missing, left empty"]
