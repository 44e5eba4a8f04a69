"""The contractor's cycle on a small synthetic province, from files: import → findings → people's
decisions and corrections → a corrected delivery → the plan lists exactly its changes → a failure
mid-way applies nothing → apply → findings closed and opened as they should → revert restores the
store → apply again. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from datdai import synth
from datdai.cleaning.check import read_delivery
from datdai.cleaning.delivery_import import import_delivery
from datdai.cleaning.findings import Status
from datdai.cleaning.redelivery.apply import (
    REDELIVERY_CONFLICT,
    RedeliveryRefused,
    redeliver,
    revert_redelivery,
)
from datdai.cleaning.redelivery.plan import Kind, compute_plan
from datdai.cleaning.redelivery.plan_file import write_plan
from datdai.cleaning.store_findings import set_status
from datdai.cleaning.to_dataset import delivery_to_dataset
from datdai.db import schema as s
from datdai.db.audit import AuditTrail, revert_batch
from tests.cleaning.redelivery.corrected import Edits, key_of, read_register, write_corrected
from tests.land.readback import read_dataset


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    out = tmp_path_factory.mktemp("giao-nop-1")
    synth.run(out, parcels=120, seed=7)
    return out


def _findings(conn):
    return conn.execute(select(s.findings).order_by(s.findings.c.id)).all()


def _key(f):
    return (f.commune_code, int(f.sheet_no), int(f.parcel_no))


def _state(conn):
    """What a revert must give back: the land data, and each finding's status and parcel link."""
    return read_dataset(conn), {f.id: (f.status, f.parcel_id) for f in _findings(conn)}


def _plan_of(conn, folder):
    read = read_delivery(folder / "thua_dat.gpkg", folder / "so_dia_chinh.csv")
    data, _ = delivery_to_dataset(read.parcels.table, read.register.table, read.parcels.srid)
    return compute_plan(conn, data)


