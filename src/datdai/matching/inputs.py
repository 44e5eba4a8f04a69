"""Reading the two inputs of a reconciliation: the owners export (``chu_su_dung.csv``,
docs/formats/xuat-chu-su-dung-c06.md) and the population register extract (``dan_cu.csv``,
docs/formats/trich-xuat-dan-cu.md).

Every value is read as text (pyarrow with an explicit string type for every column: ID numbers
keep their leading zeros). The encoding is found as the register reader finds it
(:func:`datdai.cleaning.readers.register.detect_encoding`: UTF-8, UTF-8 with BOM, UTF-16, cp1258 or 8-bit
TCVN3/VNI read byte by byte; a file mixing UTF-8 and a legacy encoding is decoded line by line).
Extra columns are kept, after the expected ones. Anything that cannot be read as specified is a
:class:`~datdai.cleaning.readers.errors.DeliveryError` naming the file, and the rows and columns at fault.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datdai.cleaning.readers.columns import snake_header
from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.register import detect_encoding, transcode_mixed
from datdai.cleaning.readers.values import latin1_to_cp1252, to_nfc
from datdai.kernel.spreadsheet import restore_array

OWNER_COLUMNS = (
    "ma_dong", "tinh", "huyen", "xa", "to_so", "so_thua", "so_seri_gcn", "dia_chi_thua",
    "dien_tich", "ho_ten", "nam_sinh", "cccd_cmnd", "loai_giay_to", "so_giay_to", "dia_chi_chu",
)
POPULATION_COLUMNS = (
    "so_dinh_danh", "so_cmnd", "ho_ten", "gioi_tinh", "dan_toc", "ton_giao",
    "tinh_trang_hon_nhan", "ngay_sinh", "noi_dang_ky_khai_sinh", "quoc_tich", "que_quan",
    "thuong_tru", "noi_o_hien_tai", "cha", "me", "vo_chong", "nguoi_dai_dien", "chu_ho",
    "so_so_ho_khau",
)
ROW_COLUMN = "dong"  # the row as a spreadsheet shows it (the header is row 1)

_DELIMITERS = (",", ";", "\t")
_BLOCK = 8 << 20
_SHOWN_DUPLICATES = 1000


def _header(path: Path, sample: str, expected: Sequence[str]) -> tuple[str, list[str]]:
    """(delimiter, column names as identifiers) from the first line of the sample."""
    best: tuple[int, int, str, list[str]] | None = None
    for order, delim in enumerate(_DELIMITERS):
        try:
            row = next(csv.reader(io.StringIO(sample), delimiter=delim))
        except StopIteration:
            break
        names = [snake_header(h) for h in row]
        score = (len(set(names) & set(expected)), -order)
        if best is None or score > best[:2]:
            best = (*score, delim, names)
    if best is None or not any(best[3]):
        raise DeliveryError(path, "tệp trống / empty file")
    return best[2], best[3]


def _check_columns(path: Path, names: list[str], expected: Sequence[str],
                   required: Sequence[str], notes: list[str] | None) -> list[str]:
    """The expected columns the file lacks. A missing required column, a column without a name
    or given twice, and an extra column that looks like a misspelt expected one are errors; any
    other missing column is said in ``notes`` (the matching does without it)."""
    problems = ProblemCollector()
    seen: set[str] = set()
    for i, n in enumerate(names, start=1):
        if not n:
            problems.add(f"cột thứ {i} không có tên / column {i} has no name", 1)
        elif n in seen:
            problems.add(f"tên cột '{n}' lặp lại / duplicate column name", 1, n)
        seen.add(n)
    unknown = [n for n in names if n and n not in expected]
    absent = []
    for name in expected:
        if name in seen:
            continue
        close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
        hint = (f"; có cột '{close[0]}', có phải là '{name}'? / did you mean '{name}' for"
                f" '{close[0]}'?") if close else ""
        if name in required or close:
            problems.add(f"thiếu cột '{name}'{hint} / missing column", 1, name)
        absent.append(name)
    for n in unknown:  # an extra column that looks like a misspelt expected one
        close = difflib.get_close_matches(n, [e for e in expected if e not in seen], n=1,
                                          cutoff=0.6)
        if close:
            problems.add(f"cột '{n}' không đúng tên: có phải '{close[0]}'? / misspelt column,"
                         f" expected '{close[0]}'", 1, n)
    problems.raise_if_any(path, "cột không đúng đặc tả / columns do not follow the spec")
    if absent and notes is not None:
        notes.append(f"{path.name}: không có cột {', '.join(absent)} — đối soát không dùng các "
                     f"trường này / columns absent, matched without them")
    return absent


def _open(source, encoding: str, delimiter: str, names: list[str], bad_rows: list,
          include: Sequence[str] | None = None) -> pa.Table:
    """The file read in parallel blocks; when a row comes out with the wrong number of columns
    (a quoted value holding a line break splits a row between blocks), read again allowing
    line breaks in values (one thread) — the rows still wrong then are the file's."""
    def read(newlines: bool) -> pa.Table:
        def invalid_row(row) -> str:
            bad_rows.append(row)
            return "skip"

        arrow_enc = {"utf-8": "utf8", "utf-8-sig": "utf8"}.get(encoding, encoding)
        options = pacsv.ReadOptions(skip_rows=1, column_names=names, encoding=arrow_enc,
                                    block_size=_BLOCK)
        parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines,
                                   invalid_row_handler=invalid_row)
        convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                       strings_can_be_null=False,
                                       quoted_strings_can_be_null=False,
                                       include_columns=list(include) if include else None)
        src = io.BytesIO(source) if isinstance(source, bytes) else source
        return pacsv.read_csv(src, read_options=options, parse_options=parse,
                              convert_options=convert)

    table = read(newlines=False)
    if bad_rows:
        bad_rows.clear()
        table = read(newlines=True)
    return table


