"""Field survey end to end on SQLite and PostgreSQL: the commune's form → a Central export built
from it (repeats, media) → proposals → review → apply → revert; and each bad input's outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from datdai.cleaning.readers.survey_odk import read_central_export
from datdai.cleaning.survey import (
    ACCEPTED,
    APPLIED,
    PENDING,
    REJECTED,
    apply_accepted,
    decide,
    progress,
    proposals,
    record_submissions,
    revert_applied,
    verified_qr_payloads,
)
from datdai.cleaning.survey_form import write_xlsform
from datdai.db import schema as s
from datdai.db.files import FileStore
from datdai.kernel.errors import Conflict
from datdai.land import repository
from tests.cleaning.survey_export import FakeSubmission, build_export, jpeg
from tests.land.factories import citizens, small_dataset

QR_AN = "070065001234|285123456|Nguyễn Văn An|02031965|Nam|Ấp 3, Xã Tân Hưng|01052021"
CAP = 200_000


def _load(store) -> None:
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        conn.execute(s.citizens.insert(), [
            {"so_dinh_danh": c.so_dinh_danh, "so_cmnd": c.so_cmnd, "ho_ten": c.ho_ten, "gioi_tinh": c.gioi_tinh,
             "ngay_sinh": c.ngay_sinh} for c in citizens()])


def _submissions() -> list[FakeSubmission]:
    base = {"dieu_tra_vien": "Lê Văn Điều", "ngay_dieu_tra": "2026-11-20"}
    return [
        # corrects the area, adds an address, a house grade with no building, identity with a QR
        FakeSubmission("uuid:s1", {**base, "thua": "25216-12-1", "ma_thua": "25216-12-1", "xac_nhan": "SUA",
                                   "dien_tich": "410.5", "cap_cong_trinh": "Cấp III", "muc_dich": "ONT CLN",
                                   "so_nha": "12", "duong_thon": "Ấp 3", "qr_cccd": QR_AN,
                                   "so_dinh_danh": "070065001234", "ho_ten": "Nguyễn Văn An"},
                       papers=[("GCN", "1700000001.jpg", jpeg()), ("CCCD", "1700000002.jpg", jpeg())]),
        # the QR on the card says another number than the one typed
        FakeSubmission("uuid:s2", {**base, "thua": "25216-12-2", "ma_thua": "25216-12-2", "xac_nhan": "DUNG",
                                   "so_dinh_danh": "070168009876", "qr_cccd": QR_AN}),
        # a parcel that no longer exists
        FakeSubmission("uuid:s3", {**base, "thua": "25216-99-9", "ma_thua": "25216-99-9", "xac_nhan": "SUA",
                                   "dien_tich": "100"}),
        # a photo over the size cap
        FakeSubmission("uuid:s4", {**base, "thua": "25216-12-3", "ma_thua": "25216-12-3", "xac_nhan": "SUA",
                                   "dien_tich": "130"},
                       papers=[("GCN", "1700000004.jpg", jpeg(600, 500, noise=True))]),
        # rejected by the reviewer in Central
        FakeSubmission("uuid:s5", {**base, "thua": "25216-12-3", "ma_thua": "25216-12-3", "xac_nhan": "SUA",
                                   "dien_tich": "125"}, review_state="rejected"),
    ]


def _record(conn, export: Path, files: FileStore):
    return record_submissions(conn, read_central_export(export), source="ODK_CENTRAL", file_name=export.name,
                              files=files, actor="can_bo", photo_max_bytes=CAP)


def test_survey_round_trip(store, tmp_path):
    _load(store)
    with store.read() as conn:
        form = write_xlsform(conn, "25216", tmp_path / "phieu.xlsx")
    export = build_export(form.form, _submissions(), tmp_path / "phieu_dieu_tra_25216.zip")
    files = FileStore(tmp_path / "files")

    with store.transaction() as conn:
        r = _record(conn, export, files)
    assert (r.recorded, r.skipped, len(r.refused), r.qr_contradictions) == (2, 0, 3, 1)
    refused = dict(r.refused)
    assert "không còn trong cơ sở dữ liệu" in refused["uuid:s3"]
    assert "quá giới hạn" in refused["uuid:s4"] and "1700000004.jpg" in refused["uuid:s4"]
    assert "rejected" in refused["uuid:s5"]

    with store.read() as conn:
        props = {(p.parcel_key, p.field): p for p in proposals(conn)}
        sub1 = conn.execute(select(s.survey_submissions).where(s.survey_submissions.c.instance_id == "uuid:s1")).one()
        # nothing of a refused submission: no proposals, no photos
        refused_ids = conn.execute(select(s.survey_submissions.c.id).where(
            s.survey_submissions.c.status == "TU_CHOI")).scalars().all()
        assert conn.execute(select(func.count()).select_from(s.survey_proposals).where(
            s.survey_proposals.c.submission_id.in_(refused_ids))).scalar_one() == 0
    assert [ph["file"] for ph in sub1.photos] == ["1700000001.jpg", "1700000002.jpg"]
    assert files.get(sub1.photos[0]["path"]) == jpeg()
    assert sub1.qr_status == "KHOP" and sub1.surveyor == "Lê Văn Điều"
    area = props[("25216-12-1", "dien_tich")]
    assert (area.old_value, area.new_value, area.conflict) == ("400", "410.5", "SO_DIA_CHINH")
    assert ("25216-12-1", "muc_dich") not in props  # ONT CLN = the register's ONT+CLN: nothing to propose
    assert props[("25216-12-1", "cap_cong_trinh")].conflict == "KHONG_CO_DOI_TUONG"
    assert props[("25216-12-1", "so_nha")].conflict is None
    assert props[("25216-12-1", "so_dinh_danh")].conflict is None  # the population register agrees
    qr = props[("25216-12-2", "so_dinh_danh")]
    assert qr.new_value == "070065001234" and qr.conflict == "QR" and "070168009876" in qr.conflict_note

    # the same export again: nothing new; refused ones are tried again and refused again
    with store.transaction() as conn:
        again = _record(conn, export, files)
    assert (again.recorded, again.skipped, len(again.refused), again.proposals) == (0, 2, 3, 0)

    with store.transaction() as conn:
        n_all = decide(conn, decision=ACCEPTED, by="truong_phong", communes=["25216"])  # conflict-free only
        decide(conn, decision=ACCEPTED, by="truong_phong", proposal_ids=[area.id], reason="đo lại tại thực địa")
        decide(conn, decision=REJECTED, by="truong_phong", proposal_ids=[qr.id], reason="QR của người khác")
        with pytest.raises(Conflict):
            decide(conn, decision=ACCEPTED, by="x", proposal_ids=[qr.id])
    assert n_all >= 4
    with store.transaction() as conn:
        applied = apply_accepted(conn, actor="truong_phong", communes=["25216"])
    with store.read() as conn:
        parcel = conn.execute(select(s.parcels).where(s.parcels.c.sheet_no == 12, s.parcels.c.parcel_no == 1)).one()
        addr = conn.execute(select(s.parcel_addresses)).one()
        party = conn.execute(select(s.parties).where(s.parties.c.code == "H1")).one()
        statuses = {p.field: p.status for p in proposals(conn) if p.parcel_key == "25216-12-1"}
        gone = progress(conn, ["25216"])[0]
    assert parcel.legal_area == 410.5
    assert (addr.parcel_id, addr.house_number, addr.street, addr.commune_code) == (parcel.id, "12", "Ấp 3", "25216")
    assert addr.commune_name_old == "Phường Thác Mơ"
    assert party.personal_number == "070065001234"
    assert statuses["dien_tich"] == APPLIED and statuses["cap_cong_trinh"] == PENDING
    assert (gone.parcels, gone.surveyed, gone.applied, gone.refused_submissions) == (3, 2, applied.applied, 2)

    with store.transaction() as conn:
        revert_applied(conn, applied.batch_id, actor="truong_phong", reason="kiểm tra lại")
    with store.read() as conn:
        parcel = conn.execute(select(s.parcels).where(s.parcels.c.id == parcel.id)).one()
        assert conn.execute(select(func.count()).select_from(s.parcel_addresses)).scalar_one() == 0
        assert {p.status for p in proposals(conn, status=None) if p.applied_batch_id} == set()
        assert verified_qr_payloads(conn) == [QR_AN]  # s1's QR agreed with the typed number; s2's did not
    assert parcel.legal_area == 400.0


def test_apply_refuses_a_record_changed_since(store, tmp_path):
    _load(store)
    with store.read() as conn:
        form = write_xlsform(conn, "25216", tmp_path / "phieu.xlsx")
    export = build_export(form.form, _submissions()[:1], tmp_path / "e.zip")
    with store.transaction() as conn:
        _record(conn, export, FileStore(tmp_path / "f"))
        decide(conn, decision=ACCEPTED, by="t", communes=["25216"], include_conflicts=True)
    with store.transaction() as conn:  # someone corrects the area meanwhile
        conn.execute(s.parcels.update().where(s.parcels.c.parcel_no == 1).values(legal_area=405.0))
    with pytest.raises(Conflict, match="đã thay đổi"), store.transaction() as conn:
        apply_accepted(conn, actor="t")
    with store.read() as conn:  # nothing half applied
        assert conn.execute(select(func.count()).select_from(s.parcel_addresses)).scalar_one() == 0
        assert {p.status for p in proposals(conn)} <= {ACCEPTED, PENDING}
