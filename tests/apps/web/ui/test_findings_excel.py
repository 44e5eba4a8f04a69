"""Excel from the web pages, on SQLite and PostgreSQL: the findings (with the decision column) and
the progress downloaded, decisions uploaded and applied row by row (refused outside the officer's
communes), the review queue downloaded."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.apps.web.app import create_app
from datdai.db import schema as s
from tests.apps.web.ui.test_routes import csrf, login
from tests.cleaning.deliveries import store_hand_delivery


@pytest.fixture
def ui(store):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            store_hand_delivery(conn)
            create_demo_accounts(conn, scopes=["25198"])
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            client.store = store
            yield client


def _book(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    ws = wb["phat_hien"]
    header = [c.value for c in ws[1]]
    return wb, ws, {h: i + 1 for i, h in enumerate(header)}


def test_findings_out_and_decisions_in(ui):
    assert login(ui, "admin").status_code == 303
    page = ui.get("/ui/loi-du-lieu")
    assert 'id="tai-ve-xlsx"' in page.text and 'id="form-nap-quyet-dinh"' in page.text
    r = ui.get("/ui/loi-du-lieu/tai-ve.xlsx?trang_thai=")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb, ws, col = _book(r.content)
    by_commune = {}
    for i in range(2, ws.max_row + 1):
        if ws.cell(row=i, column=col["trang_thai"]).value == "MO":
            by_commune.setdefault(ws.cell(row=i, column=col["ma_xa"]).value, i)
    assert {"25198", "25195"} <= set(by_commune)
    for i in by_commune.values():
        ws.cell(row=i, column=col["quyet_dinh"], value="CHAP_NHAN")
    buf = io.BytesIO()
    wb.save(buf)
    progress = ui.get("/ui/loi-du-lieu/tien-do.xlsx")
    assert progress.status_code == 200 and load_workbook(io.BytesIO(progress.content)).active["A1"].value == "ma_xa"

    # a scoped officer: the row of the other commune is refused, the own one applied
    assert login(ui, "dulieu").status_code == 303
    r = ui.post("/ui/loi-du-lieu/nap-quyet-dinh", files={"tep": ("phat_hien.xlsx", buf.getvalue(), "application/octet-stream")},
                headers={"X-CSRF-Token": csrf(ui)})
    assert r.status_code == 200, r.text
    assert "1 dòng áp dụng, 1 dòng từ chối" in r.text and "ngoài phạm vi được giao" in r.text
    own = ws.cell(row=by_commune["25198"], column=col["ma_phat_hien"]).value
    other = ws.cell(row=by_commune["25195"], column=col["ma_phat_hien"]).value
    with ui.store.read() as conn:
        got = dict(conn.execute(select(s.findings.c.id, s.findings.c.status).where(s.findings.c.id.in_([own, other]))).all())
    assert got == {own: "CHAP_NHAN", other: "MO"}
    wrong = ui.post("/ui/loi-du-lieu/nap-quyet-dinh", files={"tep": ("x.csv", b"a,b", "text/csv")},
                    headers={"X-CSRF-Token": csrf(ui)})
    assert wrong.status_code == 422 and "Hãy chọn tệp Excel" in wrong.text
    not_a_book = ui.post("/ui/loi-du-lieu/nap-quyet-dinh", files={"tep": ("x.xlsx", b"PK no zip", "application/octet-stream")},
                         headers={"X-CSRF-Token": csrf(ui)})
    assert not_a_book.status_code == 422 and "không đọc được tệp Excel" in not_a_book.text


def test_review_queue_download(ui):
    assert login(ui, "admin").status_code == 303
    r = ui.get("/ui/doi-soat/hang-doi.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "ma_ket_qua"
    r = ui.get("/ui/doi-soat/tien-do.xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).active["A1"].value == "ma"
