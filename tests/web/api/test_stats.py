"""GET /api/v1/stats/dossiers?month=YYYY-MM: managers only, the monthly table per service, bad months."""

from __future__ import annotations

import pytest

from datdai.services import dossiers as ds
from datdai.services.documents import FileStore, add_document
from tests.services.dossier_helpers import AN, BINH, at, go, parcel_id
from tests.web.api.dossier_api_helpers import OTHER_CLERK, make_api

URL = "/api/v1/stats/dossiers"


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def _file(store, tmp_path) -> None:
    """June 2025: two financial-obligation dossiers received (one online, returned on time with a
    digitized document; one at the desk, still open), a transfer received in May, one never received."""
    files = FileStore(tmp_path / "files")
    with store.transaction() as conn:
        d1, _ = ds.create_dossier(conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình",
                                  applicant_personal_number=BINH, parcel_id=parcel_id(conn, 2), actor="t",
                                  channel="ONLINE", role="cong_dan", citizen_number=BINH, at=at("2025-06-02", 8))
        add_document(conn, files, d1.id, component_code="TO_KHAI", file_name="to-khai.pdf", data=b"%PDF-1",
                     by="t", digitized=True, at=at("2025-06-02", 8))
        go(conn, d1, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        go(conn, d1, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        go(conn, d1, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-03", hour=10)
        go(conn, d1, "DA_PHE_DUYET", "lanh_dao", "2025-06-04",
           payload={"obligations": [{"kind": "LE_PHI_TRUOC_BA", "status": "DA_NOP", "amount": 500000}]})
        go(conn, d1, "DA_TRA_KET_QUA", "mot_cua", "2025-06-05")
        d2, _ = ds.create_dossier(conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình",
                                  applicant_personal_number=BINH, parcel_id=parcel_id(conn, 2), actor="t",
                                  at=at("2025-06-03", 8))
        go(conn, d2, "DA_TIEP_NHAN", "mot_cua", "2025-06-03")
        d3, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                  applicant_personal_number=AN, parcel_id=parcel_id(conn, 1), actor="t",
                                  at=at("2025-05-30", 8))
        go(conn, d3, "DA_TIEP_NHAN", "mot_cua", "2025-05-30")
        ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An", actor="t",
                          at=at("2025-06-10", 8))


def test_needs_credentials_and_a_manager(api):
    assert api.client.get(URL, params={"month": "2025-06"}).status_code == 401
    for who in (api.h("motcua"), api.h("dulieu"), api.h("kiemtoan"), api.h(OTHER_CLERK), api.h("an"),
                api.key("congchung"), api.key("thue")):
        r = api.client.get(URL, params={"month": "2025-06"}, headers=who)
        assert r.status_code == 403 and r.json()["detail"]
    for user in ("lanhdao", "admin"):
        assert api.client.get(URL, params={"month": "2025-06"}, headers=api.h(user)).status_code == 200


def test_monthly_table(api, tmp_path):
    _file(api.store, tmp_path)
    r = api.client.get(URL, params={"month": "2025-06", "as_of": "31/12/2025"}, headers=api.h("lanhdao"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["month"] == "2025-06" and out["as_of"] == "31/12/2025"
    rows = {s["service_code"]: s for s in out["services"]}
    assert {k: rows["NGHIA_VU_TAI_CHINH"][k] for k in ("total", "online", "online_rate", "on_time", "overdue",
                                                       "digitized")} == {
        "total": 2, "online": 1, "online_rate": 0.5, "on_time": 1, "overdue": 1, "digitized": 1}
    assert rows["CHUYEN_QUYEN"]["total"] == 0  # received in May; the June one never received
    assert rows["NGHIA_VU_TAI_CHINH"]["service_name"]
    assert out["totals"] == {"service_code": "TONG", "service_name": "Tổng cộng", "total": 2, "online": 1,
                             "online_rate": 0.5, "on_time": 1, "overdue": 1, "digitized": 1}
    # the open dossier is not yet overdue on 4/6
    early = api.client.get(URL, params={"month": "2025-06", "as_of": "04/06/2025"}, headers=api.h("admin")).json()
    assert early["totals"]["overdue"] == 0
    may = api.client.get(URL, params={"month": "2025-05"}, headers=api.h("admin")).json()
    assert {s["service_code"]: s["total"] for s in may["services"]}["CHUYEN_QUYEN"] == 1


@pytest.mark.parametrize("params", [{}, {"month": ""}, {"month": "2025-13"}, {"month": "2025-6"},
                                    {"month": "06/2025"}, {"month": "tháng sáu"}, {"month": "2025-06-01"},
                                    {"month": "2025-06", "as_of": "31-12-2025"},
                                    {"month": "2025-06", "as_of": "32/12/2025"}])
def test_malformed_month_is_422(api, params):
    r = api.client.get(URL, params=params, headers=api.h("lanhdao"))
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]
