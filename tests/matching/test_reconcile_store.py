"""Reconciling a store end to end (export → match → record → apply), as the demo and the web
job run it, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from datdai.db import schema as s
from datdai.land import repository
from datdai.matching.reconcile_store import reconcile_store


def _load(store, synthetic_province):
    result, folder = synthetic_province
    with store.transaction() as conn:
        repository.load_dataset(conn, result.land, actor="kiem-thu", source="tỉnh giả lập",
                                reason="test")
    return folder


def _count(store, table) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_one_commune_is_matched_and_recorded_without_changing_the_land_data(
        store, synthetic_province, tmp_path):
    folder = _load(store, synthetic_province)
    with store.read() as conn:
        communes = sorted(conn.execute(select(s.parcels.c.commune_code).distinct()).scalars())
    batches = _count(store, s.audit_batches)
    done = reconcile_store(store, folder / "dan_cu.csv", tmp_path / "lan-1", actor="kiem-thu",
                           communes=communes[:1], apply=False)
    assert done.applied is None and done.rows > 0
    outcomes = {k: done.counts.get(k, 0) for k in ("KHOP", "CAN_XAC_MINH", "KHONG_KHOP")}
    assert done.counts["rows"] == done.rows == sum(outcomes.values())
    assert outcomes["KHOP"] > 0.7 * done.rows  # the synthetic owners are mostly in the extract
    assert (tmp_path / "lan-1" / "chu_su_dung.csv").is_file()
    assert (tmp_path / "lan-1" / "ket_qua_doi_soat.csv").is_file()
    with store.read() as conn:
        run = conn.execute(select(s.reconcile_runs).where(s.reconcile_runs.c.id == done.run_id)).one()
        results = conn.execute(select(func.count()).select_from(s.reconcile_results)
                               .where(s.reconcile_results.c.run_id == done.run_id)).scalar_one()
        other = conn.execute(select(func.count()).select_from(s.reconcile_results).where(
            s.reconcile_results.c.run_id == done.run_id,
            s.reconcile_results.c.commune_code != communes[0])).scalar_one()
    assert run.export_id == done.export_id and results == done.rows and other == 0
    assert _count(store, s.audit_batches) == batches  # recorded, nothing applied


def test_applying_enriches_the_land_users_in_one_audited_batch(store, synthetic_province,
                                                                tmp_path):
    folder = _load(store, synthetic_province)
    done = reconcile_store(store, folder / "dan_cu.csv", tmp_path, actor="kiem-thu")
    assert done.applied is not None and done.applied.parties_changed > 0
    with store.read() as conn:
        batch = conn.execute(select(s.audit_batches).where(
            s.audit_batches.c.id == done.applied.batch_id)).one()
    assert batch.actor == "kiem-thu"
