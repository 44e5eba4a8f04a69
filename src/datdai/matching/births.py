"""Dates of birth as both files write them, read into comparable parts.

The spec says ``dd/mm/yyyy`` (or ``yyyy`` alone), but extracts and exports made by other tools
write ``yyyy-mm-dd``, ``yyyymmdd`` or the American ``mm/dd/yyyy``, and scanned forms carry
letters for digits (``3o/03/|952``: read as 30/03/1952). ISO forms are unambiguous
and read as such. For ``a/b/yyyy`` the order of day and month is decided for the whole column:
values whose second number exceeds 12 (and none whose first does) mean ``mm/dd/yyyy``; values
of both kinds mean a mixed column, read value by value (``dd/mm`` where both are possible);
otherwise ``dd/mm/yyyy`` as the spec says. What was decided is said in a note, never silently.

Every value becomes ``(year, month, day)``: a year alone gives only the year; a date that does
not exist (31/02) gives only its year, as a year-only value would.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.kernel.text import vn_int

BIRTH_COLUMNS = (("nam", pa.int32()), ("thang", pa.int32()), ("ngay", pa.int32()))

_YEAR = r"(?P<y>(?:18|19|20)\d{2})"
_SLASHED = r"^(?P<a>\d{1,2})[/.\- ](?P<b>\d{1,2})[/.\- ]" + _YEAR + r"$"
_ISO = r"^" + _YEAR + r"[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})(?:[T ].*)?$"
_COMPACT_YMD = r"^" + _YEAR + r"(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])$"
_COMPACT_DMY = r"^(?P<d>0[1-9]|[12]\d|3[01])(?P<m>0[1-9]|1[0-2])" + _YEAR + r"$"
_YEAR_ALONE = r"(?:^|\D)" + _YEAR + r"(?:\D|$)"

DAY_FIRST, MONTH_FIRST, MIXED = "dd/mm/yyyy", "mm/dd/yyyy", "hỗn hợp / mixed"


def _ints(parts, name: str) -> pa.Array:
    return pc.cast(pc.struct_field(parts, name), pa.int32())


def slashed_order(values: pa.Array, count: pa.Array | None = None) -> tuple[str, int, int]:
    """(order, values with a first number over 12, values with a second number over 12) of the
    ``a/b/yyyy`` values of a column (each value counted ``count`` times)."""
    parts = pc.extract_regex(pc.fill_null(values, ""), _SLASHED)
    a, b = _ints(parts, "a"), _ints(parts, "b")
    first = _count(pc.greater(a, 12), count)
    second = _count(pc.greater(b, 12), count)
    if second and not first:
        return MONTH_FIRST, first, second
    if second and first:
        return MIXED, first, second
    return DAY_FIRST, first, second


def read_births(values: pa.Array, column: str, notes: list[str] | None = None) -> pa.StructArray:
    """A struct (nam, thang, ngay) per value (int32, null where unknown); a note for every
    choice that is not the spec's plain ``dd/mm/yyyy``. Worked out once per distinct value (a
    register of millions holds a few tens of thousands of dates); the notes count rows."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(pc.fill_null(values, ""))
    count = np.bincount(encoded.indices.to_numpy(zero_copy_only=False),
                        minlength=len(encoded.dictionary)).astype(np.int64)
    parts = _read_distinct(encoded.dictionary, column, pa.array(count), notes)
    return pc.take(parts, encoded.indices)


