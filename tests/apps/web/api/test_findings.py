"""GET /api/v1/findings: credentials, data-staff roles, commune scope, masked ID numbers, the
access log, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from datdai.access.users import create_user
from datdai.db import schema as s
from tests.apps.web.api.dossier_api_helpers import make_api

URL = "/api/v1/findings"
NUMBER = "070065001234"


@pytest.fixture
def api(store):
    with make_api(store) as a:
        now = dt.datetime.now(dt.UTC)
        with store.transaction() as conn:
            run = conn.execute(s.quality_runs.insert().values(source="t", started_at=now, actor="t")
                               .returning(s.quality_runs.c.id)).scalar_one()
            for i, (commune, rule, status) in enumerate([("25216", "ID_FORMAT", "MO"), ("25216", "AREA_MISMATCH", "MO"),
                                                          ("25216", "ID_FORMAT", "BAC_BO"), ("01001", "ID_FORMAT", "MO")]):
                conn.execute(s.findings.insert().values(
                    run_id=run, last_run_id=run, rule_code=rule, severity="LOI", commune_code=commune,
                    sheet_no="12", parcel_no=str(i + 1), register_value=f"CCCD {NUMBER}",
                    message=f"số giấy tờ {NUMBER} sai định dạng", status=status, fingerprint=f"{i:064d}",
                    created_at=now, updated_at=now))
            create_user(conn, "dulieu_hn", role="can_bo_du_lieu", password="x" * 12, scopes=["01001"])
            from datdai.access.tokens import issue_token
            a.tokens["dulieu_hn"] = issue_token(conn, "dulieu_hn").token
        yield a


def test_credentials_roles_scope(api):
    assert api.client.get(URL).status_code == 401
    for user in ("motcua", "lanhdao", "kiemtoan", "c06", "an"):
        assert api.client.get(URL, headers=api.h(user)).status_code == 403, user
    r = api.client.get(URL, params={"ma_xa": "25216"}, headers=api.h("dulieu_hn"))
    assert r.status_code == 403 and "phạm vi" in r.json()["detail"]
    # without ma_xa a scoped officer sees only the communes in scope
    mine = api.client.get(URL, headers=api.h("dulieu_hn")).json()["items"]
    assert [f["commune_code"] for f in mine] == ["01001"]
    theirs = api.client.get(URL, headers=api.h("dulieu")).json()["items"]
    assert {f["commune_code"] for f in theirs} == {"25216"}


def test_filters_masking_and_log(api):
    r = api.client.get(URL, params={"ma_xa": "25216", "ma_loi": "ID_FORMAT", "trang_thai": "MO"},
                       headers=api.h("dulieu"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 1 and items[0]["register_value"] == f"CCCD {NUMBER}"  # a data officer: in full
    assert items[0]["updated_at"].endswith(("Z", "+00:00"))  # with its time zone, on SQLite too
    log = api.access_log("dulieu")
    assert len(log) == 1 and log[0].action == "xem phát hiện chất lượng dữ liệu"
    r = api.client.get(URL, headers=api.h("admin"))
    assert r.status_code == 200 and len(r.json()["items"]) == 4
    assert NUMBER not in r.text and "0700******34" in r.text  # admin: masked
    assert len(api.access_log("admin")) == 1
    page = api.client.get(URL, params={"limit": 3}, headers=api.h("admin")).json()
    assert len(page["items"]) == 3 and page["has_more"] is True


def test_bad_input(api):
    for params in ({"ma_xa": "1"}, {"trang_thai": "XYZ"}, {"limit": 0}, {"limit": 5000}, {"offset": -2},
                   {"ma_loi": "x" * 41}):
        r = api.client.get(URL, params=params, headers=api.h("dulieu"))
        assert r.status_code == 422, (params, r.text)
    assert api.client.get(URL, params={"ma_loi": "KHONG_CO"}, headers=api.h("dulieu")).json()["items"] == []
