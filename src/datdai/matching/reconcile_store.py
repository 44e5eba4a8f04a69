"""Reconciling the store with the population register, end to end: export the land users
(the C06 owners format), match them with a population extract, record the result file in the
store and, when asked, apply the matches through the audit trail. The CCCD QR codes read in the
field survey (``services/survey.py``) go to the matcher as CMND → CCCD evidence. The demo, the web app's job
and any other caller run this one pipeline.

Each step is its own unit of work: the export is read from one snapshot, the match writes its
files atomically, and recording and applying are one transaction — a failure leaves the store as
it was before that transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from datdai.access import purposes
from datdai.access.access_log import CLI_ROLE, write_access_log
from datdai.cleaning.survey import verified_qr_payloads
from datdai.db import schema as s
from datdai.db.store import Store
from datdai.kernel.errors import InvalidInput
from datdai.matching.c06_export import export_c06
from datdai.matching.citizen_extracts import current_extract, write_extract_csv
from datdai.matching.inputs import MATCH_COLUMNS
from datdai.matching.match import MatchResult
from datdai.matching.reconcile_apply import ApplyResult
from datdai.matching.reconciliation import apply_results, record_result
from datdai.matching.result import reconcile_files

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
                    progress: Progress | None = None, role: str = CLI_ROLE) -> StoreReconciliation:
    """Export the land users of ``communes`` (all when None) into ``workdir``, match them with
    the extract ``population`` (None: the extract loaded in the store, ``datdai dan-cu nap``),
    record the result as a run of that export and apply it when ``apply``. The export of personal
    data is access-logged (``actor`` in ``role``) in the transaction that records the result."""
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
        # CCCD QR codes read in the field survey (not contradicting the typed number): identity evidence
        qr_codes = verified_qr_payloads(conn, communes)
    qr_file = None
    if qr_codes:
        qr_file = workdir / "qr_dieu_tra.txt"
        qr_file.write_text("".join(f"{q}\n" for q in qr_codes), encoding="utf-8")
    try:
        matched = reconcile_files(owners, population, result_file, progress=progress, qr=qr_file)
    finally:
        if population == workdir / STORED_COPY:  # a copy of the register's personal data: not kept
            population.unlink(missing_ok=True)
    with store.transaction() as conn:
        run_id = record_result(conn, result_file, export_id=exported.export_id, source="DATDAI",
                               actor=actor)
        write_access_log(conn, username=actor, role=role,
                         action="xuất và đối soát người sử dụng đất với CSDL dân cư",
                         resource=f"c06_exports/{exported.export_id} reconcile_runs/{run_id} "
                                  f"rows={exported.rows}", purpose=purposes.RECONCILE)
        counts = dict(conn.execute(select(s.reconcile_runs.c.counts)
                                   .where(s.reconcile_runs.c.id == run_id)).scalar() or {})
        applied = apply_results(conn, run_id, actor=actor) if apply else None
    return StoreReconciliation(export_id=exported.export_id, rows=exported.rows, run_id=run_id,
                               counts=counts, applied=applied, match=matched)
