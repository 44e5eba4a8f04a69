"""Writing the reconciliation result (docs/formats/ket-qua-doi-soat.md) and what explains it, each
atomically: a temporary file next to the target, then :func:`os.replace`. A failure leaves no
partial file.

Beside ``ket_qua_doi_soat.csv`` (the spec's file, what C06 would return) a run writes:

* ``ket_qua_doi_soat.giai_thich.csv`` — per candidate listed in the result (a ``KHOP`` found by
  the model, the candidates of a ``CAN_XAC_MINH``): its probability, its weight in bits and, per
  field (ho_ten, ngay_sinh, dia_chi, gioi_tinh, giay_to), the level reached and the bits it
  gave, so that an officer sees why; ``datdai doi-soat nap-ket-qua`` stores it with the result;
* ``ket_qua_doi_soat.tom_tat.json`` — the run's summary: counts, how the files were read
  (notes), what makes the result doubtful (warnings), the blocking (pairs per rule, recall on
  the ID-matched pairs), the trained model, the thresholds and the time per step.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datdai.kernel.spreadsheet import BOM, neutralise_array
from datdai.matching.inputs import MATCH_COLUMNS, read_owners, read_population
from datdai.matching.match import (
    EXPLANATION_COLUMNS,
    OWNER_COLS,
    POP_COLS,
    RESULT_COLUMNS,
    MatchResult,
    match,
)
from datdai.matching.normalise import normalise_owners, normalise_population
from datdai.matching.qr_evidence import read_qr_evidence


def explanation_path(result: str | Path) -> Path:
    result = Path(result)
    return result.with_name(result.stem + ".giai_thich.csv")


def summary_path(result: str | Path) -> Path:
    result = Path(result)
    return result.with_name(result.stem + ".tom_tat.json")


def _as_text(table: pa.Table, columns) -> pa.Table:
    """The columns as text, null as empty; texts a spreadsheet would take for a formula
    neutralised (numbers are left as they are)."""
    return pa.table({name: pc.fill_null(pc.cast(neutralise_array(table[name]), pa.string()), "")
                     for name in columns})


def _atomic(path: str | Path, write: Callable[[object], None]) -> Path:
    """Write ``path`` through ``write(binary file)``, all or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # an ordinary file, not mkstemp's owner-only one
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _csv(table: pa.Table, columns) -> Callable[[object], None]:
    def write(fh) -> None:
        fh.write(BOM.encode("utf-8"))  # for Excel on Windows; every reader of ours accepts it
        pacsv.write_csv(_as_text(table, columns), fh,
                        write_options=pacsv.WriteOptions(quoting_style="needed"))
    return write


def write_result(table: pa.Table, path: str | Path) -> Path:
    """Write ``table`` (:data:`RESULT_COLUMNS`) as UTF-8 CSV (with a byte order mark) to
    ``path``, atomically."""
    return _atomic(path, _csv(table, RESULT_COLUMNS))


def write_run(result: MatchResult, path: str | Path) -> Path:
    """The result file and its two companions (the module docstring); the result file last,
    so that a result never stands beside another run's explanation."""
    if result.explanations is not None:
        _atomic(explanation_path(path), _csv(result.explanations, EXPLANATION_COLUMNS))
    summary = {"so_dong": result.table.num_rows, "ket_qua": result.counts,
               "ghi_chu": result.notes, "canh_bao": result.warnings, **result.summary}
    text = json.dumps(summary, ensure_ascii=False, indent=1, default=_json_default)
    _atomic(summary_path(path), lambda fh: fh.write(text.encode("utf-8")))
    return write_result(result.table, path)


def _json_default(value):
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def reconcile_files(owners: str | Path, population: str | Path, out: str | Path,
                    progress: Callable[[str, int, int], None] | None = None,
                    engine: str = "duckdb", qr: str | Path | None = None) -> MatchResult:
    """Read, normalise and match the two files (on ``engine``: duckdb or spark), write the
    result; ``qr`` is a file or folder of scanned CCCD QR codes used as CMND → CCCD evidence.
    Returns the :class:`~datdai.matching.match.MatchResult`."""

    def step(done: int) -> None:
        if progress is not None:
            progress("đối soát / reconciling", done, 4)

    step(0)
    started = time.perf_counter()
    evidence = None
    if qr is not None:
        evidence = read_qr_evidence(qr)
    # the two files are read and normalised side by side (Arrow releases the GIL)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="doi-soat") as pool:
        o_notes: list[str] = []
        p_notes: list[str] = []
        # only the columns the matching reads are kept (the raw addresses of a national extract
        # alone are gigabytes)
        o_job = pool.submit(lambda: normalise_owners(
            read_owners(owners, o_notes), o_notes).select(["ma_dong", *OWNER_COLS]))
        p_job = pool.submit(lambda: normalise_population(
            read_population(population, MATCH_COLUMNS, p_notes), p_notes).select(list(POP_COLS)))
        o = o_job.result()
        step(1)
        p = p_job.result()
        step(2)
    # the reading's and normalising's intermediate buffers, freed, are still held by Arrow's
    # allocator (2 GB of a national run's peak): handed back before the matching
    pa.default_memory_pool().release_unused()
    read_secs = time.perf_counter() - started
    notes = o_notes + p_notes
    result = match(o, p, engine=engine, qr=evidence, notes=notes)
    result.summary["thoi_gian"] = {"doc_chuan_hoa": round(read_secs, 2),
                                   **result.summary["thoi_gian"]}
    step(3)
    write_run(result, out)
    step(4)
    return result
