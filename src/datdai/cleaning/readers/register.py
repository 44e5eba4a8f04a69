"""The land register table of a delivery (``so_dia_chinh``): CSV or XLSX.

Every value is read as text (ID numbers and commune codes keep their leading zeros), then the
key columns are normalised like the map's, ``dien_tich`` becomes a number and ``ty_le_ban_do``
an integer. Rows are numbered as a spreadsheet shows them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.register_columns import (
    BAD_VALUES,
    HEADER_SEARCH_ROWS,
    REGISTER_SCHEMA,
    Header,
    HeaderNotFound,
    RegisterSource,
    RegisterTable,
    column_warnings,
    find_header,
    normalise_register,
    output_columns,
)
from datdai.cleaning.readers.values import latin1_to_cp1252
from datdai.cleaning.readers.xlsx import iter_xlsx
from datdai.kernel.legacy import is_vietnamese_syllable, repair_text
from datdai.kernel.text import nfc

# --- CSV --------------------------------------------------------------------------------------
_SAMPLE = 1 << 20
_DELIMITERS = (",", ";", "\t")


def _decode_sample(raw: bytes, encoding: str, complete: bool) -> str:
    dec = codecs.getincrementaldecoder(encoding)("strict")
    text_ = dec.decode(raw, final=complete)
    if not complete and "\n" in text_:
        text_ = text_[: text_.rindex("\n") + 1]
    return text_


def _viet_words(text_: str) -> int:
    words = [w for w in re.findall(r"[^\W\d_]+", text_) if not w.isascii()]
    return sum(1 for w in words[:3000] if is_vietnamese_syllable(w))


def _legacy_encoding(raw: bytes, complete: bool) -> str:
    """cp1258 (Windows Vietnamese) or 8-bit TCVN3/VNI (read as latin-1, shown as cp1252)."""

    try:
        as_1258 = nfc(_decode_sample(raw, "cp1258", complete))
    except UnicodeDecodeError:
        return "latin1"
    view = latin1_to_cp1252(pa.array([_decode_sample(raw, "latin1", complete)])).to_pylist()[0]
    lines = [ln for ln in view.splitlines() if not ln.isascii()][:300]
    repaired = "\n".join(repair_text(ln)[0] for ln in lines)
    lines_1258 = [ln for ln in as_1258.splitlines() if not ln.isascii()][:300]
    return "latin1" if _viet_words(repaired) > _viet_words("\n".join(lines_1258)) else "cp1258"


def detect_encoding(path: Path) -> tuple[str, str, list[str]]:
    """(pyarrow/Python encoding, decoded sample, warnings)."""
    with open(path, "rb") as fh:
        raw = fh.read(_SAMPLE + 1)
    complete = len(raw) <= _SAMPLE
    raw = raw[:_SAMPLE]
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", _decode_sample(raw, "utf-8-sig", complete), []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", _decode_sample(raw, "utf-16", complete), []
    try:
        return "utf-8", _decode_sample(raw, "utf-8", complete), []
    except UnicodeDecodeError:
        pass
    enc = _legacy_encoding(raw, complete)
    return enc, _decode_sample(raw, enc, complete), [_legacy_warning(enc)]


def _legacy_warning(enc: str) -> str:
    if enc == "cp1258":
        return "tệp CSV không phải UTF-8: đọc theo bảng mã Windows-1258 / not UTF-8: read as cp1258"
    return ("tệp CSV không phải UTF-8, có vẻ mã TCVN3/VNI 8 bit: đọc từng byte, sửa mã ở bước sau"
            " / not UTF-8, looks like 8-bit TCVN3/VNI: read byte by byte")


@dataclass
class _CsvPlan:
    encoding: str
    delimiter: str
    skip_lines: int
    header: Header
    ncols: int
    first_row: int  # spreadsheet row number of the first data record


def _csv_plan(path: Path, encoding: str, sample: str) -> _CsvPlan:
    """Delimiter and header: of ",", ";" and tab, the one whose header matches most columns."""
    attempts: list[tuple[int, HeaderNotFound]] = []
    found: list[tuple[int, int, _CsvPlan]] = []
    for order, delim in enumerate(_DELIMITERS):
        reader = csv.reader(io.StringIO(sample), delimiter=delim)
        rows, line_after = [], []
        for row in reader:
            rows.append(row)
            line_after.append(reader.line_num)
            if len(rows) >= HEADER_SEARCH_ROWS + 3:
                break
        if not rows:
            raise DeliveryError(path, "tệp trống / empty file")
        try:
            header = find_header(rows, path)
        except HeaderNotFound as exc:
            attempts.append((max(len(r) for r in rows), exc))
            continue
        skip = line_after[header.data_start - 1]
        ncols = max(len(header.match.headers), len(rows[header.row]))
        plan = _CsvPlan(encoding, delim, skip, header, ncols, header.data_start + 1)
        found.append((len(header.match.columns), -order, plan))
    if found:
        return max(found, key=lambda f: f[:2])[2]
    raise max(attempts, key=lambda a: a[0])[1]


def _arrow_encoding(encoding: str) -> str:
    return {"utf-8": "utf8", "utf-8-sig": "utf8"}.get(encoding, encoding)


def transcode_mixed(path: Path) -> tuple[bytes, str, int]:
    """A file that is UTF-8 in parts: each line decoded on its own (UTF-8, else the legacy
    encoding found in the other lines); returns (UTF-8 bytes, legacy encoding, lines decoded so)."""
    with open(path, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    out: list[str] = []
    legacy: list[int] = []
    for i, line in enumerate(lines):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append("")
            legacy.append(i)
    enc = _legacy_encoding(b"".join(lines[i] for i in legacy[:2000]), True)
    for i in legacy:
        try:
            out[i] = lines[i].decode(enc)
        except UnicodeDecodeError:  # a byte cp1258 leaves undefined: keep it as latin-1
            out[i] = lines[i].decode("latin1")
    return "".join(out).encode("utf-8"), enc, len(legacy)


_BLOCK = 4 << 20  # pyarrow CSV block: ~10 000 register rows; bigger blocks parse slower


def _csv_options(plan: _CsvPlan, block_size: int, bad_rows: list, encoding: str | None = None):
    names = [f"c{i}" for i in range(plan.ncols)]

    def invalid_row(row) -> str:
        bad_rows.append(row)
        return "skip"

    read = pacsv.ReadOptions(skip_rows=plan.skip_lines, column_names=names,
                             encoding=encoding or _arrow_encoding(plan.encoding),
                             block_size=block_size)
    parse = pacsv.ParseOptions(delimiter=plan.delimiter, newlines_in_values=True,
                               invalid_row_handler=invalid_row)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    return read, parse, convert


def _csv_error(path: Path, exc: Exception) -> DeliveryError:
    msg = str(exc)
    if "UTF8" in msg or "UTF-8" in msg or "utf-8" in msg:
        return _NotUtf8(path, "tệp trộn lẫn mã UTF-8 và mã khác / mixed encodings")
    return DeliveryError(path, f"không đọc được tệp CSV: {msg.splitlines()[0]} / cannot read the CSV")


class _NotUtf8(DeliveryError):
    pass


def _raise_bad_rows(path: Path, bad_rows: list, expected: int) -> None:
    if not bad_rows:
        return
    problems = ProblemCollector()
    for r in bad_rows:
        snippet = (r.text or "")[:60]
        problems.add(f"có {r.actual_columns} cột thay vì {expected}: {snippet!r}"
                     " / wrong number of columns", r.number)
    problems.raise_if_any(path, "số cột của dòng không khớp dòng tiêu đề (dòng tính theo dòng"
                                " văn bản) / rows whose column count differs from the header")


def _batches_from_reader(batches: Iterator[pa.RecordBatch], plan: _CsvPlan, meta: RegisterSource,
                         batch_size: int, bad_rows: list) -> Iterator[pa.RecordBatch]:
    problems = ProblemCollector()
    latin1 = plan.encoding == "latin1"
    row0 = plan.first_row
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def flush() -> list[pa.RecordBatch]:
        nonlocal row0, pending, pending_rows
        if not pending_rows:
            return []
        table = pa.Table.from_batches(pending)
        rows = pa.array(np.arange(row0, row0 + table.num_rows, dtype=np.int64))
        row0 += table.num_rows
        pending, pending_rows = [], 0
        failed = len(problems)
        out = normalise_register(table.columns, plan.header.match, rows, problems, latin1=latin1)
        return out.to_batches() if not failed and not len(problems) else []

    try:
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= batch_size:
                yield from flush()
    except pa.ArrowException as exc:
        raise _csv_error(meta.path, exc) from exc
    _raise_bad_rows(meta.path, bad_rows, plan.ncols)
    yield from flush()
    problems.raise_if_any(meta.path, BAD_VALUES)


def _csv_meta(path: Path) -> tuple[RegisterSource, _CsvPlan]:
    encoding, sample, warnings = detect_encoding(path)
    if not sample.strip():
        raise DeliveryError(path, "tệp trống / empty file")
    plan = _csv_plan(path, encoding, sample)
    match = plan.header.match
    warnings += column_warnings(match)
    meta = RegisterSource(path, "csv", encoding, plan.header.row + 1, output_columns(match),
                          warnings, delimiter=plan.delimiter)
    return meta, plan


def _iter_csv(path: Path, batch_size: int) -> tuple[RegisterSource, Iterator[pa.RecordBatch]]:
    meta, plan = _csv_meta(path)

    def stream() -> Iterator[pa.RecordBatch]:
        bad_rows: list = []
        read, parse, convert = _csv_options(plan, _BLOCK, bad_rows)
        try:
            reader = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                    convert_options=convert)
        except pa.ArrowException as exc:
            raise _csv_error(path, exc) from exc
        yield from _batches_from_reader(iter(reader), plan, meta, batch_size, bad_rows)

    return meta, stream()


def _read_table(source, plan: _CsvPlan, bad_rows: list, encoding: str | None = None) -> pa.Table:
    """The whole file as text columns (the streaming reader: on two cores it is as fast as
    ``read_csv``)."""
    read, parse, convert = _csv_options(plan, _BLOCK, bad_rows, encoding)
    src = io.BytesIO(source) if isinstance(source, bytes) else source
    return pacsv.open_csv(src, read_options=read, parse_options=parse,
                          convert_options=convert).read_all()


def _read_csv(path: Path) -> RegisterTable:
    meta, plan = _csv_meta(path)
    bad_rows: list = []
    try:
        table = _read_table(path, plan, bad_rows)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        bad_rows.clear()
        if plan.encoding == "cp1258" and "decode" in str(exc):
            # a byte cp1258 leaves undefined beyond the sample: read byte by byte instead
            plan.encoding = meta.encoding = "latin1"
            meta.warnings.append(_legacy_warning("latin1"))
            return _finish_csv(path, meta, plan, _read_table(path, plan, bad_rows), bad_rows)
        err = _csv_error(path, exc)
        if not isinstance(err, _NotUtf8) or plan.encoding not in ("utf-8", "utf-8-sig"):
            raise err from exc
        data, enc, count = transcode_mixed(path)
        meta.encoding = f"utf-8+{enc}"
        plan.encoding = enc  # drives the cp1252 view of latin-1 lines
        meta.warnings.append(
            f"tệp CSV trộn lẫn mã: {count} dòng không phải UTF-8 được đọc theo {enc}"
            f" / mixed encodings: {count} lines that are not UTF-8 read as {enc}")
        table = _read_table(data, plan, bad_rows, encoding="utf8")
        del data
    return _finish_csv(path, meta, plan, table, bad_rows)


def _finish_csv(path: Path, meta: RegisterSource, plan: _CsvPlan, table: pa.Table,
                bad_rows: list) -> RegisterTable:
    _raise_bad_rows(path, bad_rows, plan.ncols)
    problems = ProblemCollector()
    rows = pa.array(np.arange(plan.first_row, plan.first_row + table.num_rows, dtype=np.int64))
    out = normalise_register(table.columns, plan.header.match, rows, problems,
                             latin1=plan.encoding == "latin1")
    problems.raise_if_any(path, BAD_VALUES)
    return RegisterTable(path, "csv", meta.encoding, meta.header_row, out, meta.warnings)


# --- entry points -----------------------------------------------------------------------------
def _format(path: Path) -> str:
    if not path.exists():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    if path.is_dir():
        raise DeliveryError(path, "cần một tệp CSV hoặc XLSX, không phải thư mục / not a file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".xls":
        raise DeliveryError(path, "định dạng Excel .xls cũ không được hỗ trợ: lưu lại thành .xlsx"
                                  " hoặc CSV UTF-8 / old .xls is not supported")
    raise DeliveryError(path, f"định dạng '{suffix or path.name}' không được hỗ trợ; dùng CSV"
                              " hoặc XLSX / unsupported format")


def iter_register_batches(
    path: str | Path, batch_size: int = 200_000
) -> tuple[RegisterSource, Iterator[pa.RecordBatch]]:
    """Stream the register as batches (REGISTER_SCHEMA then the extra columns as text).

    Value problems stop the stream; the rest of the file is still scanned so that the
    :class:`DeliveryError` raised at the end lists all of them.
    """
    path = Path(path)
    if _format(path) == "xlsx":
        return iter_xlsx(path, batch_size)
    return _iter_csv(path, batch_size)


def read_register(path: str | Path) -> RegisterTable:
    """Read the whole register table (see :func:`iter_register_batches`)."""
    path = Path(path)
    if _format(path) == "xlsx":
        meta, batches = iter_xlsx(path, 200_000)
        table = pa.Table.from_batches(list(batches), schema=pa.schema(
            [(n, REGISTER_SCHEMA.field(n).type if n in REGISTER_SCHEMA.names else pa.string())
             for n in meta.columns]))
        return RegisterTable(path, "xlsx", None, meta.header_row, table, meta.warnings)
    return _read_csv(path)
