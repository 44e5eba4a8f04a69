"""Writing the reconciliation result (spec/reconcile-result.md) atomically: a temporary file
next to the target, then :func:`os.replace`. A failure leaves no partial file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datdai.reconcile.match import RESULT_COLUMNS, MatchResult


def _as_text(table: pa.Table) -> pa.Table:
    cols = {}
    for name in RESULT_COLUMNS:
        col = table[name]
        cols[name] = pc.fill_null(pc.cast(col, pa.string()), "")
    return pa.table(cols)


def write_result(table: pa.Table, path: str | Path) -> Path:
    """Write ``table`` (:data:`RESULT_COLUMNS`) as UTF-8 CSV to ``path``, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pacsv.write_csv(_as_text(table), fh,
                            write_options=pacsv.WriteOptions(quoting_style="needed"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def reconcile_files(owners: str | Path, population: str | Path, out: str | Path,
                    progress: Callable[[str, int, int], None] | None = None,
                    engine: str = "duckdb", qr: str | Path | None = None) -> MatchResult:
    """Read, normalise and match the two files (on ``engine``: duckdb or spark), write the
    result; ``qr`` is a file or folder of scanned CCCD QR codes used as CMND → CCCD evidence.
    Returns the :class:`~datdai.reconcile.match.MatchResult`."""
    from datdai.reconcile.inputs import MATCH_COLUMNS, read_owners, read_population
    from datdai.reconcile.match import match
    from datdai.reconcile.normalise import normalise_owners, normalise_population

    def step(done: int) -> None:
        if progress is not None:
            progress("đối soát / reconciling", done, 4)

    step(0)
    evidence = None
    if qr is not None:
        from datdai.reconcile.qr_evidence import read_qr_evidence

        evidence = read_qr_evidence(qr)
    # the two files are read and normalised side by side (Arrow releases the GIL)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="doi-soat") as pool:
        o_notes: list[str] = []
        p_notes: list[str] = []
        o_job = pool.submit(lambda: normalise_owners(read_owners(owners, o_notes), o_notes))
        p_job = pool.submit(lambda: normalise_population(
            read_population(population, MATCH_COLUMNS, p_notes), p_notes))
        o = o_job.result()
        step(1)
        p = p_job.result()
        step(2)
    notes = o_notes + p_notes
    result = match(o, p, engine=engine, qr=evidence, notes=notes)
    step(3)
    write_result(result.table, out)
    step(4)
    return result
