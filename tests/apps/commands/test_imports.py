"""`datdai import`: stores a delivery once, changes nothing the second time, all or nothing."""

from __future__ import annotations

import shutil
from unittest import mock

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.db.store import open_store

runner = CliRunner()
TABLES = (s.deliveries, s.quality_runs, s.findings, s.finding_events, s.parties, s.parcels,
          s.identity_documents, s.rights, s.holdings, s.certificates, s.audit_batches, s.audit_changes)


def _import(url, delivery, *extra):
    return runner.invoke(app, ["import", "--parcels", str(delivery / "thua_dat.gpkg"), "--register",
                               str(delivery / "so_dia_chinh.csv"), "--db", url, *extra])


def _counts(url) -> dict[str, int]:
    store = open_store(url, create=True)
    try:
        with store.read() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}
    finally:
        store.close()


def test_import_then_reimport_changes_nothing(store_url, synth_delivery):
    first = _import(store_url, synth_delivery, "--actor", "nhan-vien-1")
    assert first.exit_code == 0, first.output + str(first.exception)
    assert "Đã nhập giao nộp #1" in first.stdout and "LEGACY_ENCODING" in first.stdout
    after_first = _counts(store_url)
    assert after_first["deliveries"] == 1 and after_first["quality_runs"] == 1
    assert after_first["parcels"] > 290 and after_first["findings"] > 0
    assert after_first["audit_batches"] == 2  # the load, the automatic fixes
    store = open_store(store_url)
    with store.read() as conn:
        d = conn.execute(select(s.deliveries)).one()
        assert (d.actor, d.parcel_source, d.register_source) == ("nhan-vien-1", "thua_dat.gpkg", "so_dia_chinh.csv")
        assert d.counts["parcels"] == after_first["parcels"] and d.counts["auto_fixed"] > 0
        assert {b.actor for b in conn.execute(select(s.audit_batches))} == {"nhan-vien-1"}
    store.close()

    again = _import(store_url, synth_delivery, "--actor", "nhan-vien-2")
    assert again.exit_code == 0, again.output
    assert "đã được nhập" in again.stdout and "không thay đổi" in again.stdout
    assert _counts(store_url) == after_first

    # the same files under other names are the same delivery
    renamed = synth_delivery.parent / f"{synth_delivery.name}-ban-sao"
    renamed.mkdir(exist_ok=True)
    shutil.copy(synth_delivery / "thua_dat.gpkg", renamed / "thua_dat.gpkg")
    shutil.copy(synth_delivery / "so_dia_chinh.csv", renamed / "so_dia_chinh.csv")
    assert _import(store_url, renamed).exit_code == 0
    assert _counts(store_url) == after_first


def test_another_delivery_for_the_same_communes_is_refused(store_url, synth_delivery, tmp_path):
    assert _import(store_url, synth_delivery).exit_code == 0
    before = _counts(store_url)
    changed = tmp_path / "giao-nop-2"
    changed.mkdir()
    shutil.copy(synth_delivery / "thua_dat.gpkg", changed / "thua_dat.gpkg")
    csv = (synth_delivery / "so_dia_chinh.csv").read_text(encoding="utf-8")
    (changed / "so_dia_chinh.csv").write_text(csv.replace(",500,", ",1000,", 1), encoding="utf-8")
    r = _import(store_url, changed)
    assert r.exit_code == 2
    assert "đã có dữ liệu" in r.stderr and "giao nộp #1" in r.stderr and "--cap-nhat" in r.stderr
    assert _counts(store_url) == before


def test_a_failure_late_in_the_import_stores_nothing(store_url, synth_delivery):
    empty = _counts(store_url)
    with mock.patch("datdai.cleaning.delivery_import.apply_auto_fixes", side_effect=RuntimeError("hỏng giữa chừng")):
        r = _import(store_url, synth_delivery)
    assert r.exit_code == 1 and isinstance(r.exception, RuntimeError)
    assert _counts(store_url) == empty
    with mock.patch("datdai.cleaning.delivery_import.record_check", side_effect=RuntimeError("hỏng")):
        assert _import(store_url, synth_delivery).exit_code == 1
    assert _counts(store_url) == empty
    # and the delivery can then be imported for real
    assert _import(store_url, synth_delivery).exit_code == 0
    assert _counts(store_url)["deliveries"] == 1


