"""The audit trail: every change recorded with before/after; single and batch revert; conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from sqlalchemy import func, select

from datdai.db import audit, schema
from datdai.land import repository
from tests.land.factories import small_dataset
from tests.land.readback import read_dataset


def _party(conn, code):
    return conn.execute(select(schema.parties).where(schema.parties.c.code == code)).one()


def _load(store):
    with store.transaction() as conn:
        return repository.load_dataset(conn, small_dataset(), actor="loader", source="import", reason="load")


def test_update_recorded_and_single_revert(store):
    _load(store)
    with store.transaction() as conn:
        pid = _party(conn, "P2").id
        trail = audit.AuditTrail(conn, actor="dulieu", source="reconcile batch 12", reason="làm giàu từ CSDLQG")
        assert trail.update("parties", pid, {"personal_number": "070168009876",
                                             "birth_date": dt.date(1968, 7, 9)}) is True
        assert trail.update("parties", pid, {"birth_date": dt.date(1968, 7, 9)}) is False  # no-op not recorded
    with store.read() as conn:
        hist = audit.history(conn, "parties", pid)
        assert [c.action for c in hist] == ["insert", "update"]
        last = hist[-1]
        assert (last.actor, last.source, last.reason) == ("dulieu", "reconcile batch 12", "làm giàu từ CSDLQG")
        assert last.before["personal_number"] is None and last.after["personal_number"] == "070168009876"
        assert last.after["birth_date"] == "1968-07-09"
    with store.transaction() as conn:
        audit.revert_change(conn, last.id, actor="admin", reason="nhầm người")
    with store.read() as conn:
        row = _party(conn, "P2")
        assert row.personal_number is None and row.birth_date is None and row.birth_year == 1968
        hist = audit.history(conn, "parties", pid)
        assert [c.action for c in hist] == ["insert", "update", "update"]
        assert hist[1].reverted_by_change_id == hist[2].id and hist[2].reverts_change_id == hist[1].id
        with pytest.raises(audit.AuditError):
            audit.revert_change(conn, hist[1].id, actor="admin", reason="again")


def test_batch_revert_restores_everything(store):
    _load(store)
    with store.read() as conn:
        before = read_dataset(conn)
    with store.transaction() as conn:
        trail = audit.AuditTrail(conn, actor="dulieu", source="reconcile batch 7", reason="enrich")
        p1, p2 = _party(conn, "P1").id, _party(conn, "P2").id
        trail.update("parties", p1, {"full_name": "Nguyễn Văn Ân"})
        trail.update("parties", p2, {"gender": "Nữ", "personal_number": "070168009876"})
        parcel_id = conn.execute(select(schema.parcels.c.id).where(schema.parcels.c.parcel_no == 2)).scalar_one()
        trail.update("parcels", parcel_id, {"geom": shapely.set_srid(shapely.box(0, 0, 1, 1), 9212),
                                            "legal_area": 1.0})
        cert_id = conn.execute(select(schema.certificates.c.id).where(schema.certificates.c.form == "MOI")).scalar_one()
        trail.delete("certificates", cert_id)
        new_doc = trail.insert("identity_documents", {"party_id": p2, "doc_type": "CCCD", "number": "070168000001"})
        batch = trail.batch_id
    with store.read() as conn:
        assert len(audit.batch_changes(conn, batch)) == 5
    with store.transaction() as conn:
        revert_batch_id = audit.revert_batch(conn, batch, actor="admin", reason="lô sai")
    with store.read() as conn:
        after = read_dataset(conn)
        assert after.parties == before.parties
        assert after.certificates == before.certificates
        assert [p.geometry_wkb for p in after.parcels] == [p.geometry_wkb for p in before.parcels]
        assert [p.legal_area for p in after.parcels] == [p.legal_area for p in before.parcels]
        assert conn.execute(select(func.count()).select_from(schema.identity_documents)
                            .where(schema.identity_documents.c.id == new_doc)).scalar_one() == 0
        assert len(audit.batch_changes(conn, revert_batch_id)) == 5
        with pytest.raises(audit.AuditError):
            audit.revert_batch(conn, batch, actor="admin", reason="twice")


def test_revert_refuses_over_a_later_change(store):
    _load(store)
    with store.transaction() as conn:
        pid = _party(conn, "P1").id
        t1 = audit.AuditTrail(conn, actor="a", source="s1", reason="r1")
        t1.update("parties", pid, {"full_name": "Nguyễn Văn Ân"})
        t2 = audit.AuditTrail(conn, actor="b", source="s2", reason="r2")
        t2.update("parties", pid, {"full_name": "Nguyễn Văn Án"})
        first = audit.batch_changes(conn, t1.batch_id)[0]
    with store.transaction() as conn, pytest.raises(audit.RevertConflict):
        audit.revert_change(conn, first.id, actor="admin", reason="undo")
    with store.read() as conn:  # nothing changed by the refused revert
        assert _party(conn, "P1").full_name == "Nguyễn Văn Án"


def test_revert_of_the_whole_load_empties_the_store(store):
    counts = _load(store)
    with store.transaction() as conn:
        audit.revert_batch(conn, counts.batch_id, actor="admin", reason="giao nộp sai")
    with store.read() as conn:
        for table in (schema.parties, schema.parcels, schema.rights, schema.assets, schema.certificates,
                      schema.holdings, schema.identity_documents, schema.party_members, schema.source_documents):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name


def test_audit_requires_actor_source_reason(store):
    with store.transaction() as conn, pytest.raises(audit.AuditError):
        audit.AuditTrail(conn, actor="", source="x", reason="y")


def test_update_many_records_real_changes_and_reverts(store):
    _load(store)
    with store.read() as conn:
        before = read_dataset(conn)
    with store.transaction() as conn:
        p1, p2 = _party(conn, "P1").id, _party(conn, "P2").id
        trail = audit.AuditTrail(conn, actor="may", source="tự sửa", reason="chuẩn hóa")
        changed = trail.update_many("parties", {
            p1: {"full_name": "Nguyễn Văn Ân", "address": "Ấp 4"},
            p2: {"full_name": "Trần Thị Bình"},  # unchanged: not recorded
        })
        assert list(changed) == [p1]
        with pytest.raises(audit.AuditError):
            trail.update_many("parties", {999999: {"full_name": "x"}})
    with store.read() as conn:
        row = _party(conn, "P1")
        assert (row.full_name, row.address) == ("Nguyễn Văn Ân", "Ấp 4")
        (change,) = audit.batch_changes(conn, trail.batch_id)
        assert change.id == changed[p1] and change.before["full_name"] == "Nguyễn Văn An"
    with store.transaction() as conn:
        audit.revert_batch(conn, trail.batch_id, actor="admin", reason="hoàn tác")
    with store.read() as conn:
        assert read_dataset(conn) == before