def _read_text_table(path: str | Path, expected: Sequence[str], required: Sequence[str],
                     only: Sequence[str] | None = None,
                     notes: list[str] | None = None) -> tuple[Path, pa.Table]:
    """The file as text columns, the expected ones first (in spec order), then the extras; with
    ``only``, just those columns (the header is still checked against the spec). An expected
    column the file lacks is read as empty (null) text, said in ``notes``."""
    path = Path(path)
    if not path.is_file():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    encoding, sample, _warnings = detect_encoding(path)
    if not sample.strip():
        raise DeliveryError(path, "tệp trống / empty file")
    delimiter, names = _header(path, sample, expected)
    absent = _check_columns(path, names, expected, required, notes)
    requested = list(only) if only else None
    if only:
        only = [c for c in only if c not in absent]
    bad_rows: list = []
    try:
        table = _open(path, encoding, delimiter, names, bad_rows, only)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        bad_rows.clear()
        msg = str(exc)
        if encoding == "cp1258" and "decode" in msg:
            encoding = "latin1"  # a byte cp1258 leaves undefined: byte by byte
            table = _open(path, encoding, delimiter, names, bad_rows, only)
        elif encoding in ("utf-8", "utf-8-sig") and ("UTF8" in msg or "utf-8" in msg.lower()):
            data, encoding, _count = transcode_mixed(path)
            table = _open(data, "utf8", delimiter, names, bad_rows, only)
        else:
            raise DeliveryError(path, f"không đọc được tệp CSV: {msg.splitlines()[0]}"
                                      " / cannot read the CSV") from exc
    if bad_rows:
        problems = ProblemCollector()
        for r in bad_rows:
            problems.add(f"có {r.actual_columns} cột thay vì {len(names)}: "
                         f"{(r.text or '')[:60]!r} / wrong number of columns", r.number)
        problems.raise_if_any(path, "số cột của dòng không khớp dòng tiêu đề (dòng tính theo"
                                    " dòng văn bản) / rows whose column count differs")
    if table.num_rows == 0:
        raise DeliveryError(path, "tệp không có dòng dữ liệu nào / no data rows")
    cols = {}
    wanted = requested or list(expected) + [n for n in names if n not in expected]
    for n in wanted:
        if n in absent:
            cols[n] = pa.nulls(table.num_rows, pa.string())
            continue
        v = table[n].combine_chunks()
        if encoding == "latin1":  # TCVN3/VNI bytes: shown as cp1252 for the text repair
            v = latin1_to_cp1252(v)
        # cp1258 writes tones as combining marks; our writers' formula quoting undone
        cols[n] = restore_array(to_nfc(v))
    return path, pa.table(cols)


