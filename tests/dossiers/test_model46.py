"""Model 46 end to end: notarised contract → transfer dossier → checks → referral to tax through the
outbox (a tax partner that fails twice, then recovers) → tax notice (clock stops) → payment
(clock restarts) → approval (the rights move) → result returned; repeats and bad input."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from datdai.db import audit
from datdai.db.schema import outbox, parties, rights
from datdai.dossiers import dossiers as ds
from datdai.dossiers import model46 as m46
from datdai.dossiers import outbox as ob
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from tests.dossiers.dossier_helpers import AN, at, counts, go, holding_id, load_land, parcel_id

CUONG, DUNG = "079090001111", "079190002222"

CONTRACT = {
    "contract_no": "1234/2025/CCGD",
    "notary_office": "Văn phòng công chứng Biên Hòa",
    "notarized_on": "2025-05-30",
    "kind": "CHUYEN_NHUONG",
    "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1},
    "transferors": [{"personal_number": AN, "name": "Nguyễn Văn An"}],
    "transferees": [{"personal_number": CUONG, "name": "Lê Văn Cường", "share": "0.6"},
                    {"personal_number": DUNG, "name": "Phạm Thị Dung", "share": 0.4}],
    "price": 1_500_000_000,
}


class TaxPartner:
    """A tax system that is down for its first ``failures`` calls and keeps one copy per key."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[str] = []
        self.received: dict[str, dict] = {}

    def __call__(self, envelope: dict) -> None:
        self.calls.append(envelope["idempotency_key"])
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("cổng thuế không phản hồi / tax gateway timed out")
        self.received.setdefault(envelope["idempotency_key"], envelope["payload"])


@pytest.fixture
def land(store):
    load_land(store)
    return store


def _outbox_count(conn) -> int:
    return conn.execute(select(func.count()).select_from(outbox)).scalar_one()


