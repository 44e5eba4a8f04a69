"""The API's error answers (web/routing.py, web/openapi.py): the dates and months of issue 18 that
gave 500 are a Vietnamese 422; a body that cannot be parsed is a Vietnamese 400 on every router;
400/413/422/429 are documented in the OpenAPI in the shape actually sent."""

from __future__ import annotations

import pytest

from datdai.db.store import open_store
from tests.apps.web.api.dossier_api_helpers import make_api


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('routing') / 's.db'}", create=True)
    with make_api(store) as a:
        yield a
    store.close()


ISSUE_CASES = [("/api/v1/calendar/deadline?start=31/12/9999&working_days=5", None)] + [
    (url.format(m=m), "lanhdao") for m in ("0000-01", "0001-01", "9999-12")
    for url in ("/api/v1/stats/dossiers?month={m}", "/api/v1/reports/{m}?format=json",
                "/api/v1/reports/{m}/texts")]


@pytest.mark.parametrize("url, who", ISSUE_CASES)
def test_dates_out_of_range_are_422_in_vietnamese(api, url, who):
    r = api.client.get(url, headers=api.h(who) if who else {})
    assert r.status_code == 422, r.text
    assert "ngoài khoảng cho phép 1900–2200" in r.json()["detail"]


def test_other_dates_out_of_range(api):
    r = api.client.get("/api/v1/access-log", params={"until": "9999-12-31"}, headers=api.h("kiemtoan"))
    assert r.status_code == 422 and "1900–2200" in r.json()["detail"]
    r = api.client.get("/api/v1/stats/dossiers", params={"month": "2025-06", "as_of": "31/12/9999"},
                       headers=api.h("lanhdao"))
    assert r.status_code == 422 and "as_of" in r.json()["detail"]
    r = api.client.get("/api/v1/calendar/deadline", params={"start": "24/01/2025", "working_days": "3650"})
    assert r.status_code == 200 and r.json()["deadline"].endswith("2039")


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"{not json"])
def test_unparsable_bodies_are_400_in_vietnamese(api, body):
    headers = {"Content-Type": "application/json"}
    r = api.client.post("/api/v1/dossiers", content=body, headers={**api.h("motcua"), **headers})
    assert r.status_code == 400 and "nội dung gửi lên" in r.json()["detail"]
    # a router outside VnRoute (the login) answers the same way
    r = api.client.post("/api/v1/auth/token", content=b"\xff", headers=headers)
    assert r.status_code in (400, 422) and r.json()["detail"].startswith(("nội dung", "dữ liệu"))


def test_login_validation_errors_are_vietnamese(api):
    r = api.client.post("/api/v1/auth/token", data={})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and "bắt buộc" in r.json()["detail"]


def test_error_answers_documented(api):
    schema = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error = schema["components"]["schemas"]["Loi"]
    assert error["required"] == ["detail"]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"422", "429"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"400", "413"} <= codes, (method, path)
            for code in ("400", "413", "422", "429"):
                if code in codes:
                    ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Loi") and op["responses"][code]["description"]