def _row_numbers(n: int) -> pa.Array:
    return pa.array(np.arange(2, n + 2, dtype=np.int64))


def _duplicates(path: Path, values: pa.Array, rows: pa.Array, column: str, what: str) -> None:
    """A DeliveryError listing the rows of every value found more than once (blank values are
    reported too: a row identifier may not be empty)."""
    key = pc.utf8_trim_whitespace(values)
    con = duckdb.connect()  # its grouping: a quarter of Arrow's count_distinct on 5M numbers
    try:
        con.register("t", pa.table({"k": key}))
        dup = con.sql("SELECT k FROM t GROUP BY k HAVING count(*) > 1").to_arrow_table()["k"]
    finally:
        con.close()
    if len(dup) == 0:
        return
    mask = pc.is_in(key, dup)
    t = pa.table({"k": pc.filter(key, mask), "r": pc.filter(rows, mask)})
    groups = t.group_by("k").aggregate([("r", "list")]).sort_by("k")
    problems = ProblemCollector(limit=_SHOWN_DUPLICATES)
    for k, rs in zip(groups["k"].to_pylist(), groups["r_list"].to_pylist()):
        shown = ", ".join(str(r) for r in sorted(rs)[:20]) + (" …" if len(rs) > 20 else "")
        problems.add(f"'{k}' lặp lại ở các dòng {shown} / duplicate value", min(rs), column)
    problems.raise_if_any(path, f"{what} / {len(dup)} duplicate values of '{column}'")


# the population columns the matcher uses (reconcile.normalise and reconcile.match)
MATCH_COLUMNS = ("so_dinh_danh", "so_cmnd", "ho_ten", "gioi_tinh", "ngay_sinh", "thuong_tru",
                 "noi_o_hien_tai")


OWNER_REQUIRED = ("ma_dong", "ho_ten")
POPULATION_REQUIRED = ("so_dinh_danh", "ho_ten")


def read_owners(path: str | Path, notes: list[str] | None = None) -> pa.Table:
    """The owners export: the columns of c06-owners.md as text, in spec order, then the extra
    columns, then ``dong`` (int64, the spreadsheet row: the header is row 1). Only ``ma_dong``
    and ``ho_ten`` are required; a missing column is read as empty and said in ``notes``."""
    path, table = _read_text_table(path, OWNER_COLUMNS, OWNER_REQUIRED, notes=notes)
    rows = _row_numbers(table.num_rows)
    _duplicates(path, table["ma_dong"].combine_chunks(), rows, "ma_dong",
                "mã dòng 'ma_dong' phải là duy nhất")
    return table.append_column(ROW_COLUMN, rows)


def read_population(path: str | Path, columns: Sequence[str] | None = None,
                    notes: list[str] | None = None) -> pa.Table:
    """The population register extract: the 19 columns of population-extract.md as text, in
    spec order, then the extra columns (or only ``columns``, e.g. :data:`MATCH_COLUMNS`: a
    national extract is large). ``so_dinh_danh`` must be unique; only it and ``ho_ten`` are
    required (a missing column is read as empty and said in ``notes``)."""
    path, table = _read_text_table(path, POPULATION_COLUMNS, POPULATION_REQUIRED, columns,
                                   notes)
    rows = _row_numbers(table.num_rows)
    _duplicates(path, table["so_dinh_danh"].combine_chunks(), rows, "so_dinh_danh",
                "số định danh 'so_dinh_danh' phải là duy nhất")
    return table


