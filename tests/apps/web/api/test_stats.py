"""GET /api/v1/stats/dossiers?month=YYYY-MM: managers only, the monthly table per service, bad months."""

from __future__ import annotations

import pytest

from datdai.access.tokens import issue_token
from datdai.access.users import create_user
from datdai.db.files import FileStore
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, file_june_dossiers, make_api

URL = "/api/v1/stats/dossiers"


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def test_needs_credentials_and_a_manager(api):
    assert api.client.get(URL, params={"month": "2025-06"}).status_code == 401
    for who in (api.h("motcua"), api.h("dulieu"), api.h("kiemtoan"), api.h(OTHER_CLERK), api.h("an"),
                api.key("congchung"), api.key("thue")):
        r = api.client.get(URL, params={"month": "2025-06"}, headers=who)
        assert r.status_code == 403 and r.json()["detail"]
    for user in ("lanhdao", "admin"):
        assert api.client.get(URL, params={"month": "2025-06"}, headers=api.h(user)).status_code == 200


def test_monthly_table(api, tmp_path):
    file_june_dossiers(api.store, FileStore(tmp_path / "files"))
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

    # a manager with a scope sees only the dossiers of their communes
    with api.store.transaction() as conn:
        for name, scope in (("lanhdao_hn", "01"), ("lanhdao_bp", "70")):
            create_user(conn, name, role="lanh_dao", password="mat-khau-thu-nghiem", scopes=[scope])
            api.tokens[name] = issue_token(conn, name).token
    hanoi = api.client.get(URL, params={"month": "2025-06", "as_of": "31/12/2025"}, headers=api.h("lanhdao_hn"))
    assert hanoi.status_code == 200 and hanoi.json()["totals"]["total"] == 0
    binh_phuoc = api.client.get(URL, params={"month": "2025-06", "as_of": "31/12/2025"}, headers=api.h("lanhdao_bp"))
    assert binh_phuoc.json()["totals"] == out["totals"]


@pytest.mark.parametrize("params", [{}, {"month": ""}, {"month": "2025-13"}, {"month": "2025-6"},
                                    {"month": "06/2025"}, {"month": "tháng sáu"}, {"month": "2025-06-01"},
                                    {"month": "2025-06", "as_of": "31-12-2025"},
                                    {"month": "2025-06", "as_of": "32/12/2025"}])
def test_malformed_month_is_422(api, params):
    r = api.client.get(URL, params=params, headers=api.h("lanhdao"))
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]
