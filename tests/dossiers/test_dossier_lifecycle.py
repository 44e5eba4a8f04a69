"""The three essential services end to end: transitions, roles, the legal clock with pauses, the
population check, the result applied to the land data through the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from datdai.db import audit
from datdai.db.schema import financial_obligations, identity_documents, parties, rights
from datdai.dossiers import dossiers as ds
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
    TransitionNotAllowed,
)
from datdai.dossiers.registry import get_service
from tests.dossiers.dossier_helpers import (
    AN,
    BINH,
    at,
    confirm_number,
    counts,
    go,
    holding_id,
    load_land,
    parcel_id,
    party_id,
)


@pytest.fixture
def land(store):
    load_land(store)
    return store


def _rights_of(conn, holding_code):
    q = (select(rights.c.kind, parties.c.personal_number, parties.c.full_name, rights.c.share, rights.c.asset_id)
         .join(parties, parties.c.id == rights.c.party_id)
         .where(rights.c.holding_id == holding_id(conn, holding_code)).order_by(rights.c.kind, rights.c.share))
    return [tuple(r) for r in conn.execute(q)]


def test_information_change_with_supplement_pause(land):
    cal = default_calendar()
    with land.transaction() as conn:
        p1 = party_id(conn, "P1")
        confirm_number(conn, "P1", AN)  # reconciled: he files online for his household's parcel
        d, created = ds.create_dossier(
            conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="Nguyễn Văn An", applicant_personal_number=AN,
            applicant_party_id=p1, parcel_id=parcel_id(conn, 1), channel="ONLINE", actor="portal", role="cong_dan",
            citizen_number=AN, idempotency_key="k-info-1", at=at("2025-03-03", 8),
            payload={"full_name": "Nguyễn Văn Ân", "address": "Tổ 5, Phường Tân Phú, Tỉnh Đồng Nai",
                     "identity_document": {"doc_type": "CCCD", "number": AN, "issue_date": "2025-02-20",
                                           "issue_place": "Bộ Công an"}})
        assert created and d.state == "DA_NOP" and d.due_date is None and d.commune_code == "25216"
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-03-03")
        # 4 working days after Monday 3/3/2025: Tue 4, Wed 5, Thu 6, Fri 7
        assert d.due_date == dt.date(2025, 3, 7)
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-03-04")
        assert d.step == "KIEM_TRA_DAN_CU"
        assert d.population_check["result"] == "KHOP" and d.population_check["party_ids"] == [p1]
        d = go(conn, d, "YEU_CAU_BO_SUNG", "mot_cua", "2025-03-05", reason="Thiếu bản sao CCCD mới")
        assert ds.pauses(conn, d.id) == [("BO_SUNG", dt.date(2025, 3, 5), None)]
        # someone else's resubmission is refused
        with pytest.raises(RoleNotAllowed):
            go(conn, d, "DANG_XU_LY", "cong_dan", "2025-03-10", citizen_number=BINH)
        d = go(conn, d, "DANG_XU_LY", "cong_dan", "2025-03-10", citizen_number=AN)
        # paused Thu 6, Fri 7, Mon 10 (3 working days): Tue 4, Wed 5 counted, then Tue 11, Wed 12
        assert d.due_date == dt.date(2025, 3, 12)
        assert d.due_date == cal.add_working_days(dt.date(2025, 3, 7), cal.working_days_between(
            dt.date(2025, 3, 5), dt.date(2025, 3, 10)))
        assert d.step == "KIEM_TRA_DAN_CU"  # back to where it was
        assert ds.pauses(conn, d.id) == [("BO_SUNG", dt.date(2025, 3, 5), dt.date(2025, 3, 10))]
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-03-10", step="KIEM_TRA_THUC_DIA")
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-03-11")
        assert conn.execute(select(parties.c.full_name).where(parties.c.id == p1)).scalar_one() == "Nguyễn Văn An"
        d = go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-03-11")
        party = conn.execute(select(parties).where(parties.c.id == p1)).one()
        assert party.full_name == "Nguyễn Văn Ân" and party.address == "Tổ 5, Phường Tân Phú, Tỉnh Đồng Nai"
        assert party.personal_number == AN
        docs = conn.execute(select(identity_documents.c.doc_type, identity_documents.c.number,
                                   identity_documents.c.issue_date, identity_documents.c.issue_place)
                            .where(identity_documents.c.party_id == p1).order_by(identity_documents.c.id)).all()
        assert [tuple(r) for r in docs] == [("CCCD", AN, dt.date(2025, 2, 20), "Bộ Công an"),
                                            ("CMND", "285123456", None, None)]
        d = go(conn, d, "DA_TRA_KET_QUA", "mot_cua", "2025-03-12", hour=16)
        assert d.result == "DA_TRA_KET_QUA" and d.timeliness == "DUNG_HAN"
        assert d.finished_at == at("2025-03-12", 16)
        # the history: every transition, and the party's change traced to the dossier
        ev = ds.events(conn, d.id)
        assert [(e.from_state, e.to_state) for e in ev] == [
            (None, "DA_NOP"), ("DA_NOP", "DA_TIEP_NHAN"), ("DA_TIEP_NHAN", "DANG_XU_LY"),
            ("DANG_XU_LY", "YEU_CAU_BO_SUNG"), ("YEU_CAU_BO_SUNG", "DANG_XU_LY"), ("DANG_XU_LY", "DANG_XU_LY"),
            ("DANG_XU_LY", "CHO_PHE_DUYET"), ("CHO_PHE_DUYET", "DA_PHE_DUYET"), ("DA_PHE_DUYET", "DA_TRA_KET_QUA")]
        assert ev[3].reason == "Thiếu bản sao CCCD mới" and ev[4].role == "cong_dan"
        hist = audit.history(conn, "parties", p1)
        assert hist[-1].source == f"dossier {d.code}" and hist[-1].after["full_name"] == "Nguyễn Văn Ân"
        assert hist[-1].batch_id == ev[7].audit_batch_id
        dossier_hist = audit.history(conn, "dossiers", d.id)
        assert [c.after["state"] for c in dossier_hist] == [e.to_state for e in ev]
        assert {c.source for c in dossier_hist} == {f"dossier {d.code}"}


def test_transfer_with_tax_pause_moves_the_rights(land):
    with land.transaction() as conn:
        d, _ = ds.create_dossier(
            conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An", applicant_personal_number=AN,
            parcel_id=parcel_id(conn, 1), actor="motcua", role="mot_cua", at=at("2025-06-02", 8),
            payload={"new_holders": [{"personal_number": "079090001111", "name": "Lê Văn Cường", "share": "0.6"},
                                     {"personal_number": "079190002222", "name": "Phạm Thị Dung", "share": "0.4"}]})
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        # 8 working days after Mon 2/6/2025: 3, 4, 5, 6, 9, 10, 11, 12
        assert d.due_date == dt.date(2025, 6, 12)
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-04", step="KIEM_TRA_THUC_DIA")
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-05", step="CHUYEN_THUE")
        d = go(conn, d, "CHO_NOP_THUE", "he_thong_thue", "2025-06-05", reason="Thông báo nộp thuế TB-123")
        assert d.due_date == dt.date(2025, 6, 12)  # not moved until the clock restarts
        d = go(conn, d, "DANG_XU_LY", "he_thong_thue", "2025-06-11", reason="Đã nộp thuế")
        # paused Fri 6, Mon 9, Tue 10, Wed 11 (4 working days): 12 + 4 → 18/6
        assert d.due_date == dt.date(2025, 6, 18) and d.step == "CHUYEN_THUE"
        assert ds.pauses(conn, d.id) == [("CHO_THUE", dt.date(2025, 6, 5), dt.date(2025, 6, 11))]
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-16")
        before = _rights_of(conn, "B1")
        assert [r[0] for r in before] == ["SO_HUU_NHA", "SU_DUNG_DAT"]
        d = go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-06-17")
        after = _rights_of(conn, "B1")
        asset = before[0][4]
        assert after == [
            ("SO_HUU_NHA", "079190002222", "Phạm Thị Dung", Decimal("0.4"), asset),
            ("SO_HUU_NHA", "079090001111", "Lê Văn Cường", Decimal("0.6"), asset),
            ("SU_DUNG_DAT", "079190002222", "Phạm Thị Dung", Decimal("0.4"), None),
            ("SU_DUNG_DAT", "079090001111", "Lê Văn Cường", Decimal("0.6"), None),
        ]
        assert _rights_of(conn, "B2") == [("SU_DUNG_DAT", None, "Trần Thị Bình", Decimal("0.25"), None),
                                          ("SU_DUNG_DAT", None, "UBND xã Tân Hưng", Decimal("0.75"), None)]
        d = go(conn, d, "DA_TRA_KET_QUA", "mot_cua", "2025-06-17")
        assert d.timeliness == "SOM_HAN"
        approval = [e for e in ds.events(conn, d.id) if e.to_state == "DA_PHE_DUYET"][0]
        changes = audit.batch_changes(conn, approval.audit_batch_id)
        assert {(c.entity, c.action) for c in changes} == {
            ("dossiers", "update"), ("parties", "insert"), ("rights", "delete"), ("rights", "insert")}
        assert {c.source for c in changes} == {f"dossier {d.code}"}


def test_financial_obligation_and_late_return(land):
    cal = default_calendar()
    with land.transaction() as conn:
        limit = get_service(conn, "NGHIA_VU_TAI_CHINH").limit_days
        d, _ = ds.create_dossier(
            conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình", applicant_personal_number=BINH,
            parcel_id=parcel_id(conn, 2), actor="motcua", at=at("2025-06-02"),
            payload={"obligations": [
                {"kind": "LE_PHI_TRUOC_BA", "status": "DA_NOP", "amount": "1500000"},
                {"kind": "TIEN_SU_DUNG_DAT", "status": "GHI_NO", "amount": 250000000, "right_code": "R4",
                 "note": "Ghi nợ theo Nghị định 103/2024"}]})
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        assert d.due_date == cal.add_working_days(dt.date(2025, 6, 2), limit)
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-04")
        d = go(conn, d, "DA_PHE_DUYET", "admin", "2025-06-04")
        late = cal.add_working_days(d.due_date, 1)
        d = go(conn, d, "DA_TRA_KET_QUA", "mot_cua", late.isoformat())
        assert d.timeliness == "QUA_HAN"
        rows = conn.execute(select(rights.c.code, financial_obligations.c.kind, financial_obligations.c.status,
                                   financial_obligations.c.amount, financial_obligations.c.dossier_code)
                            .join(rights, rights.c.id == financial_obligations.c.right_id)
                            .order_by(rights.c.code, financial_obligations.c.kind)).all()
        assert [tuple(r) for r in rows] == [
            ("R3", "LE_PHI_TRUOC_BA", "DA_NOP", Decimal(1500000), d.code),
            ("R4", "LE_PHI_TRUOC_BA", "DA_NOP", Decimal(1500000), d.code),
            ("R4", "TIEN_SU_DUNG_DAT", "GHI_NO", Decimal(250000000), d.code)]
        # a second dossier pays the debt: the obligation is updated, not duplicated
        d2, _ = ds.create_dossier(conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình",
                                  parcel_id=parcel_id(conn, 2), actor="motcua", at=at("2025-07-01"),
                                  payload={"obligations": [{"kind": "TIEN_SU_DUNG_DAT", "status": "DA_NOP",
                                                            "amount": 250000000, "right_code": "R4"}]})
        for to, role in [("DA_TIEP_NHAN", "mot_cua"), ("DANG_XU_LY", "can_bo_du_lieu"),
                         ("CHO_PHE_DUYET", "can_bo_du_lieu"), ("DA_PHE_DUYET", "lanh_dao")]:
            d2 = go(conn, d2, to, role, "2025-07-01")
        ob = conn.execute(select(financial_obligations).where(financial_obligations.c.kind == "TIEN_SU_DUNG_DAT")).all()
        assert len(ob) == 1 and ob[0].status == "DA_NOP" and ob[0].dossier_code == d2.code
        hist = audit.history(conn, "financial_obligations", ob[0].id)
        assert [(c.action, c.source) for c in hist] == [("insert", f"dossier {d.code}"), ("update", f"dossier {d2.code}")]


def test_disadvantaged_commune_limit(land):
    with land.transaction() as conn:
        d, _ = ds.create_dossier(conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="Trần Thị Bình",
                                 applicant_personal_number=BINH, disadvantaged=True, actor="motcua", at=at("2025-06-02"),
                                 payload={"address": "Xã Đắk Ơ"})
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        # 14 working days after Mon 2/6/2025: 3–6 (4), 9–13 (9), 16–20 (14)
        assert d.due_date == dt.date(2025, 6, 20)


def test_rejection_needs_a_reason_and_withdrawal(land):
    with land.transaction() as conn:
        d, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                 applicant_personal_number="079000123456", parcel_id=parcel_id(conn, 1),
                                 actor="motcua", at=at("2025-06-02"))
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        assert d.population_check["result"] == "KHONG_CO_TRONG_DAN_CU"
        before = counts(conn)
        with pytest.raises(InvalidInput, match="lý do"):
            go(conn, d, "TU_CHOI", "lanh_dao", "2025-06-04", reason="  ")
        assert counts(conn) == before and ds.get_dossier(conn, d.id).state == "DANG_XU_LY"
        d = go(conn, d, "TU_CHOI", "lanh_dao", "2025-06-04", reason="Thửa đất đang có tranh chấp")
        assert (d.state, d.result, d.reject_reason, d.timeliness) == (
            "TU_CHOI", "TU_CHOI", "Thửa đất đang có tranh chấp", "SOM_HAN")
        with pytest.raises(TransitionNotAllowed):
            go(conn, d, "RUT", "mot_cua", "2025-06-05")

        w, _ = ds.create_dossier(conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="Trần Thị Bình",
                                 applicant_personal_number=BINH, actor="portal", role="cong_dan", citizen_number=BINH,
                                 channel="ONLINE", at=at("2025-06-02"))
        w = go(conn, w, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        w = go(conn, w, "YEU_CAU_BO_SUNG", "mot_cua", "2025-06-03", reason="Thiếu đơn")
        with pytest.raises(RoleNotAllowed):
            go(conn, w, "RUT", "cong_dan", "2025-06-04", citizen_number=AN)
        w = go(conn, w, "RUT", "cong_dan", "2025-06-04", citizen_number=BINH, reason="Không còn nhu cầu")
        assert (w.state, w.result, w.timeliness) == ("RUT", "RUT", None)
        assert ds.pauses(conn, w.id) == [("BO_SUNG", dt.date(2025, 6, 3), dt.date(2025, 6, 4))]

        r, _ = ds.create_dossier(conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="Trần Thị Bình",
                                 actor="motcua", at=at("2025-06-02"))
        r = go(conn, r, "TU_CHOI", "mot_cua", "2025-06-02", reason="Không thuộc thẩm quyền")
        assert r.timeliness is None and r.received_at is None


@pytest.mark.parametrize("to,role,error", [
    ("DA_PHE_DUYET", "lanh_dao", TransitionNotAllowed),  # skipping the workflow
    ("DA_TRA_KET_QUA", "admin", TransitionNotAllowed),
    ("DA_TIEP_NHAN", "lanh_dao", RoleNotAllowed),  # a manager does not receive at the desk
    ("DA_TIEP_NHAN", "cong_dan", RoleNotAllowed),
    ("DA_TIEP_NHAN", "he_thong_thue", RoleNotAllowed),
    ("KHONG_CO", "admin", InvalidInput),
    ("DA_TIEP_NHAN", "khach", InvalidInput),
])
def test_disallowed_transitions_change_nothing(land, to, role, error):
    with land.transaction() as conn:
        d, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                 parcel_id=parcel_id(conn, 1), actor="motcua", at=at("2025-06-02"))
    with land.transaction() as conn:
        before = counts(conn), ds.get_dossier(conn, d.id)
        with pytest.raises(error) as exc:
            go(conn, d, to, role, "2025-06-03")
        assert exc.value.http_status in (409, 403, 422)
        # the caller goes on and commits: still nothing written
    with land.read() as conn:
        assert (counts(conn), ds.get_dossier(conn, d.id)) == before


def test_disallowed_from_a_later_state_and_bad_approval(land):
    with land.transaction() as conn:
        d, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                 parcel_id=parcel_id(conn, 1), actor="motcua", at=at("2025-06-02"),
                                 payload={"new_holders": [{"personal_number": "079090001111", "name": "Lê Văn Cường",
                                                           "share": "0.5"},
                                                          {"personal_number": "079190002222", "name": "Phạm Thị Dung",
                                                           "share": "0.4"}]})
        for to, role in [("DA_TIEP_NHAN", "mot_cua"), ("DANG_XU_LY", "can_bo_du_lieu"),
                         ("CHO_PHE_DUYET", "can_bo_du_lieu")]:
            d = go(conn, d, to, role, "2025-06-03")
    rights_before = None
    with land.transaction() as conn:
        rights_before = _rights_of(conn, "B1")
        before = counts(conn)
        for to, role in [("CHO_NOP_THUE", "he_thong_thue"), ("DA_TIEP_NHAN", "mot_cua"),
                         ("DA_PHE_DUYET", "can_bo_du_lieu"), ("DA_PHE_DUYET", "cong_dan")]:
            with pytest.raises((TransitionNotAllowed, RoleNotAllowed)):
                go(conn, d, to, role, "2025-06-04", citizen_number=AN)
        # shares adding up to 0.9: the approval is refused, nothing applied
        with pytest.raises(InvalidInput, match="tổng tỷ lệ"):
            go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-06-04")
        assert counts(conn) == before
        assert ds.get_dossier(conn, d.id).state == "CHO_PHE_DUYET"
        assert _rights_of(conn, "B1") == rights_before
        # fixed in the approval's payload, it goes through
        d = go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-06-04", payload={"new_holders": [
            {"personal_number": "079090001111", "name": "Lê Văn Cường"}]})
        assert [r[1] for r in _rights_of(conn, "B1")] == ["079090001111", "079090001111"]
        assert {r[3] for r in _rights_of(conn, "B1")} == {None}


def test_idempotent_creation_missing_parcel_and_repeated_contract(land):
    with land.transaction() as conn:
        kw = dict(service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An", parcel_id=parcel_id(conn, 1),
                  actor="portal", channel="ONLINE", at=at("2025-06-02"))
        a, created_a = ds.create_dossier(conn, idempotency_key="abc-1", **kw)
        n = counts(conn)
        b, created_b = ds.create_dossier(conn, idempotency_key="abc-1", **kw)
        assert created_a and not created_b and a == b and counts(conn) == n
        c, created_c = ds.create_dossier(conn, idempotency_key="abc-2", **kw)
        assert created_c and c.id != a.id
    with land.transaction() as conn:  # across transactions too
        again, created = ds.create_dossier(conn, idempotency_key="abc-1", **kw)
        assert again.id == a.id and not created
        n = counts(conn)
        with pytest.raises(NotFound, match="thửa đất"):
            ds.create_dossier(conn, **{**kw, "parcel_id": 987654})
        with pytest.raises(NotFound):
            ds.create_dossier(conn, **{**kw, "service_code": "KHONG_CO"})
        with pytest.raises(InvalidInput):
            ds.create_dossier(conn, **{**kw, "channel": "FAX"})
        with pytest.raises(RoleNotAllowed):
            ds.create_dossier(conn, **{**kw, "role": "lanh_dao"})
        with pytest.raises(RoleNotAllowed):  # a citizen files only for themself
            ds.create_dossier(conn, **{**kw, "role": "cong_dan", "applicant_personal_number": AN,
                                       "citizen_number": BINH})
        ds.create_dossier(conn, notary_contract_no="CC-2025-0001", **{**kw, "role": "he_thong_cong_chung"})
        n = counts(conn)
        with pytest.raises(Conflict, match="CC-2025-0001"):
            ds.create_dossier(conn, notary_contract_no="CC-2025-0001", **{**kw, "role": "he_thong_cong_chung"})
        assert counts(conn) == n