def _read_distinct(values: pa.Array, column: str, count: pa.Array,
                   notes: list[str] | None) -> pa.StructArray:
    v = pc.utf8_trim_whitespace(values)
    # digits misread by a scanner or mistyped as letters, only inside a date-like value
    datelike = pc.match_substring_regex(v, r"^[\dOoIl|]{1,4}[/.\- ][\dOoIl|]{1,2}[/.\- ][\dOoIl|]{4}$")
    fixed = pc.replace_substring_regex(pc.replace_substring_regex(v, "[Oo]", "0"), "[Il|]", "1")
    v = pc.if_else(datelike, fixed, v)
    order, first, second = slashed_order(v, count)
    s = pc.extract_regex(v, _SLASHED)
    a, b, sy = _ints(s, "a"), _ints(s, "b"), _ints(s, "y")
    if order == MONTH_FIRST:
        sd, sm = b, a
    elif order == MIXED:  # per value: the day is the number that cannot be a month
        swap = pc.fill_null(pc.greater(b, 12), False)
        sd, sm = pc.if_else(swap, b, a), pc.if_else(swap, a, b)
    else:
        sd, sm = a, b
    iso = pc.extract_regex(v, _ISO)
    ymd = pc.extract_regex(v, _COMPACT_YMD)
    dmy = pc.extract_regex(v, _COMPACT_DMY)
    year = pc.coalesce(sy, _ints(iso, "y"), _ints(ymd, "y"), _ints(dmy, "y"),
                       _ints(pc.extract_regex(v, _YEAR_ALONE), "y"))
    month = pc.coalesce(sm, _ints(iso, "m"), _ints(ymd, "m"), _ints(dmy, "m"))
    day = pc.coalesce(sd, _ints(iso, "d"), _ints(ymd, "d"), _ints(dmy, "d"))
    # a date that does not exist keeps only its year
    real = _real_date(year, month, day)
    month = pc.if_else(real, month, pa.scalar(None, pa.int32()))
    day = pc.if_else(real, day, pa.scalar(None, pa.int32()))
    if notes is not None:
        _describe(column, order, first, second, iso, ymd, count, notes)
    return pa.StructArray.from_arrays([year, month, day], fields=[
        pa.field(n, t) for n, t in BIRTH_COLUMNS])


def _real_date(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    ok_parts = pc.and_(pc.and_(pc.is_valid(year), pc.is_valid(month)), pc.is_valid(day))
    iso = pc.binary_join_element_wise(
        pc.cast(year, pa.string()), pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(day, pa.string()), 2, "0"), "-")
    ts = pc.strptime(pc.if_else(ok_parts, iso, pa.scalar(None, pa.string())),
                     format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 31/02 over to 3 March: keep only dates that read back as written
    return pc.fill_null(pc.equal(pc.strftime(ts, format="%Y-%m-%d"), iso), False)


def _count(mask, count: pa.Array | None = None) -> int:
    hits = pc.cast(pc.fill_null(mask, False), pa.int64())
    if count is not None:
        hits = pc.multiply(hits, count)
    return pc.sum(hits).as_py() or 0


def _describe(column, order, first, second, iso, ymd, count, notes) -> None:
    if order == MONTH_FIRST:
        notes.append(f"{column}: ngày viết theo kiểu tháng/ngày/năm (mm/dd/yyyy) — "
                     f"{vn_int(second)} giá trị có số thứ hai lớn hơn 12, không giá trị nào có "
                     f"số thứ nhất lớn hơn 12; đã đọc theo kiểu đó / dates read as mm/dd/yyyy")
    elif order == MIXED:
        notes.append(f"{column}: lẫn hai kiểu ngày/tháng ({vn_int(first)} giá trị chỉ có thể là "
                     f"dd/mm, {vn_int(second)} chỉ có thể là mm/dd); giá trị nào cũng đọc được "
                     f"hai cách thì đọc theo dd/mm/yyyy / mixed day-month order")
    n_iso = _count(pc.is_valid(iso), count)
    n_ymd = _count(pc.is_valid(ymd), count)
    if n_iso:
        notes.append(f"{column}: {vn_int(n_iso)} giá trị viết theo kiểu yyyy-mm-dd, đã đọc "
                     f"đúng kiểu đó / ISO dates read as such")
    if n_ymd:
        notes.append(f"{column}: {vn_int(n_ymd)} giá trị viết liền yyyymmdd, đã đọc đúng kiểu "
                     f"đó / compact dates read as such")