def test_model46_end_to_end(land):
    cal = default_calendar()
    with land.transaction() as conn:
        d, created = m46.receive_notary_contract(conn, CONTRACT, actor="congchung", at=at("2025-06-02", 8))
        assert created and d.state == "DA_NOP" and d.channel == "ONLINE" and d.service_code == "CHUYEN_QUYEN"
        assert d.notary_contract_no == "1234/2025/CCGD" and d.parcel_id == parcel_id(conn, 1)
        assert d.applicant_personal_number == CUONG and d.applicant_name == "Lê Văn Cường"
        assert d.payload["new_holders"] == [{"personal_number": CUONG, "name": "Lê Văn Cường", "share": "0.6"},
                                            {"personal_number": DUNG, "name": "Phạm Thị Dung", "share": "0.4"}]
        assert ds.events(conn, d.id)[0].role == "he_thong_cong_chung"
        # the same contract again (re-sent by the notary): the same dossier, nothing written
        before = counts(conn)
        again, created = m46.receive_notary_contract(conn, copy.deepcopy(CONTRACT), actor="congchung")
        assert (again.id, created) == (d.id, False) and counts(conn) == before
        # the same number with other content: a conflict, nothing written
        with pytest.raises(Conflict, match="1234/2025/CCGD"):
            m46.receive_notary_contract(conn, {**CONTRACT, "price": 1_600_000_000}, actor="congchung")
        assert counts(conn) == before

        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        assert d.due_date == dt.date(2025, 6, 12)  # 8 working days after Mon 2/6
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        assert d.step == "KIEM_TRA_DAN_CU"
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-04", step="KIEM_TRA_THUC_DIA")
        d, message = m46.refer_to_tax(conn, d.id, actor="dulieu", at=at("2025-06-05", 9))
        assert d.step == "CHUYEN_THUE" and d.state == "DANG_XU_LY"
        assert message.status == "CHO_GUI" and message.partner == "THUE" and message.dossier_id == d.id
        assert message.idempotency_key == f"thue:{d.code}:1"
        data = message.payload
        assert data["dossier_code"] == d.code and data["contract"]["price"] == 1_500_000_000
        assert data["parcel"]["ma_xa"] == "25216" and data["parcel"]["so_thua"] == 1
        assert {h["right_kind"] for h in data["current_holders"]} == {"SU_DUNG_DAT", "SO_HUU_NHA"}
        assert [t["personal_number"] for t in data["transferees"]] == [CUONG, DUNG]
        code = d.code

    # the tax gateway is down twice, then recovers: retried with backoff, delivered once
    partner = TaxPartner(failures=2)
    t0 = dt.datetime(2025, 6, 5, 3, 0, tzinfo=dt.UTC)
    r = ob.dispatch(land.transaction, {"THUE": partner}, t0)
    assert r.retried == [message.idempotency_key] and not r.sent
    with land.read() as conn:
        m = ob.get_message(conn, message.id)
    assert (m.status, m.attempts) == ("CHO_GUI", 1) and "ConnectionError" in m.last_error
    assert m.next_attempt_at == t0 + dt.timedelta(minutes=1)
    assert ob.dispatch(land.transaction, {"THUE": partner}, t0 + dt.timedelta(seconds=30)).retried == []
    r = ob.dispatch(land.transaction, {"THUE": partner}, t0 + dt.timedelta(minutes=1))
    assert r.retried == [message.idempotency_key]
    with land.read() as conn:
        assert ob.get_message(conn, message.id).next_attempt_at == t0 + dt.timedelta(minutes=3)
    r = ob.dispatch(land.transaction, {"THUE": partner}, t0 + dt.timedelta(minutes=3))
    assert r.sent == [message.idempotency_key]
    assert ob.dispatch(land.transaction, {"THUE": partner}, t0 + dt.timedelta(hours=1)).sent == []
    assert partner.calls == [message.idempotency_key] * 3
    assert list(partner.received) == [message.idempotency_key]
    assert partner.received[message.idempotency_key]["dossier_code"] == code
    with land.read() as conn:
        m = ob.get_message(conn, message.id)
    assert (m.status, m.attempts) == ("DA_GUI", 3)
    assert m.sent_at is not None and m.sent_at > t0  # when it was sent, on the wall clock (leases are too)

    notice = {"dossier_code": code, "notice_no": "TB-2025-0456", "kind": "THONG_BAO", "amount": 37_500_000,
              "obligations": [{"kind": "THUE_TNCN", "amount": 30_000_000},
                              {"kind": "LE_PHI_TRUOC_BA", "amount": 7_500_000}], "issued_on": "2025-06-05"}
    payment = {"dossier_code": code, "notice_no": "TB-2025-0456", "kind": "DA_NOP", "receipt_no": "BL-889",
               "paid_on": "2025-06-11"}
    with land.transaction() as conn:
        before = counts(conn)
        # paying before any notice: refused, nothing changed
        with pytest.raises(NotFound, match="TB-2025-0456"):
            m46.receive_tax_notice(conn, payment, actor="thue", at=at("2025-06-05", 10))
        with pytest.raises(NotFound):
            m46.receive_tax_notice(conn, {**notice, "dossier_code": "HS-KHONG-CO"}, actor="thue")
        assert counts(conn) == before
        d, changed = m46.receive_tax_notice(conn, notice, actor="thue", at=at("2025-06-05", 14))
        assert changed and d.state == "CHO_NOP_THUE" and d.step == "CHUYEN_THUE"
        assert d.payload["tax"]["amount_due"] == 37_500_000 and d.payload["tax"]["paid"] is False
        assert d.payload["tax"]["notices"]["TB-2025-0456"]["obligations"][0] == {"kind": "THUE_TNCN",
                                                                                 "amount": 30_000_000}
        assert ds.pauses(conn, d.id) == [("CHO_THUE", dt.date(2025, 6, 5), None)]
        before = counts(conn)
        again, changed = m46.receive_tax_notice(conn, dict(notice), actor="thue", at=at("2025-06-06"))
        assert not changed and again.state == "CHO_NOP_THUE" and counts(conn) == before
        with pytest.raises(Conflict):
            m46.receive_tax_notice(conn, {**notice, "amount": 40_000_000, "obligations": []}, actor="thue")
        assert counts(conn) == before

    with land.transaction() as conn:
        d, changed = m46.receive_tax_notice(conn, payment, actor="thue", at=at("2025-06-11", 10))
        assert changed and d.state == "DANG_XU_LY" and d.step == "CHUYEN_THUE" and d.payload["tax"]["paid"]
        # paused Fri 6, Mon 9, Tue 10, Wed 11 (4 working days): 12/6 + 4 → 18/6
        assert d.due_date == dt.date(2025, 6, 18)
        assert d.due_date == cal.add_working_days(dt.date(2025, 6, 12), cal.working_days_between(
            dt.date(2025, 6, 5), dt.date(2025, 6, 11)))
        assert ds.pauses(conn, d.id) == [("CHO_THUE", dt.date(2025, 6, 5), dt.date(2025, 6, 11))]
        before = counts(conn)
        assert m46.receive_tax_notice(conn, payment, actor="thue")[1] is False
        assert counts(conn) == before
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-16")
        # a notice once the dossier has left the tax step: refused, nothing changed
        before = counts(conn)
        with pytest.raises(TransitionNotAllowed, match="CHO_PHE_DUYET"):
            m46.receive_tax_notice(conn, {**notice, "notice_no": "TB-2025-0999"}, actor="thue")
        assert counts(conn) == before
        d = go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-06-17")
        q = (select(rights.c.kind, parties.c.personal_number, rights.c.share)
             .join(parties, parties.c.id == rights.c.party_id)
             .where(rights.c.holding_id == holding_id(conn, "B1")).order_by(rights.c.kind, rights.c.share))
        assert [tuple(x) for x in conn.execute(q)] == [
            ("SO_HUU_NHA", DUNG, Decimal("0.4")), ("SO_HUU_NHA", CUONG, Decimal("0.6")),
            ("SU_DUNG_DAT", DUNG, Decimal("0.4")), ("SU_DUNG_DAT", CUONG, Decimal("0.6"))]
        d = go(conn, d, "DA_TRA_KET_QUA", "mot_cua", "2025-06-17", hour=15)
        assert d.result == "DA_TRA_KET_QUA" and d.timeliness == "SOM_HAN"
        ev = ds.events(conn, d.id)
        assert [(e.to_state, e.role) for e in ev if e.role in ("he_thong_thue", "he_thong_cong_chung")] == [
            ("DA_NOP", "he_thong_cong_chung"), ("CHO_NOP_THUE", "he_thong_thue"), ("DANG_XU_LY", "he_thong_thue")]
        assert [c.after["state"] for c in audit.history(conn, "dossiers", d.id)] == [e.to_state for e in ev]
        assert _outbox_count(conn) == 1


