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


def test_a_card_read_in_the_field_survey_links_an_old_cmnd(store, tmp_path):
    """The land user is recorded with an old CMND only; the extract has two namesakes and no
    CMND: the match needs review — until the survey reads his card's QR (agreeing with the number
    the surveyor typed), which links the CMND to his personal number."""
    import csv

    from datdai.cleaning.survey import record_submissions
    from datdai.db.files import FileStore
    from datdai.kernel.model import (
        DocumentType,
        Holding,
        IdentityDocument,
        LandDataset,
        Parcel,
        Party,
        PartyKind,
        Right,
        RightKind,
    )
    from datdai.kernel.survey_fields import Submission
    from datdai.matching.inputs import POPULATION_COLUMNS
    from tests.matching.test_qr_evidence import AN, OTHERS, QR_AN, TWIN

    owner = Party("P1", PartyKind.PERSON, "Nguyễn Văn An", documents=[IdentityDocument(DocumentType.CMND, "285123456")],
                  address=AN["thuong_tru"])
    land = LandDataset([], [owner], [Parcel("25216", 1, 1, None, None, 300.0, ("ONT",))],
                       [Holding("B1", [("25216", 1, 1)])], [Right("R1", "B1", "P1", RightKind.LAND_USE)], [], [], [])
    with store.transaction() as conn:
        repository.load_dataset(conn, land, actor="t", source="t", reason="t")
    population = tmp_path / "dan_cu.csv"
    with population.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=POPULATION_COLUMNS)
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in POPULATION_COLUMNS} for r in [AN, TWIN, *OTHERS])

    def result_row(work):
        reconcile_store(store, population, work, actor="t", apply=False)
        with (work / "ket_qua_doi_soat.csv").open(encoding="utf-8") as f:
            return next(csv.DictReader(f))

    before = result_row(tmp_path / "truoc")
    assert before["ket_qua"] == "CAN_XAC_MINH"
    with store.transaction() as conn:
        r = record_submissions(conn, [Submission("uuid:qr", 1, "25216-1-1", {"so_dinh_danh": "070080123456"},
                                                 qr_payload=QR_AN)],
                               source="ODK_CENTRAL", file_name="x.zip", files=FileStore(tmp_path / "f"), actor="t")
    assert r.recorded == 1 and r.qr_contradictions == 0
    after = result_row(tmp_path / "sau")
    assert (after["ket_qua"], after["so_dinh_danh"], after["ly_do"]) == ("KHOP", "070080123456", "CMND_TO_CCCD_QR")
