"""Reconciling the store with the population register, end to end: export the land users
(the C06 owners format), match them with a population extract, record the result file in the
store and, when asked, apply the matches through the audit trail. The demo, the web app's job
and any other caller run this one pipeline.

Each step is its own unit of work: the export is read from one snapshot, the match writes its
files atomically, and recording and applying are one transaction — a failure leaves the store as
it was before that transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from datdai.domain.errors import InvalidInput
from datdai.exchange.c06_export import export_c06
from datdai.reconcile.inputs import MATCH_COLUMNS
from datdai.reconcile.match import MatchResult
from datdai.reconcile.result import reconcile_files
from datdai.store import schema as s
from datdai.store.citizen_extracts import current_extract, write_extract_csv
from datdai.store.reconcile_apply import ApplyResult
from datdai.store.reconciliation import apply_results, record_result
from datdai.store.store import Store

Progress = Callable[[str, int, int], None]
STORED_COPY = "dan_cu_da_nap.csv"


@dataclass
class StoreReconciliation:
    export_id: int | None
    rows: int  # owner rows exported and matched
    run_id: int
    counts: dict[str, int]  # results per ket_qua of the run
    applied: ApplyResult | None  # None when not asked to apply
    match: MatchResult  # warnings and notes of the matching


def reconcile_store(store: Store, population: Path | None, workdir: Path, *, actor: str,
                    communes: Sequence[str] | None = None, apply: bool = True,
                    progress: Progress | None = None) -> StoreReconciliation:
    """Export the land users of ``communes`` (all when None) into ``workdir``, match them with
    the extract ``population`` (None: the extract loaded in the store, ``datdai dan-cu nap``),
    record the result as a run of that export and apply it when ``apply``."""
    workdir.mkdir(parents=True, exist_ok=True)
    owners, result_file = workdir / "chu_su_dung.csv", workdir / "ket_qua_doi_soat.csv"
    if population is None:
        with store.read() as conn:
            if current_extract(conn) is None:
                raise InvalidInput("cơ sở dữ liệu chưa có bản trích CSDL dân cư: nạp bằng `datdai dan-cu nap"
                                   " --file dan_cu.csv` / the store has no population extract")
            population = workdir / STORED_COPY
            write_extract_csv(conn, population, MATCH_COLUMNS)
    with store.read() as conn:  # a fresh connection: the export reads one snapshot
        exported = export_c06(conn, owners, communes=communes, progress=progress, actor=actor)
    try:
        matched = reconcile_files(owners, population, result_file, progress=progress)
    finally:
        if population == workdir / STORED_COPY:  # a copy of the register's personal data: not kept
            population.unlink(missing_ok=True)
    with store.transaction() as conn:
        run_id = record_result(conn, result_file, export_id=exported.export_id, source="DATDAI",
                               actor=actor)
        counts = dict(conn.execute(select(s.reconcile_runs.c.counts)
                                   .where(s.reconcile_runs.c.id == run_id)).scalar() or {})
        applied = apply_results(conn, run_id, actor=actor) if apply else None
    return StoreReconciliation(export_id=exported.export_id, rows=exported.rows, run_id=run_id,
                               counts=counts, applied=applied, match=matched)
