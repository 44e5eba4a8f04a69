"""A citizen is told of each change of state of their dossier: an e-mail and an SMS queued in the
outbox in the same transaction as the change, addressed to the contact on their account."""

from __future__ import annotations

from sqlalchemy import func, select

from datdai.access.users import citizen_account
from datdai.db.schema import outbox
from datdai.dossiers import dossiers as ds
from datdai.dossiers import notifications
from datdai.dossiers import outbox as ob
from tests.dossiers.dossier_helpers import AN, BINH, at, confirm_number, go, load_land, parcel_id


def _messages(conn, dossier_id):
    return ob.messages(conn, dossier_id=dossier_id)


def test_each_state_change_queues_an_email_and_an_sms(store):
    load_land(store)
    with store.transaction() as conn:
        confirm_number(conn, "P1", AN)  # reconciled: a verified link to his household's parcel
        citizen_account(conn, AN, display_name="Nguyễn Văn An", email="an@example.vn", phone="+84901234567")
        d, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                 applicant_personal_number=AN, citizen_number=AN, actor="cd", role="cong_dan",
                                 channel="ONLINE", parcel_id=parcel_id(conn, 1), at=at("2025-06-02"))
        filed = _messages(conn, d.id)
        assert [(m.partner, m.payload["state"]) for m in filed] == [("EMAIL", "DA_NOP"), ("SMS", "DA_NOP")]
        assert filed[0].payload["to"] == "an@example.vn" and filed[1].payload["to"] == "+84901234567"
        assert filed[0].topic == notifications.TOPIC and filed[0].status == "CHO_GUI"
        go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03", step="KIEM_TRA_DAN_CU")
        go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03", step="KIEM_TRA_THUC_DIA")  # a step: not told
        go(conn, d, "YEU_CAU_BO_SUNG", "mot_cua", "2025-06-04", reason="Thiếu bản gốc giấy chứng nhận")
        emails = [m for m in _messages(conn, d.id) if m.partner == "EMAIL"]
        assert [m.payload["state"] for m in emails] == ["DA_NOP", "DA_TIEP_NHAN", "DANG_XU_LY", "YEU_CAU_BO_SUNG"]
        last = emails[-1].payload
        assert last["subject"] == f"Hồ sơ {d.code}: Yêu cầu bổ sung"
        assert "Thiếu bản gốc giấy chứng nhận" in last["body"] and "Kính gửi Nguyễn Văn An" in last["body"]
        received = emails[1].payload
        assert received["due_date"] is not None
        due = ds.get_dossier(conn, d.id).due_date
        assert f"Hạn giải quyết: {due:%d/%m/%Y}." in received["body"]
        # keys are unique per change and channel
        keys = [m.idempotency_key for m in _messages(conn, d.id)]
        assert len(keys) == len(set(keys)) == 8


def test_a_refused_change_queues_nothing_and_no_contact_means_no_message(store):
    load_land(store)
    with store.transaction() as conn:
        citizen_account(conn, AN, email="an@example.vn")
        d, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                 applicant_personal_number=AN, actor="mc", role="mot_cua", at=at("2025-06-02"))
        before = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
        assert before == 1  # e-mail only: the account has no phone
        try:
            go(conn, d, "DA_PHE_DUYET", "mot_cua", "2025-06-02")
        except Exception:
            pass
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == before
        # Bình has no account: her dossier's changes queue nothing
        b, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Trần Thị Bình",
                                 applicant_personal_number=BINH, actor="mc", role="mot_cua", at=at("2025-06-02"))
        go(conn, b, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        assert _messages(conn, b.id) == []
