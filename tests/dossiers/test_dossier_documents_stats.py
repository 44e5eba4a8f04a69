"""Documents (stored once, deduplicated, reused by personal number) and the monthly statistics."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

import pytest

from datdai.db.files import FileStore, default_root
from datdai.dossiers import dossiers as ds
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.catalog import ServiceDef
from datdai.dossiers.documents import (
    add_document,
    dossier_documents_of,
    reusable_documents,
    reuse_document,
)
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.registry import get_service, register_service
from datdai.dossiers.stats import month_bounds, monthly_stats
from tests.dossiers.dossier_helpers import AN, BINH, at, go, load_land, parcel_id, party_id


@pytest.fixture
def land(store):
    load_land(store)
    return store


def test_documents_stored_once_and_reused(land, tmp_path):
    files = FileStore(tmp_path / "files")
    scan = "Đơn đăng ký biến động — bản quét".encode() * 100
    with land.transaction() as conn:
        d1, _ = ds.create_dossier(conn, service_code="DK_BIEN_DONG_THONG_TIN", applicant_name="Nguyễn Văn An",
                                  applicant_personal_number=AN, actor="motcua", at=at("2025-06-02"))
        doc, created = add_document(conn, files, d1.id, component_code="DON_DANG_KY_BIEN_DONG",
                                    file_name="don.pdf", data=scan, media_type="application/pdf", by="motcua")
        assert created and doc.sha256 == hashlib.sha256(scan).hexdigest() and doc.size == len(scan)
        assert files.get(doc.stored_path) == scan and doc.digitized
        again, created = add_document(conn, files, d1.id, component_code="DON_DANG_KY_BIEN_DONG",
                                      file_name="don (1).pdf", data=scan, by="motcua")
        assert not created and again.id == doc.id
        other, created = add_document(conn, files, d1.id, component_code="GCN_BAN_GOC", file_name="gcn.pdf",
                                      data=scan, by="motcua")
        assert created and other.stored_path == doc.stored_path
        add_document(conn, files, d1.id, component_code="GIAY_TO_THAY_DOI_THONG_TIN", file_name="giay.jpg",
                     data=b"paper only", by="motcua", digitized=False)
        assert len(dossier_documents_of(conn, d1.id)) == 3
        stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
        assert len(stored) == 2  # the scan once, the paper note once
        with pytest.raises(InvalidInput):
            add_document(conn, files, d1.id, component_code="X", file_name="x.pdf", data=b"", by="motcua")

        d2, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                  applicant_personal_number=AN, actor="portal", channel="ONLINE",
                                  at=at("2025-07-01"))
        offered = reusable_documents(conn, AN, exclude_dossier_id=d2.id)
        assert {(o.component_code, o.sha256) for o in offered} == {
            ("DON_DANG_KY_BIEN_DONG", doc.sha256), ("GCN_BAN_GOC", doc.sha256)}  # not the undigitized one
        assert reusable_documents(conn, BINH) == []
        reused, created = reuse_document(conn, d2.id, offered[0].id, by="portal")
        assert created and reused.reused_from_id == offered[0].id and reused.sha256 == doc.sha256
        assert reuse_document(conn, d2.id, offered[0].id, by="portal")[1] is False
        d3, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Trần Thị Bình",
                                  applicant_personal_number=BINH, actor="portal", at=at("2025-07-01"))
        with pytest.raises(InvalidInput):
            reuse_document(conn, d3.id, offered[0].id, by="portal")
        assert len(stored) == len([p for p in (tmp_path / "files").rglob("*") if p.is_file()])


def test_default_file_root(tmp_path, monkeypatch):
    monkeypatch.delenv("DATDAI_FILES", raising=False)
    assert default_root(f"sqlite:///{tmp_path}/tinh.db") == tmp_path / "tinh-files"
    assert str(default_root("postgresql+psycopg://u@h/db")) == "datdai-files"
    monkeypatch.setenv("DATDAI_FILES", str(tmp_path / "x"))
    assert default_root(f"sqlite:///{tmp_path}/tinh.db") == tmp_path / "x"


def test_register_other_procedure(land):
    with land.transaction() as conn:
        register_service(conn, ServiceDef("TRICH_LUC_BAN_DO", "Trích lục bản đồ địa chính", "Cung cấp thông tin",
                                          3, None, "Quyết định của UBND tỉnh", (), (), False))
        assert get_service(conn, "TRICH_LUC_BAN_DO").limit_days == 3
        assert get_service(conn, "CHUYEN_QUYEN").limit_days == 8
        with pytest.raises(InvalidInput):
            register_service(conn, ServiceDef("X", "X", "", 0, None, "", (), (), False))


def test_monthly_statistics_match_an_independent_count(land, tmp_path):
    """A seeded set of dossiers over two months; the expected table is counted here from what was
    done, with the calendar for due dates, not from the stored state."""
    cal = default_calendar()
    files = FileStore(tmp_path / "files")
    rng = random.Random(5)
    limits = {"DK_BIEN_DONG_THONG_TIN": 4, "CHUYEN_QUYEN": 8, "TRICH_LUC_BAN_DO": 3}
    as_of = dt.date(2025, 8, 15)
    expected: dict[tuple[str, str], dict[str, int]] = {}
    with land.transaction() as conn:
        register_service(conn, ServiceDef("TRICH_LUC_BAN_DO", "Trích lục bản đồ địa chính", "Cung cấp thông tin",
                                          3, None, "Quyết định của UBND tỉnh", (), (), False))
        p1, p2 = parcel_id(conn, 1), party_id(conn, "P2")
        days = [dt.date(2025, 6, 30) + dt.timedelta(days=i) for i in range(40)]
        days = [d for d in days if cal.is_working_day(d)]
        for i in range(60):
            service = rng.choice(sorted(limits))
            online = rng.random() < 0.5
            received = rng.choice(days)
            # 23:30 Vietnam time on 31/7 is still July (16:30 UTC): month is by Vietnam time
            hour = 23 if received == dt.date(2025, 7, 31) else 9
            d, _ = ds.create_dossier(conn, service_code=service, applicant_name=f"Người {i}",
                                     applicant_personal_number=f"0790900{i:05d}", channel="ONLINE" if online else
                                     "TRUC_TIEP", actor="motcua", at=at(received.isoformat(), hour),
                                     parcel_id=p1 if service == "CHUYEN_QUYEN" else None,
                                     applicant_party_id=p2 if service == "DK_BIEN_DONG_THONG_TIN" else None,
                                     payload={"address": f"Số {i}", "new_holders": [
                                         {"personal_number": "079090009999", "name": "Lê Văn Cường"}]})
            if rng.random() < 0.1:  # never received: in no month
                continue
            d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", received.isoformat(), hour=hour)
            due = cal.add_working_days(received, limits[service])
            n_docs = rng.choice([0, 1, 2])
            digitized = [rng.random() < 0.8 for _ in range(n_docs)]
            for k, flag in enumerate(digitized):
                add_document(conn, files, d.id, component_code=f"C{k}", file_name=f"{k}.pdf",
                             data=f"{i}-{k}".encode(), by="motcua", digitized=flag)
            fate = rng.choice(["returned", "returned", "rejected", "withdrawn", "open", "paused"])
            key = (received.strftime("%Y-%m"), service)
            e = expected.setdefault(key, {"total": 0, "online": 0, "on_time": 0, "overdue": 0, "digitized": 0})
            e["total"] += 1
            e["online"] += online
            e["digitized"] += bool(digitized) and all(digitized)
            d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", received.isoformat(), hour=hour)
            if fate in ("returned", "rejected"):
                finished = cal.add_working_days(received, rng.choice([1, limits[service], limits[service] + 2]))
                if fate == "returned":
                    for to, role in [("CHO_PHE_DUYET", "can_bo_du_lieu"), ("DA_PHE_DUYET", "lanh_dao"),
                                     ("DA_TRA_KET_QUA", "mot_cua")]:
                        d = go(conn, d, to, role, finished.isoformat(), hour=hour)
                else:
                    d = go(conn, d, "TU_CHOI", "lanh_dao", finished.isoformat(), hour=hour, reason="Không đủ điều kiện")
                e["on_time" if finished <= due else "overdue"] += 1
            elif fate == "withdrawn":
                go(conn, d, "RUT", "mot_cua", received.isoformat(), hour=hour)
            elif fate == "open":
                e["overdue"] += as_of > due
            else:  # supplement requested the next working day, still waiting on as_of
                start = cal.add_working_days(received, 1)
                go(conn, d, "YEU_CAU_BO_SUNG", "mot_cua", start.isoformat(), reason="Bổ sung")
                stopped_due = cal.due_date(received, limits[service], [(start + dt.timedelta(days=1), as_of)])
                e["overdue"] += as_of > stopped_due
    for col in ("online", "on_time", "overdue", "digitized"):  # every column is exercised
        assert sum(v[col] for v in expected.values()) > 0, col
    with land.read() as conn:
        for month in ("2025-06", "2025-07", "2025-08"):
            table = {s.service_code: s for s in monthly_stats(conn, month, as_of=as_of)}
            assert set(limits) <= set(table)
            for service in limits:
                e = expected.get((month, service), {"total": 0, "online": 0, "on_time": 0, "overdue": 0,
                                                     "digitized": 0})
                s = table[service]
                assert (s.total, s.online, s.on_time, s.overdue, s.digitized) == (
                    e["total"], e["online"], e["on_time"], e["overdue"], e["digitized"]), (month, service)
                assert s.online_rate == (e["online"] / e["total"] if e["total"] else 0.0)
        july = sum(s.total for s in monthly_stats(conn, "2025-07", as_of=as_of))
        assert july == sum(v["total"] for (m, _), v in expected.items() if m == "2025-07") > 20
        with pytest.raises(InvalidInput):
            monthly_stats(conn, "2025-13")
    assert month_bounds("2025-12")[1] == dt.datetime(2025, 12, 31, 17, tzinfo=dt.UTC)