_STREAM_BLOCK = 4 << 20


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes with ``encoding`` (read in blocks: a national extract is
    gigabytes; Python's decoders run at memory speed)."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while block := f.read(_STREAM_BLOCK * 4):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def iter_population(path: str | Path, notes: list[str] | None = None) -> Iterator[pa.Table]:
    """The population extract as consecutive batches of the 19 columns of population-extract.md
    (text, NFC, in spec order, extra columns left out), then ``dong`` (the spreadsheet row),
    read as :func:`read_population` reads it but streamed: the file is never held whole (except
    a file mixing UTF-8 and a legacy encoding, transcoded first). The checks that need the whole
    file (duplicate or blank ``so_dinh_danh``, rows with the wrong number of columns) are made
    as the batches pass and raised as a :class:`DeliveryError` after the last one: a caller
    writing the batches in one transaction rolls it back."""
    path = Path(path)
    if not path.is_file():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    encoding, sample, _warnings = detect_encoding(path)
    if not sample.strip():
        raise DeliveryError(path, "tệp trống / empty file")
    delimiter, names = _header(path, sample, POPULATION_COLUMNS)
    absent = _check_columns(path, names, POPULATION_COLUMNS, POPULATION_REQUIRED, notes)
    source: Path | io.BytesIO = path
    if not _decodes(path, encoding):
        if encoding == "cp1258":
            encoding = "latin1"  # a byte cp1258 leaves undefined: byte by byte
        elif encoding in ("utf-8", "utf-8-sig"):
            data, encoding, _count = transcode_mixed(path)
            source, encoding = io.BytesIO(data), "utf-8"
    bad_rows: list = []

    def invalid_row(row) -> str:
        bad_rows.append(row)
        return "skip"

    arrow_enc = {"utf-8": "utf8", "utf-8-sig": "utf8"}.get(encoding, encoding)
    present = [n for n in POPULATION_COLUMNS if n not in absent]
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, encoding=arrow_enc,
                                       block_size=_STREAM_BLOCK),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         invalid_row_handler=invalid_row),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False,
                                             quoted_strings_can_be_null=False,
                                             include_columns=present))
    keys: list[pa.Array] = []
    first_row = 2
    try:
        for batch in reader:
            n = batch.num_rows
            if n == 0:
                continue
            cols = {}
            for name in POPULATION_COLUMNS:
                if name in absent:
                    cols[name] = pa.nulls(n, pa.string())
                    continue
                v = batch.column(name)
                if encoding == "latin1":
                    v = latin1_to_cp1252(v)
                cols[name] = to_nfc(v)
            rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
            cols[ROW_COLUMN] = rows
            first_row += n
            keys.append(cols["so_dinh_danh"])
            yield pa.table(cols)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        raise DeliveryError(path, f"không đọc được tệp CSV: {str(exc).splitlines()[0]}"
                                  " / cannot read the CSV") from exc
    if bad_rows:
        problems = ProblemCollector()
        for r in bad_rows:
            problems.add(f"có {r.actual_columns} cột thay vì {len(names)}: "
                         f"{(r.text or '')[:60]!r} / wrong number of columns", r.number)
        problems.raise_if_any(path, "số cột của dòng không khớp dòng tiêu đề (dòng tính theo"
                                    " dòng văn bản) / rows whose column count differs")
    if first_row == 2:
        raise DeliveryError(path, "tệp không có dòng dữ liệu nào / no data rows")
    key = pa.chunked_array(keys, pa.string()).combine_chunks()
    rows = _row_numbers(len(key))
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(key)), 0)
    if pc.any(blank).as_py():
        problems = ProblemCollector()
        for r in pc.filter(rows, blank).to_pylist():
            problems.add("số định danh trống / blank personal number", r, "so_dinh_danh")
        problems.raise_if_any(path, "mỗi công dân phải có số định danh / every citizen needs a"
                                    " personal number")
    _duplicates(path, key, rows, "so_dinh_danh", "số định danh 'so_dinh_danh' phải là duy nhất")