@pytest.mark.slow
def test_the_contractor_cycle(store, first, tmp_path):
    imported = import_delivery(store, first / "thua_dat.gpkg", first / "so_dia_chinh.csv", actor="nhap")
    assert imported.counts["parcels"] == 120

    # --- people work on the findings
    with store.read() as conn:
        found = _findings(conn)
    by_rule: dict[str, list] = {}
    for f in found:
        by_rule.setdefault(f.rule_code, []).append(f)
    landuse = [f for f in by_rule["LANDUSE_MISMATCH"] if f.status == Status.OPEN.value]
    area = [f for f in by_rule["AREA_MISMATCH"] if f.status == Status.OPEN.value]
    assert len(landuse) >= 1 and len(area) >= 2
    accepted = next(f for f in by_rule["NAME_PREFIX"] if f.status == Status.OPEN.value)
    conflict_f, kept_f = area[0], area[1]
    with store.transaction() as conn:
        set_status(conn, accepted.id, Status.ACCEPTED, actor="can-bo", note="giữ như sổ")
        set_status(conn, conflict_f.id, Status.FIXED, actor="can-bo", value="1234.5", note="đo lại")
        set_status(conn, kept_f.id, Status.FIXED, actor="can-bo", value="2345.5", note="đo lại")

    # --- the corrected delivery
    header, reg = read_register(first / "so_dia_chinh.csv")
    rows_of: dict = {}
    for r in reg:
        rows_of.setdefault(key_of(r), []).append(r)
    flagged = {_key(f) for f in found if f.sheet_no and f.parcel_no}
    clean = [k for k, rows in rows_of.items() if len(rows) == 1 and k not in flagged]
    new_defect = next(k for k in clean if rows_of[k][0]["loai_dat"] not in ("LUC", ""))
    clean.remove(new_defect)
    edits = Edits(fixed=sorted({_key(f) for f in landuse}), new_defect=new_defect, moved=clean[0],
                  jitter=clean[1], owner=clean[2], conflict=_key(conflict_f), kept=_key(kept_f),
                  removed=[clean[3], clean[4]], added=[(clean[0][0], 99, 1), (clean[0][0], 99, 2)])
    fix = {_key(f): f.register_value for f in landuse}
    fix[new_defect] = "LUC"
    second = write_corrected(first, tmp_path / "giao-nop-2", edits, fix, {edits.conflict: "777.7"})

    # --- the plan lists exactly those changes, and writes them to a file
    planned = redeliver(store, second / "thua_dat.gpkg", second / "so_dia_chinh.csv")
    plan = planned.plan
    assert not planned.applied
    expected = {Kind.ADDED: set(edits.added), Kind.REMOVED: set(edits.removed), Kind.GEOMETRY: {edits.moved},
                Kind.ATTRIBUTES: set(edits.fixed) | {new_defect}, Kind.OWNERS: {edits.owner},
                Kind.CONFLICT: {edits.conflict}}
    assert {k: {c.key for c in plan.of(k)} for k in Kind} == expected
    assert plan.unchanged == 120 - len({k for ks in expected.values() for k in ks} - set(edits.added))
    conflict = plan.of(Kind.CONFLICT)[0].fields[0]
    assert (conflict.column, conflict.old, conflict.new) == ("legal_area", 1234.5, 777.7)
    assert {f.column for c in plan.of(Kind.ATTRIBUTES) for f in c.fields} == {"map_land_use_label"}
    assert plan.of(Kind.GEOMETRY)[0].shift_m > 0.2
    out = write_plan(plan, tmp_path / "ke_hoach.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        listed = {((r["ma_xa"], int(r["so_to"]), int(r["so_thua"])), r["thay_doi"]) for r in csv.DictReader(fh)}
    assert listed == {(k, kind.value) for kind, keys in expected.items() for k in keys}

    # --- a failure mid-way applies nothing: a removed parcel still carries an asset
    with store.read() as conn:
        before = _state(conn)
        deliveries = conn.execute(select(func.count()).select_from(s.deliveries)).scalar_one()
        p = s.parcels
        gone_id = conn.execute(select(p.c.id).where(p.c.commune_code == edits.removed[0][0],
                                                     p.c.sheet_no == edits.removed[0][1],
                                                     p.c.parcel_no == edits.removed[0][2])).scalar_one()
        holding = conn.execute(select(s.holding_parcels.c.holding_id)
                               .where(s.holding_parcels.c.parcel_id == gone_id)).scalars().first()
    with store.transaction() as conn:
        trail = AuditTrail(conn, actor="can-bo", source="thử", reason="tài sản trên thửa sẽ bỏ")
        trail.insert("assets", {"code": "TS-THU", "holding_id": holding, "parcel_id": gone_id, "kind": "NHA_O"})
    with pytest.raises(RedeliveryRefused, match="đang được dùng.*TS-THU"):
        redeliver(store, second / "thua_dat.gpkg", second / "so_dia_chinh.csv", apply=True)
    with store.transaction() as conn:
        revert_batch(conn, trail.batch_id, actor="can-bo", reason="bỏ tài sản thử")
    with store.read() as conn:
        assert _state(conn) == before
        assert conn.execute(select(func.count()).select_from(s.deliveries)).scalar_one() == deliveries

    # --- apply
    done = redeliver(store, second / "thua_dat.gpkg", second / "so_dia_chinh.csv", actor="nhap-lai", apply=True)
    assert done.applied and done.batch_id and done.run_id
    with store.read() as conn:
        after = {f.id: f for f in _findings(conn)}
        events = conn.execute(select(s.finding_events).where(s.finding_events.c.audit_batch_id == done.batch_id)).all()
        legal = {k: conn.execute(select(p.c.legal_area).where(
            p.c.commune_code == k[0], p.c.sheet_no == k[1], p.c.parcel_no == k[2])).scalar_one()
            for k in (edits.kept, edits.conflict)}
        keys = {(r.commune_code, r.sheet_no, r.parcel_no) for r in conn.execute(select(p))}
        again = _plan_of(conn, second)
    # fixed defects closed by themselves, with the reason and the batch
    for f in landuse:
        assert after[f.id].status == Status.GONE.value
    closed = {e.finding_id: e for e in events if e.to_status == Status.GONE.value}
    assert set(closed) >= {f.id for f in landuse}
    assert all(f"#{done.batch_id}" in e.note for e in closed.values())
    assert done.closed == len(closed)
    # a closed finding is one the re-check did not see; every open finding was seen again
    assert all(after[i].last_run_id != done.run_id for i in closed)
    communes = set(plan.communes)
    assert all(f.last_run_id == done.run_id for f in after.values()
               if f.status == Status.OPEN.value and f.commune_code in communes)
    # new defects opened
    fresh = [f for f in after.values() if f.run_id == done.run_id]
    assert len(fresh) == done.opened
    assert any(f.rule_code == "LANDUSE_MISMATCH" and _key(f) == new_defect and f.status == Status.OPEN.value
               for f in fresh)
    # decisions stay
    assert after[accepted.id].status == Status.ACCEPTED.value
    assert after[conflict_f.id].status == Status.FIXED.value and after[kept_f.id].status == Status.FIXED.value
    # the corrected values stay; the one delivered otherwise shows both values
    assert legal == {edits.kept: 2345.5, edits.conflict: 1234.5}
    shown = [f for f in fresh if f.rule_code == REDELIVERY_CONFLICT]
    assert [(_key(f), f.register_value, f.proposed_fix, f.field) for f in shown] == [
        (edits.conflict, "1234.5", "777.7", "dien_tich")]
    assert "1234.5" in shown[0].message and "777.7" in shown[0].message
    # the store now holds the delivery: nothing left to change but the kept correction
    assert set(edits.added) <= keys and not set(edits.removed) & keys
    assert again.empty and {c.key for c in again.changes} == {edits.conflict}

    # --- revert restores the store exactly, findings included
    with store.transaction() as conn:
        reverted = revert_redelivery(conn, done.delivery_id, actor="can-bo", reason="giao nộp sai")
    assert reverted.reopened == done.closed and reverted.closed == done.opened
    with store.read() as conn:
        land, statuses = _state(conn)
    assert land == before[0]
    assert {i: v for i, v in statuses.items() if i in before[1]} == before[1]
    assert all(v[0] == Status.GONE.value for i, v in statuses.items() if i not in before[1])

    # --- and the same files can be applied again
    redo = redeliver(store, second / "thua_dat.gpkg", second / "so_dia_chinh.csv", apply=True)
    assert redo.applied and redo.delivery_id == done.delivery_id
    assert {k: v for k, v in redo.counts.items() if k in ("THEM", "XOA", "HINH_THE", "CHU_SU_DUNG")} == {
        "THEM": 2, "XOA": 2, "HINH_THE": 1, "CHU_SU_DUNG": 1}
    assert redeliver(store, second / "thua_dat.gpkg", second / "so_dia_chinh.csv", apply=True).already_imported