def test_contract_bad_input_writes_nothing(land):
    with land.transaction() as conn:
        before = counts(conn)
        with pytest.raises(NotFound, match="tờ 12, thửa 99"):
            m46.receive_notary_contract(conn, {**CONTRACT, "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 99}},
                                        actor="congchung")
        cases = {
            "contract_no": {**CONTRACT, "contract_no": "  "},
            "notarized_on": {**CONTRACT, "notarized_on": "30/05/2025"},
            "kind": {**CONTRACT, "kind": "BAN_NHA"},
            "parcel.ma_xa": {**CONTRACT, "parcel": {"ma_xa": "x", "so_to": 12, "so_thua": 1}},
            "transferees[1].personal_number": {**CONTRACT, "transferees": [
                CONTRACT["transferees"][0], {"personal_number": "123", "name": "B", "share": "0.4"}]},
            "transferees": {**CONTRACT, "transferees": [
                {"personal_number": CUONG, "name": "A", "share": "0.6"},
                {"personal_number": DUNG, "name": "B", "share": "0.6"}]},
            "transferees[0].share": {**CONTRACT, "transferees": [
                {"personal_number": CUONG, "name": "A"}, {"personal_number": DUNG, "name": "B"}]},
            "transferors": {**CONTRACT, "transferors": []},
            "price": {**CONTRACT, "price": -5},
        }
        for field, bad in cases.items():
            with pytest.raises(m46.FieldError) as err:
                m46.receive_notary_contract(conn, bad, actor="congchung", at=at("2025-06-02"))
            assert err.value.field == field and field in str(err.value)
            assert err.value.http_status == 422
        # a gift needs no price
        gift = {k: v for k, v in CONTRACT.items() if k != "price"} | {"kind": "TANG_CHO", "contract_no": "7/2025"}
        assert counts(conn) == before
        d, created = m46.receive_notary_contract(conn, gift, actor="congchung", at=at("2025-06-02"))
        assert created and d.payload["notary_contract"]["price"] is None


def test_contract_prefills_the_open_desk_dossier(land):
    with land.transaction() as conn:
        desk, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                    applicant_personal_number=AN, parcel_id=parcel_id(conn, 1), actor="motcua",
                                    at=at("2025-06-02", 8))
        desk = go(conn, desk, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        d, changed = m46.receive_notary_contract(conn, CONTRACT, actor="congchung", at=at("2025-06-03"))
        assert changed and d.id == desk.id and d.state == "DA_TIEP_NHAN" and d.due_date == desk.due_date
        assert d.notary_contract_no == CONTRACT["contract_no"] and len(d.payload["new_holders"]) == 2
        assert d.applicant_personal_number == AN  # the desk applicant stays
        ev = ds.events(conn, d.id)[-1]
        assert (ev.from_state, ev.to_state, ev.role) == ("DA_TIEP_NHAN", "DA_TIEP_NHAN", "he_thong_cong_chung")
        assert audit.history(conn, "dossiers", d.id)[-1].after["notary_contract_no"] == CONTRACT["contract_no"]
        before = counts(conn)
        assert m46.receive_notary_contract(conn, CONTRACT, actor="congchung") == (d, False)
        assert counts(conn) == before
        # a named dossier that cannot take a contract
        other, _ = ds.create_dossier(conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="An",
                                     parcel_id=parcel_id(conn, 1), actor="motcua")
        before = counts(conn)
        with pytest.raises(Conflict, match="dossier_code"):
            m46.receive_notary_contract(conn, {**CONTRACT, "contract_no": "99/2025", "dossier_code": other.code},
                                        actor="congchung")
        assert counts(conn) == before


def test_tax_notice_in_a_wrong_state_and_bad_fields(land):
    with land.transaction() as conn:
        d, _ = m46.receive_notary_contract(conn, CONTRACT, actor="congchung", at=at("2025-06-02"))
        before = counts(conn)
        notice = {"dossier_code": d.code, "notice_no": "TB-1", "amount": 1000}
        with pytest.raises(TransitionNotAllowed, match="DA_NOP"):
            m46.receive_tax_notice(conn, notice, actor="thue")
        with pytest.raises(m46.FieldError) as err:
            m46.receive_tax_notice(conn, {**notice, "amount": "nhiều"}, actor="thue")
        assert err.value.field == "amount"
        with pytest.raises(m46.FieldError) as err:
            m46.receive_tax_notice(conn, {**notice, "kind": "HOAN_THUE"}, actor="thue")
        assert err.value.field == "kind"
        with pytest.raises(InvalidInput):
            m46.receive_tax_notice(conn, {**notice, "obligations": [{"kind": "THUE_TNCN", "amount": 5}]},
                                   actor="thue")
        assert counts(conn) == before
        # referral not possible from DA_NOP: nothing queued
        with pytest.raises(TransitionNotAllowed):
            m46.refer_to_tax(conn, d.id, actor="dulieu")
        assert _outbox_count(conn) == 0 and counts(conn) == before


def test_two_notices_restart_the_clock_when_both_are_paid(land):
    with land.transaction() as conn:
        d, _ = m46.receive_notary_contract(conn, CONTRACT, actor="congchung", at=at("2025-06-02", 8))
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        d, _ = m46.refer_to_tax(conn, d.id, actor="dulieu", at=at("2025-06-03", 10))
        tncn = {"dossier_code": d.code, "notice_no": "TB-TNCN", "amount": 30_000_000}
        lptb = {"dossier_code": d.code, "notice_no": "TB-LPTB", "amount": 7_500_000}
        d, _ = m46.receive_tax_notice(conn, tncn, actor="thue", at=at("2025-06-04"))
        d, changed = m46.receive_tax_notice(conn, lptb, actor="thue", at=at("2025-06-04", 10))
        assert changed and d.state == "CHO_NOP_THUE" and d.payload["tax"]["amount_due"] == 37_500_000
        d, _ = m46.receive_tax_notice(conn, {"dossier_code": d.code, "notice_no": "TB-TNCN", "kind": "DA_NOP"},
                                      actor="thue", at=at("2025-06-06"))
        assert d.state == "CHO_NOP_THUE" and d.payload["tax"]["paid"] is False
        d, _ = m46.receive_tax_notice(conn, {"dossier_code": d.code, "notice_no": "TB-LPTB", "kind": "DA_NOP"},
                                      actor="thue", at=at("2025-06-09"))
        assert d.state == "DANG_XU_LY" and d.payload["tax"]["paid"] is True
        # paused Thu 5, Fri 6, Mon 9 (3 working days): 12/6 + 3 → 17/6
        assert d.due_date == dt.date(2025, 6, 17)
        assert [(e.from_state, e.to_state) for e in ds.events(conn, d.id)][-4:] == [
            ("DANG_XU_LY", "CHO_NOP_THUE"), ("CHO_NOP_THUE", "CHO_NOP_THUE"), ("CHO_NOP_THUE", "CHO_NOP_THUE"),
            ("CHO_NOP_THUE", "DANG_XU_LY")]


def test_a_registered_lease_leaves_the_rights_with_their_holder(land):
    """A lease contract goes through the transfer procedure, but the land user stays the same."""
    lease = {**CONTRACT, "contract_no": "88/2025/CCGD", "kind": "CHO_THUE",
             "transferees": [{"personal_number": CUONG, "name": "Lê Văn Cường", "share": 1}]}
    with land.transaction() as conn:
        q = (select(rights.c.kind, rights.c.party_id, rights.c.share)
             .where(rights.c.holding_id == holding_id(conn, "B1")).order_by(rights.c.id))
        before = [tuple(r) for r in conn.execute(q)]
        d, _ = m46.receive_notary_contract(conn, lease, actor="congchung", at=at("2025-06-02", 8))
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-04")
        d = go(conn, d, "DA_PHE_DUYET", "lanh_dao", "2025-06-05")
        assert d.state == "DA_PHE_DUYET"
        assert [tuple(r) for r in conn.execute(q)] == before
