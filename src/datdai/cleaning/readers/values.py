"""Vectorised normalisation of delivery values (Arrow compute and numpy, no per-row Python).

Each function takes an Arrow array of the values as read (string, integer or float), and
where a value cannot be used adds a :class:`~datdai.cleaning.readers.errors.Problem` naming the row as the
user sees it and the file's header.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.readers.errors import ProblemCollector

Column = pa.Array | pa.ChunkedArray

_NULL_STR = pa.scalar(None, pa.string())

# NFC can only change a string holding a code point that is not "NFC quick check: yes". In
# Vietnamese data (and cp1258 decoding) those are the combining marks U+0300–U+036F and the
# few singletons next to them (U+0340–U+0344, U+0374, U+037E): UTF-8 lead bytes CC and CD.
# Other such code points (Greek extended, Hangul, CJK compatibility …) are not looked for.

# cp1252 characters of the bytes 0x80–0x9F (the five bytes cp1252 leaves undefined stay
# latin-1 controls, as :mod:`datdai.kernel.legacy` expects).
_C1_TO_CP1252 = {}
for _b in range(0x80, 0xA0):
    try:
        _C1_TO_CP1252[chr(_b)] = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:
        pass


def combine(values: Column) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def chunkwise(fn):
    """Apply an array function to each chunk of a ChunkedArray (no combining copy)."""

    @functools.wraps(fn)
    def wrapper(values, *args, **kwargs):
        if isinstance(values, pa.ChunkedArray):
            chunks = [fn(c, *args, **kwargs) for c in values.chunks]
            return pa.chunked_array(chunks, type=chunks[0].type if chunks else pa.string())
        return fn(values, *args, **kwargs)

    return wrapper


@chunkwise
def as_string(values: pa.Array) -> pa.Array:
    """Any column as strings; integral floats without ".0"."""
    t = values.type
    if pa.types.is_string(t):
        return values
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return values.cast(pa.string())
    if pa.types.is_floating(t):
        f = values.to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            integral = np.isfinite(f) & (np.floor(f) == f) & (np.abs(f) < 2**53)
        ints = pa.array(np.where(integral, f, 0).astype(np.int64)).cast(pa.string())
        return pc.if_else(pa.array(integral), ints, values.cast(pa.string()))
    if pa.types.is_null(t):
        return pa.nulls(len(values), pa.string())
    return values.cast(pa.string())


_CHUNK = 1 << 18


def _lead_bytes(data: np.ndarray) -> np.ndarray:
    """Positions of bytes CC/CD, scanned in cache-sized chunks (no large temporaries)."""
    buf = np.empty(min(_CHUNK, len(data)), np.uint8)
    hit = np.empty(len(buf), bool)
    found = []
    for start in range(0, len(data), _CHUNK):
        sub = data[start : start + _CHUNK]
        n = len(sub)
        np.bitwise_and(sub, 0xFE, out=buf[:n])
        np.equal(buf[:n], 0xCC, out=hit[:n])
        if hit[:n].any():
            found.append(np.flatnonzero(hit[:n]) + start)
    return np.concatenate(found) if found else np.empty(0, np.int64)


def needs_nfc(values: pa.Array) -> np.ndarray | None:
    """Rows whose UTF-8 bytes hold a code point NFC may change; None when there is none."""
    if len(values) == 0:
        return None
    offsets_buf, data_buf = values.buffers()[1], values.buffers()[2]
    if data_buf is None or data_buf.size == 0:
        return None
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    pos = _lead_bytes(data)
    if not len(pos):
        return None
    rows = np.searchsorted(offsets, pos + offsets[0], side="right") - 1
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return mask


@chunkwise
def to_nfc(values: pa.Array) -> pa.Array:
    """NFC, computed only on the rows that may change (Arrow's normaliser is slow)."""
    values = as_string(values)
    mask = needs_nfc(values)
    if mask is None:
        return values
    idx = np.flatnonzero(mask)
    fixed = pc.utf8_normalize(values.take(pa.array(idx)), "NFC")
    return pc.replace_with_mask(values, pa.array(mask), fixed)


@chunkwise
def blank_to_null(values: pa.Array) -> pa.Array:
    """"" → null; zero-copy (a new validity bitmap over the same data) where possible."""
    blank = pc.equal(pc.binary_length(values), 0)
    if not pc.any(blank).as_py():
        return values
    if values.offset or not pa.types.is_string(values.type):
        return pc.if_else(blank, _NULL_STR, values)
    valid = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(blank, False)))
    if valid.offset:
        valid = pa.concat_arrays([valid])
    bufs = values.buffers()
    return pa.Array.from_buffers(pa.string(), len(values), [valid.buffers()[1], bufs[1], bufs[2]])


def text(values: Column) -> pa.Array:
    """Text as recorded: NFC, "" → null."""
    return blank_to_null(to_nfc(values))


def latin1_to_cp1252(values: Column) -> pa.Array:
    """Text read as latin-1 → as cp1252 shows it (0x80–0x9F bytes become "‰", "Œ", "ƒ" …)."""
    values = as_string(values)
    if not pc.any(pc.match_substring_regex(values, "[\u0080-\u009f]")).as_py():
        return values
    for c1, char in _C1_TO_CP1252.items():
        values = pc.replace_substring(values, c1, char)
    return values


