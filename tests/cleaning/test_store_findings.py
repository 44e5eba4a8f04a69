"""Findings in the store: recorded once, safe fixes through the audit trail and undone, decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from datdai.access.masking import mask_id_numbers
from datdai.cleaning.findings import Status
from datdai.cleaning.store_findings import (
    FindingError,
    apply_auto_fixes,
    finding_events,
    record_check,
    set_status,
    undo_auto_fixes,
)
from datdai.db import audit
from datdai.db import schema as s
from tests.cleaning.deliveries import check, hand_parcels, hand_register, store_hand_delivery
from tests.land.readback import read_dataset


def _findings(conn, **where):
    q = select(s.findings).order_by(s.findings.c.id)
    for k, v in where.items():
        q = q.where(s.findings.c[k] == v)
    return conn.execute(q).all()


def _one(conn, rule, side=None):
    rows = [f for f in _findings(conn, rule_code=rule) if side is None or f.side == side]
    assert len(rows) == 1, rows
    return rows[0]


def _party(conn, party_id):
    return conn.execute(select(s.parties).where(s.parties.c.id == party_id)).one()


def _parcel(conn, commune, sheet, number):
    return conn.execute(select(s.parcels).where(
        s.parcels.c.commune_code == commune, s.parcels.c.sheet_no == sheet,
        s.parcels.c.parcel_no == number).order_by(s.parcels.c.id)).first()


def _count(conn, table):
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_record_check_links_and_is_idempotent(store):
    with store.transaction() as conn:
        result = store_hand_delivery(conn, fixes=False)
    with store.read() as conn:
        rows = _findings(conn)
        assert len(rows) == 12 and {f.status for f in rows} == {Status.OPEN.value}
        assert all(f.run_id == result.run_id == f.last_run_id for f in rows)
        assert all(f.parcel_id is not None for f in rows)
        # a map-side finding is linked to that very feature's parcel, a register one to its party
        legacy_map = _one(conn, "LEGACY_ENCODING", "BAN_DO")
        assert legacy_map.parcel_id == _parcel(conn, "25195", 1, 7).id
        legacy_reg = _one(conn, "LEGACY_ENCODING", "SO_DIA_CHINH")
        assert _party(conn, legacy_reg.party_id).full_name == "Mai V¨n C\u00adêng"
        assert _one(conn, "ID_INVALID").party_id is not None
        assert _one(conn, "AREA_MISMATCH").party_id is None  # a parcel finding
        missing = [f for f in _findings(conn, rule_code="ID_MISSING")]
        assert len({f.party_id for f in missing}) == 2  # rows 6 and 7 are the same person
        assert (legacy_map.severity, legacy_map.target, legacy_map.source_row, legacy_map.field) == (
            "CANH_BAO", "THUA_DAT", 6, "ten_chu")
        assert legacy_map.auto_fixable and legacy_map.proposed_fix == "Mai Văn Cường"
    # the same check recorded again (a re-check of the same data): same rows, same statuses
    with store.transaction() as conn:
        set_status(conn, _one(conn, "AREA_MISMATCH").id, "CHAP_NHAN", actor="an", note="đo lại sau")
        again = record_check(conn, check(hand_parcels(), hand_register()), actor="kiemtra", source="kiểm tra lại")
    with store.read() as conn:
        rows2 = _findings(conn)
        assert [f.id for f in rows2] == [f.id for f in rows]
        assert [f.fingerprint for f in rows2] == [f.fingerprint for f in rows]
        assert all(f.last_run_id == again and f.run_id == result.run_id for f in rows2)
        assert _one(conn, "AREA_MISMATCH").status == Status.ACCEPTED.value
        run = conn.execute(select(s.quality_runs).where(s.quality_runs.c.id == again)).one()
        assert run.delivery_id is None and run.counts["new"] == 0 and run.counts["seen_before"] == 12
        assert run.counts["by_rule"]["ID_MISSING"] == 3 and run.finished_at is not None
        assert _count(conn, s.quality_run_communes) == 4  # two communes × two runs


def test_auto_fixes_then_undo_restore_the_recorded_values(store):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
    with store.read() as conn:
        before = read_dataset(conn)
        run_id = conn.execute(select(func.max(s.quality_runs.c.id))).scalar_one()
    with store.transaction() as conn:
        fixed = apply_auto_fixes(conn, run_id, actor="may")
    assert (fixed.fixed, fixed.changes, fixed.skipped) == (7, 5, 0)
    assert fixed.by_rule == {"ID_FORMAT": 1, "ID_INVALID": 1, "LANDUSE_CODE_INVALID": 2,
                             "LEGACY_ENCODING": 2, "NAME_FORMAT": 1}
    with store.read() as conn:
        reg = _one(conn, "LEGACY_ENCODING", "SO_DIA_CHINH")
        assert _party(conn, reg.party_id).full_name == "Mai Văn Cường"
        assert _parcel(conn, "25195", 1, 7).map_owner_label == "Mai Văn Cường"
        assert _parcel(conn, "25195", 1, 3).land_use_codes == "HNK"
        assert _parcel(conn, "25195", 1, 5).map_land_use_label == "HNK"
        doc = conn.execute(select(s.identity_documents).where(
            s.identity_documents.c.party_id == _one(conn, "ID_INVALID").party_id)).one()
        assert doc.number == "070072001111"
        statuses = {(f.rule_code, f.side): f.status for f in _findings(conn)}
        assert statuses[("AREA_MISMATCH", "SO_DIA_CHINH")] == Status.OPEN.value  # never automatic
        assert sum(st == Status.AUTO_FIXED.value for st in statuses.values()) == 7
        # the record changed by each fix is named; row 4's name was already right (row 2's party)
        assert reg.audit_change_id is not None
        change = [c for c in audit.history(conn, "parties", reg.party_id) if c.id == reg.audit_change_id][0]
        assert change.before["full_name"] == "Mai V¨n C\u00adêng" and change.after["full_name"] == "Mai Văn Cường"
        assert _one(conn, "NAME_FORMAT").audit_change_id is None
        run = conn.execute(select(s.quality_runs).where(s.quality_runs.c.id == run_id)).one()
        assert run.fix_batch_id == fixed.batch_id
        assert len(audit.batch_changes(conn, fixed.batch_id)) == 5
        events = finding_events(conn, reg.id)
        assert [(e.from_status, e.to_status, e.audit_batch_id) for e in events] == [
            ("MO", "TU_SUA", fixed.batch_id)]
    # a second application finds nothing left to do
    with store.transaction() as conn:
        assert apply_auto_fixes(conn, run_id, actor="may").fixed == 0
    with store.transaction() as conn:
        assert undo_auto_fixes(conn, run_id, actor="admin", reason="kiểm tra lại") == 7
    with store.read() as conn:
        assert read_dataset(conn) == before
        assert {f.status for f in _findings(conn)} == {Status.OPEN.value}
        assert all(f.audit_change_id is None for f in _findings(conn))
        events = finding_events(conn, _one(conn, "ID_INVALID").id)
        assert [(e.from_status, e.to_status, e.note) for e in events] == [
            ("MO", "TU_SUA", events[0].note), ("TU_SUA", "MO", "kiểm tra lại")]
    with store.transaction() as conn, pytest.raises(audit.AuditError):
        undo_auto_fixes(conn, run_id, actor="admin", reason="lần nữa")


def test_auto_fix_leaves_a_record_changed_since_the_check(store):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
        reg = _one(conn, "LEGACY_ENCODING", "SO_DIA_CHINH")
        trail = audit.AuditTrail(conn, actor="an", source="sửa tay", reason="đã đối chiếu hồ sơ")
        trail.update("parties", reg.party_id, {"full_name": "Mai Văn Cương"})
        fixed = apply_auto_fixes(conn, reg.run_id, actor="may")
        assert (fixed.fixed, fixed.skipped) == (6, 1)
        assert _one(conn, "LEGACY_ENCODING", "SO_DIA_CHINH").status == Status.OPEN.value
        assert _party(conn, reg.party_id).full_name == "Mai Văn Cương"


def test_set_status_history_and_corrected_values(store):
    with store.transaction() as conn:
        store_hand_delivery(conn)
    with store.transaction() as conn:
        area = _one(conn, "AREA_MISMATCH")
        assert set_status(conn, area.id, "CHAP_NHAN", actor="an", note="chờ đo đạc") is None
        batch = set_status(conn, area.id, Status.FIXED, actor="binh", note="theo biên bản đo", value="100,0")
        assert batch is not None
    with store.read() as conn:
        parcel = _parcel(conn, "25198", 2, 2)
        assert parcel.legal_area == 100.0
        area = _one(conn, "AREA_MISMATCH")
        assert area.status == Status.FIXED.value and area.audit_change_id is not None
        hist = audit.history(conn, "parcels", parcel.id)
        assert hist[-1].id == area.audit_change_id and hist[-1].reason == "theo biên bản đo"
        assert hist[-1].before["legal_area"] == 200.0 and hist[-1].actor == "binh"
        events = finding_events(conn, area.id)
        assert [(e.actor, e.from_status, e.to_status, e.note) for e in events] == [
            ("an", "MO", "CHAP_NHAN", "chờ đo đạc"), ("binh", "CHAP_NHAN", "DA_SUA", "theo biên bản đo")]
        assert events[0].audit_batch_id is None and events[1].audit_batch_id == batch
    with store.transaction() as conn:
        legacy = _one(conn, "LEGACY_ENCODING", "BAN_DO")
        set_status(conn, legacy.id, "DA_SUA", actor="an", value="Mai Văn Cường Jr")
        assert _parcel(conn, "25195", 1, 7).map_owner_label == "Mai Văn Cường Jr"
        set_status(conn, legacy.id, "MO", actor="an", note="mở lại")
        assert _one(conn, "LEGACY_ENCODING", "BAN_DO").status == "MO"


@pytest.mark.parametrize("status, value, message", [
    ("TU_SUA", None, "TU_SUA"),
    ("XYZ", None, "không hợp lệ"),
    ("CHAP_NHAN", "100", "DA_SUA"),
    ("DA_SUA", "-3", "lớn hơn 0"),
    ("DA_SUA", "abc", "phải là số"),
])
def test_set_status_refusals(store, status, value, message):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
    with store.transaction() as conn:
        area = _one(conn, "AREA_MISMATCH")
        with pytest.raises(FindingError, match=message):
            set_status(conn, area.id, status, actor="an", value=value)


def test_set_status_value_validated_and_targeted(store):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
    with store.transaction() as conn:
        lci = _one(conn, "LANDUSE_CODE_INVALID", "SO_DIA_CHINH")
        with pytest.raises(FindingError, match="danh mục"):
            set_status(conn, lci.id, "DA_SUA", actor="an", value="XYZ")
        set_status(conn, lci.id, "DA_SUA", actor="an", value="hnk")
        assert _parcel(conn, "25195", 1, 3).land_use_codes == "HNK"
        missing = _findings(conn, rule_code="MISSING_IN_MAP")[0]
        with pytest.raises(FindingError, match="không xác định"):
            set_status(conn, missing.id, "DA_SUA", actor="an", value="1")
        with pytest.raises(FindingError, match="không có phát hiện"):
            set_status(conn, 999999, "BAC_BO", actor="an")
        with pytest.raises(FindingError, match="đã ở trạng thái"):
            set_status(conn, missing.id, "MO", actor="an")


def test_mask_id_numbers():
    assert mask_id_numbers("Số 070077613811 và 285123456, 070 065 001 234") == (
        "Số 0700******11 và 2851***56, 0700******34")
    assert mask_id_numbers("diện tích 104.5 m², tờ 12") == "diện tích 104.5 m², tờ 12"
    assert mask_id_numbers(None) is None
