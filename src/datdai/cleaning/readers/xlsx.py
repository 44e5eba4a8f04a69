"""The register as an Excel workbook (.xlsx), read with openpyxl in read-only mode.

Sheet ``so_dia_chinh`` (compared folded), else the first. Every cell becomes text: integral
numbers without ".0" (an ID number stored as a number has lost its leading zero: it is kept as
is, the rules report it), dates as dd/mm/yyyy. Title rows above the header, a two-row header
and a row of column numbers under it are recognised (:func:`datdai.cleaning.readers.register_columns.find_header`).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.register_columns import (
    BAD_VALUES,
    HEADER_SEARCH_ROWS,
    RegisterSource,
    column_warnings,
    find_header,
    normalise_register,
    output_columns,
)
from datdai.kernel.text import fold_key

SHEET_NAME = "so_dia_chinh"


def cell_text(value: object) -> str | None:
    """A cell as the text a user reads in it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _open(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DeliveryError(path, f"không đọc được tệp Excel (hỏng hoặc sai định dạng): {exc}"
                                  " / cannot read the workbook") from exc


def iter_xlsx(path: Path, batch_size: int = 200_000) -> tuple[RegisterSource, Iterator[pa.RecordBatch]]:
    wb = _open(path)
    sheets = wb.worksheets
    if not sheets:
        wb.close()
        raise DeliveryError(path, "tệp Excel không có trang tính / no worksheet")
    named = [ws for ws in sheets if fold_key(ws.title) == fold_key(SHEET_NAME)]
    ws = named[0] if named else sheets[0]
    ws.reset_dimensions()  # some writers store a wrong sheet size; read every row
    rows_iter = ws.iter_rows(values_only=True)
    head: list[tuple] = []
    for row in rows_iter:
        head.append(row)
        if len(head) >= HEADER_SEARCH_ROWS + 3:
            break
    if not head:
        wb.close()
        raise DeliveryError(path, f"trang tính '{ws.title}' trống / the worksheet is empty")
    try:
        header = find_header([[cell_text(v) for v in r] for r in head], path)
    except DeliveryError:
        wb.close()
        raise
    match = header.match
    warnings = column_warnings(match)
    if len(sheets) > 1 and not named:
        warnings.append(f"tệp có {len(sheets)} trang tính, đọc trang đầu '{ws.title}'"
                        " / several worksheets: the first one is read")
    meta = RegisterSource(path, "xlsx", None, header.row + 1, output_columns(match), warnings,
                          sheet=ws.title)
    width = len(match.headers)

    def rows_after_header() -> Iterator[tuple[int, tuple]]:
        for i in range(header.data_start, len(head)):
            yield i + 1, head[i]
        for i, row in enumerate(rows_iter, start=len(head) + 1):
            yield i, row

    def stream() -> Iterator[pa.RecordBatch]:
        problems = ProblemCollector()
        cols: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []

        def flush() -> list[pa.RecordBatch]:
            if not numbers:
                return []
            arrays = [pa.array(c, pa.string()) for c in cols]
            rows = pa.array(np.asarray(numbers, dtype=np.int64))
            for c in cols:
                c.clear()
            numbers.clear()
            failed = len(problems)
            out = normalise_register(arrays, match, rows, problems)
            return out.to_batches() if not failed and not len(problems) else []

        try:
            for number, row in rows_after_header():
                if not any(v is not None and v != "" for v in row):
                    continue  # blank rows (often after the data) are not parcels
                n = len(row)
                for j in range(width):
                    cols[j].append(cell_text(row[j]) if j < n else None)
                numbers.append(number)
                if len(numbers) >= batch_size:
                    yield from flush()
            yield from flush()
        finally:
            wb.close()
        problems.raise_if_any(path, BAD_VALUES)

    return meta, stream()