def _rows_where(mask: pa.Array, rows: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    return idx, rows.to_numpy(zero_copy_only=False)[idx] if len(idx) else idx


def _any(mask) -> bool:
    return bool(pc.any(mask).as_py())


def commune_code(values: Column) -> pa.Array:
    """ma_xa: trimmed; a purely numeric code shorter than 5 digits zero-padded ("1234" → "01234")."""
    s = pc.utf8_trim_whitespace(to_nfc(as_string(values)))
    if _any(pc.match_substring(s, ".")):
        s = pc.replace_substring_regex(s, r"^(\d+)\.0*$", r"\1")
    short = pc.less(pc.utf8_length(s), 5)
    if _any(short):
        pad = pc.and_(short, pc.match_substring_regex(s, r"^\d+$"))
        s = pc.if_else(pad, pc.utf8_lpad(s, width=5, padding="0"), s)
    return blank_to_null(s)


def _int_strings(values: Column) -> Column | None:
    """Fast path: every value a non-negative integer Arrow can parse → canonical strings."""
    try:
        ints = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if ints.null_count != values.null_count or _any(pc.less(ints, 0)):
        return None
    return ints.cast(pa.string())


def whole_number(
    values: Column, rows: pa.Array, header: str, problems: ProblemCollector, *,
    allow_null: bool = False,
) -> pa.Array:
    """so_to / so_thua: a non-negative whole number as a canonical decimal string ("012" → "12").

    Accepts integers, "12", " 012 ", "12.0"; anything else (and empty, unless ``allow_null``) is a
    problem.
    """
    out = None
    if pa.types.is_integer(values.type) or pa.types.is_string(values.type):
        out = _int_strings(values)
    if out is not None:
        bad = pc.is_null(out) if not allow_null and out.null_count else None
    elif pa.types.is_integer(values.type):
        neg = pc.less(values, 0)
        out = pc.if_else(neg, _NULL_STR, values.cast(pa.int64()).cast(pa.string()))
        bad = neg if allow_null else pc.is_null(out)
    else:
        s = pc.utf8_trim_whitespace(as_string(values))
        m = pc.extract_regex(s, r"^\+?(?P<n>\d{1,18})(?:[.,]0*)?$")
        n = pc.struct_field(m, "n")
        out = n.cast(pa.int64()).cast(pa.string())
        bad = pc.and_(pc.is_valid(s), pc.is_null(n))
        if not allow_null:
            bad = pc.or_(bad, pc.is_null(out))
    if bad is not None:
        idx, where = _rows_where(bad, rows)
        if len(idx):
            shown = as_string(values).take(pa.array(idx)).to_pylist()
            problems.add_many(where, shown, header,
                              "'{value}' không phải số nguyên không âm / not a whole number")
    return out


def area(values: Column, rows: pa.Array, header: str, problems: ProblemCollector) -> pa.Array:
    """dien_tich: a number; "123.4" and "123,4" accepted; empty → null; anything else a problem."""
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return values.cast(pa.float64())
    s = blank_to_null(as_string(values))
    try:  # fast path: Arrow parses every value
        f = pc.cast(s, pa.float64())
        if not _any(pc.invert(pc.is_finite(f))):
            return f
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    s = blank_to_null(pc.utf8_trim_whitespace(s))
    s2 = pc.replace_substring_regex(s, r"^([+-]?\d+),(\d+)$", r"\1.\2")
    ok = pc.match_substring_regex(s2, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    bad = pc.and_(pc.is_valid(s), pc.invert(ok))
    idx, where = _rows_where(bad, rows)
    if len(idx):
        problems.add_many(where, s.take(pa.array(idx)).to_pylist(), header,
                          "diện tích '{value}' không phải số / not a number")
    return pc.if_else(pc.fill_null(ok, False), s2, _NULL_STR).cast(pa.float64())


def map_scale(values: Column, rows: pa.Array, header: str, problems: ProblemCollector) -> pa.Array:
    """ty_le_ban_do: the scale denominator as int32 ("500", "1:500", "1/2000", "1000.0")."""
    if pa.types.is_integer(values.type):
        return values.cast(pa.int32())
    s = blank_to_null(as_string(values))
    try:  # fast path: plain numbers
        n = pc.cast(s, pa.int32())
        if not _any(pc.less_equal(n, 0)):
            return n
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    s = blank_to_null(pc.utf8_trim_whitespace(s))
    m = pc.extract_regex(s, r"^(?:1\s*[:/]\s*)?(?P<n>\d{1,9})(?:[.,]0*)?$")
    n = pc.struct_field(m, "n")
    bad = pc.and_(pc.is_valid(s), pc.is_null(n))
    idx, where = _rows_where(bad, rows)
    if len(idx):
        problems.add_many(where, s.take(pa.array(idx)).to_pylist(), header,
                          "tỷ lệ bản đồ '{value}' không phải số / not a number")
    return n.cast(pa.int32())
