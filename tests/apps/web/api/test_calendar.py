"""GET /api/v1/calendar/deadline (the store is not used: SQLite only)."""

import pytest
from fastapi.testclient import TestClient

from datdai.apps.web.app import create_app
from datdai.db.store import open_store


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('cal') / 'store.db'}", create=True)
    with TestClient(create_app(store)) as c:
        yield c
    store.close()


def _get(client, **params):
    return client.get("/api/v1/calendar/deadline", params=params)


def test_deadline_across_tet_2025_lists_the_days_skipped(client):
    # received Fri 24/01/2025; off Sat 25/01 – Sun 02/02 (Tết Mon 27 – Fri 31);
    # Mon 03 (1), Tue 04 (2), Wed 05 (3), Thu 06 (4)
    r = _get(client, start="24/01/2025", working_days="4")
    assert r.status_code == 200
    body = r.json()
    assert body["deadline"] == "06/02/2025"
    assert body["start"] == "24/01/2025" and body["working_days"] == 4
    skipped = {d["ngay"]: d["ly_do"] for d in body["ngay_nghi_bo_qua"]}
    assert list(skipped) == [f"{d:02d}/01/2025" for d in range(25, 32)] + ["01/02/2025",
                                                                          "02/02/2025"]
    assert skipped["25/01/2025"] == "Thứ Bảy" and skipped["29/01/2025"] == "Tết Nguyên Đán"


def test_deadline_counts_the_swap_saturday(client):
    # received Thu 24/04/2025: Fri 25 (1), Sat 26 worked (2), Mon 28 (3), Tue 29 (4)
    body = _get(client, start="24/04/2025", working_days="4").json()
    assert body["deadline"] == "29/04/2025"
    assert [d["ngay"] for d in body["ngay_nghi_bo_qua"]] == ["27/04/2025"]


def test_deadline_tet_2026_and_zero_days(client):
    # received Fri 13/02/2026: off 14–22/02; Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4)
    assert _get(client, start="13/02/2026", working_days="4").json()["deadline"] == "26/02/2026"
    # N = 0 on Sunday 15/02/2026 (in Tết) → the next working day, Mon 23/02/2026
    assert _get(client, start="15/02/2026", working_days="0").json()["deadline"] == "23/02/2026"


@pytest.mark.parametrize("params", [
    {"start": "2025-01-24", "working_days": "4"},
    {"start": "31/02/2025", "working_days": "4"},
    {"start": "hôm nay", "working_days": "4"},
    {"start": "24/01/2025", "working_days": "-1"},
    {"start": "24/01/2025", "working_days": "1.5"},
    {"start": "24/01/2025", "working_days": "bốn"},
    {"start": "24/01/2025", "working_days": "٣"},
    {"start": "24/01/2025", "working_days": "3651"},
    {"start": "24/01/2025", "working_days": "99999999999999999999999"},
    {"start": "24/01/2025"},
    {"working_days": "4"},
    {"start": "01/01/2200", "working_days": "1"},
    {"start": "01/01/0001", "working_days": "1"},
    {"start": "30/12/2100", "working_days": "3650"},
])
def test_bad_input_is_422_in_vietnamese(client, params):
    r = _get(client, **params)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and not detail.isascii()


def test_openapi_describes_the_endpoint_in_vietnamese(client):
    op = client.get("/openapi.json").json()["paths"]["/api/v1/calendar/deadline"]["get"]
    assert "ngày làm việc" in op["summary"] and "thứ Bảy" in op["description"]
    params = {p["name"]: p for p in op["parameters"]}
    assert "dd/mm/yyyy" in params["start"]["description"]
    assert "3650" in params["working_days"]["description"]
