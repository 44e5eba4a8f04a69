"""GET /api/v1/reports/{month}?format=…, GET/PUT /api/v1/reports/{month}/texts: who may, scope, the
figures and texts in the downloads, bad input → 422 (never a 500)."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
from argon2 import PasswordHasher
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from datdai.access import passwords
from datdai.access.demo import demo_scopes
from datdai.access.tokens import issue_token
from datdai.access.users import create_user
from datdai.db.schema import report_texts
from tests.apps.web.api.dossier_api_helpers import (
    OTHER_CLERK,
    PASSWORD,
    file_june_dossiers,
    make_api,
)

URL = "/api/v1/reports/2025-06"
OTHER_OFFICER = "dulieu_hn"  # a data officer of Hà Nội (01): nothing of the test communes


@pytest.fixture
def api(store):
    with make_api(store) as a:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        with mock.patch.object(passwords, "_hasher", cheap), store.transaction() as conn:
            create_user(conn, OTHER_OFFICER, role="can_bo_du_lieu", password=PASSWORD, scopes=["01"])
            a.tokens[OTHER_OFFICER] = issue_token(conn, OTHER_OFFICER).token
        yield a


def test_download_needs_credentials_and_a_reader_role(api):
    for path in (URL, URL + "/texts"):
        assert api.client.get(path, params={"format": "json"}).status_code == 401
        for who in (api.h("motcua"), api.h("kiemtoan"), api.h(OTHER_CLERK), api.h("an"), api.key("congchung"),
                    api.key("thue"), api.key("c06")):
            r = api.client.get(path, params={"format": "json"}, headers=who)
            assert r.status_code == 403 and r.json()["detail"], (path, r.text)
        for user in ("lanhdao", "admin", "dulieu"):
            assert api.client.get(path, params={"format": "json"}, headers=api.h(user)).status_code == 200


def test_put_texts_needs_a_manager(api):
    body = {"problems": "Thiếu cán bộ."}
    assert api.client.put(URL + "/texts", json=body).status_code == 401
    for who in (api.h("dulieu"), api.h("motcua"), api.h("kiemtoan"), api.h("an"), api.key("c06")):
        r = api.client.put(URL + "/texts", json=body, headers=who)
        assert r.status_code == 403 and r.json()["detail"]
    with api.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(report_texts)).scalar_one() == 0
    for user in ("lanhdao", "admin"):
        assert api.client.put(URL + "/texts", json=body, headers=api.h(user)).status_code == 200


def test_json_figures_are_the_scope_s(api):
    file_june_dossiers(api.store)
    r = api.client.get(URL, params={"format": "json", "as_of": "31/12/2025"}, headers=api.h("lanhdao"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert 'filename="bao-cao-de-an-06-2025-06.json"' in r.headers["content-disposition"]
    f = r.json()
    rows = {s["code"]: s for s in f["services"]}
    assert {k: rows["NGHIA_VU_TAI_CHINH"][k] for k in ("total", "online", "on_time", "overdue", "digitized")} == {
        "total": 2, "online": 1, "on_time": 1, "overdue": 1, "digitized": 0}
    assert rows["CHUYEN_QUYEN"]["total"] == 0 and f["service_totals"]["total"] == 2
    assert [u["code"] for u in f["units"]] == ["25216"] and f["unit_totals"]["parcels"] > 0
    with api.store.read() as conn:
        provinces = demo_scopes(conn)  # the manager's scope: the store's provinces
    assert f["office"]["code"] == ",".join(provinces) and f["scope"] == ["25216"]
    # a data officer of another province sees none of it
    other = api.client.get(URL, params={"format": "json"}, headers=api.h(OTHER_OFFICER)).json()
    assert other["units"] == [] and other["service_totals"]["total"] == 0


def test_texts_round_trip_and_reach_the_documents(api):
    body = {"problems": "Đường truyền chậm.\nThiếu máy quét.", "tasks": "Đối soát xã còn lại.",
            "proposals": "Bổ sung cán bộ.", "number": "45", "report_date": "05/07/2025",
            "signer_name": "Lê Văn Ký", "service_notes": {"CHUYEN_QUYEN": "Chưa liên thông thuế"}}
    r = api.client.put(URL + "/texts", json=body, headers=api.h("lanhdao"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["stored"] and out["updated_by"] == "lanhdao" and out["report_date"] == "05/07/2025"
    got = api.client.get(URL + "/texts", headers=api.h("lanhdao")).json()
    assert {k: got[k] for k in body} == body
    # the admin (whole store) keeps its own texts
    assert api.client.get(URL + "/texts", headers=api.h("admin")).json()["problems"] == ""
    # a partial change keeps the rest
    api.client.put(URL + "/texts", json={"tasks": "Việc mới."}, headers=api.h("lanhdao"))
    got = api.client.get(URL + "/texts", headers=api.h("lanhdao")).json()
    assert got["tasks"] == "Việc mới." and got["problems"] == body["problems"]

    docx = api.client.get(URL, params={"format": "docx"}, headers=api.h("lanhdao"))
    assert docx.status_code == 200 and docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    doc = Document(io.BytesIO(docx.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Đường truyền chậm." in paragraphs and "Việc mới." in paragraphs
    assert "Số: 45/BC-VPĐK" in doc.tables[0].rows[0].cells[0].text
    xlsx = api.client.get(URL, params={"format": "xlsx"}, headers=api.h("lanhdao"))
    wb = load_workbook(io.BytesIO(xlsx.content))
    notes = [r[8] for r in wb["Phụ lục - DVC trực tuyến"].iter_rows(min_row=5, values_only=True) if r[1]]
    assert "Chưa liên thông thuế" in notes


BAD = [
    ("/api/v1/reports/2025-13", {"format": "pdf"}, None),
    ("/api/v1/reports/06-2025", {"format": "pdf"}, None),
    ("/api/v1/reports/2025-06", {"format": "odt"}, None),
    ("/api/v1/reports/2025-06", {"format": "pdf", "as_of": "32/12/2025"}, None),
    ("/api/v1/reports/2025-13/texts", None, None),
    ("/api/v1/reports/2025-06/texts", None, {"problems": 5}),
    ("/api/v1/reports/2025-06/texts", None, {"khac": "x"}),
    ("/api/v1/reports/2025-06/texts", None, {"report_date": "2025-07-05"}),
    ("/api/v1/reports/2025-06/texts", None, {"number": "1" * 30}),
    ("/api/v1/reports/2025-06/texts", None, {"tasks": "a\u0000b"}),
]


def test_bad_input_is_422(api):
    for path, params, body in BAD:
        if body is None:
            r = api.client.get(path, params=params, headers=api.h("lanhdao"))
        else:
            r = api.client.put(path, json=body, headers=api.h("lanhdao"))
        assert r.status_code == 422, (path, params, body, r.text)
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
        if body and "report_date" in body:
            assert r.json()["field"] == "report_date"
    with api.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(report_texts)).scalar_one() == 0


def test_pdf_download(api):
    r = api.client.get(URL, params={"format": "pdf"}, headers=api.h("admin"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    assert json.loads(api.client.get(URL, params={"format": "json"}, headers=api.h("admin")).content)["scope"] is None