def test_bad_input_exit_2(tmp_path, synth_delivery):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    r = runner.invoke(app, ["import", "--parcels", str(tmp_path / "khong-co.gpkg"), "--register",
                            str(synth_delivery / "so_dia_chinh.csv"), "--db", url])
    assert r.exit_code == 2 and "khong-co.gpkg" in r.stderr
    bad = tmp_path / "so.csv"
    bad.write_text("cot_la,khac\n1,2\n", encoding="utf-8")
    r = runner.invoke(app, ["import", "--parcels", str(synth_delivery / "thua_dat.gpkg"), "--register",
                            str(bad), "--db", url])
    assert r.exit_code == 2 and "so.csv" in r.stderr
    assert _counts(url)["parcels"] == 0


@pytest.mark.slow
def test_a_corrected_delivery_planned_applied_and_undone(store_url, synth_delivery, tmp_path):
    """--plan prints the plan and writes it (CSV with a BOM; JSON) changing nothing; --cap-nhat
    applies it; import-undo gives the store back; a first import cannot be undone here."""
    import json

    from tests.cleaning.redelivery.corrected import Edits, key_of, read_register, write_corrected

    assert _import(store_url, synth_delivery).exit_code == 0
    _, reg = read_register(synth_delivery / "so_dia_chinh.csv")
    keys = list(dict.fromkeys(key_of(r) for r in reg))
    edits = Edits(removed=[keys[-1]], added=[(keys[0][0], 98, 1)], owner=keys[3])
    second = write_corrected(synth_delivery, tmp_path / "giao-nop-sua", edits, {}, {})
    before = _counts(store_url)
    r = _import(store_url, second, "--plan", "--plan-out", str(tmp_path / "ke_hoach.csv"))
    assert r.exit_code == 0, r.output + str(r.exception)
    assert "Kế hoạch thay đổi theo thửa" in r.stdout and "Chỉ xem trước" in r.stdout
    assert "CHU_SU_DUNG" in r.stdout and f"{keys[0][0]}/98/1" in r.stdout
    raw = (tmp_path / "ke_hoach.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").splitlines()[0].startswith("ma_xa,so_to")
    assert len(raw.decode("utf-8-sig").splitlines()) == 4  # header + added, removed, holders
    assert _import(store_url, second, "--plan-out", str(tmp_path / "ke_hoach.json")).exit_code == 0
    doc = json.loads((tmp_path / "ke_hoach.json").read_text(encoding="utf-8"))
    assert doc["so_luong"]["THEM"] == 1 and doc["so_luong"]["XOA"] == 1 and doc["so_luong"]["CHU_SU_DUNG"] == 1
    assert _counts(store_url) == before

    r = _import(store_url, second, "--cap-nhat", "--actor", "nhan-vien-2")
    assert r.exit_code == 0, r.output + str(r.exception)
    assert "Đã áp dụng giao nộp sửa #2" in r.stdout
    applied = _counts(store_url)
    assert applied["deliveries"] == 2 and applied["audit_batches"] == before["audit_batches"] + 1
    assert _import(store_url, second, "--cap-nhat").stdout.startswith("Giao nộp này đã được nhập")

    r = runner.invoke(app, ["import-undo", "2", "--db", store_url, "--reason", "giao nhầm"])
    assert r.exit_code == 0, r.output + str(r.exception)
    assert "Đã hoàn tác giao nộp sửa #2" in r.stdout
    undone = _counts(store_url)
    assert {k: undone[k] for k in ("parcels", "parties", "rights", "holdings", "certificates")} == {
        k: before[k] for k in ("parcels", "parties", "rights", "holdings", "certificates")}
    r = runner.invoke(app, ["import-undo", "1", "--db", store_url])
    assert r.exit_code == 2 and "lần nhập đầu" in r.stderr
