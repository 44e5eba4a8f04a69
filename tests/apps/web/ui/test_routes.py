"""The web app's routes without a browser (FastAPI TestClient), on SQLite and PostgreSQL: login
and the session cookie, redirects without a session, roles and scope, CSRF on every form post,
log out revoking the token, the map's features, masking and the access log of the parcel panel,
interrupted jobs."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from datdai.access import passwords
from datdai.access.access_log import query_access_log
from datdai.access.demo import DEMO_PASSWORD, create_demo_accounts
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.apps.web.ui import job_runner as jr
from datdai.db import schema as s
from datdai.land import repository
from tests.land.factories import small_dataset

COMMUNE = "25216"
PAGES = ["/ui/tong-quan", f"/ui/ban-do?ma_xa={COMMUNE}", "/ui/loi-du-lieu", "/ui/doi-soat", "/ui/ho-so",
         "/ui/tac-vu", "/ui/bao-cao", "/ui/nguoi-su-dung"]


@pytest.fixture
def ui(store):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
            create_demo_accounts(conn, scopes=["70"])
            create_user(conn, "dulieu_khac", role="can_bo_du_lieu", password="x" * 12, scopes=["01001"])
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            client.store = store
            yield client


def login(client, username, password=DEMO_PASSWORD):
    client.cookies.clear()
    page = client.get("/ui/dang-nhap")
    assert page.status_code == 200
    token = client.cookies.get("datdai_csrf")
    assert token and f'value="{token}"' in page.text
    return client.post("/ui/dang-nhap", data={"username": username, "password": password, "csrf_token": token})


def csrf(client) -> str:
    return client.cookies.get("datdai_csrf")


def test_pages_redirect_to_login_without_a_session(ui):
    for path in PAGES:
        r = ui.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/ui/dang-nhap?next=%2Fui%2F"), path
    # a script's request gets a 401 it can act on, not the login page
    r = ui.get(f"/ui/ban-do/du-lieu?ma_xa={COMMUNE}", headers={"X-Requested-With": "fetch"})
    assert r.status_code == 401 and "login" in r.json()
    assert ui.get("/").headers["location"] == "/ui/"


def test_login_cookie_csrf_and_layout(ui):
    ui.get("/ui/dang-nhap")
    refused = ui.post("/ui/dang-nhap", data={"username": "dulieu", "password": DEMO_PASSWORD})
    assert refused.status_code == 403 and "datdai_session" not in refused.headers.get("set-cookie", "")
    assert login(ui, "dulieu", "sai mật khẩu").status_code == 401
    r = login(ui, "dulieu")
    assert r.status_code == 303 and r.headers["location"] == "/ui/loi-du-lieu"
    cookie = r.headers["set-cookie"]
    assert re.search(r"datdai_session=[\w-]{40,}", cookie)
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; set over https
    page = ui.get("/ui/tong-quan")
    assert page.status_code == 200
    assert "Cán bộ dữ liệu (demo)" in page.text and "Tỉnh Bình Phước" in page.text
    assert 'action="/ui/dang-xuat"' in page.text
    # the session cookie authenticates the JSON API too (the pages' scripts use it)
    me = ui.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "dulieu"
    # a redirect back to where the officer was going, and never to another site
    ui.cookies.clear()
    ui.get("/ui/dang-nhap")
    r = ui.post("/ui/dang-nhap", data={"username": "dulieu", "password": DEMO_PASSWORD, "csrf_token": csrf(ui),
                                       "next": "//evil.example/x"})
    assert r.headers["location"] == "/ui/loi-du-lieu"
    ui.cookies.clear()
    ui.get("/ui/dang-nhap")
    r = ui.post("/ui/dang-nhap", data={"username": "dulieu", "password": DEMO_PASSWORD, "csrf_token": csrf(ui),
                                       "next": "/ui/ho-so"})
    assert r.headers["location"] == "/ui/ho-so"


def test_roles_and_scope(ui):
    assert login(ui, "motcua").headers["location"] == "/ui/ho-so"
    for path in ("/ui/loi-du-lieu", "/ui/doi-soat", "/ui/tac-vu"):
        r = ui.get(path)
        assert r.status_code == 403 and "không dùng chức năng này" in r.text, path
    assert ui.get("/ui/ho-so").status_code == 200
    assert ui.get(f"/ui/ban-do?ma_xa={COMMUNE}").status_code == 200

    assert login(ui, "dulieu_khac", "x" * 12).status_code == 303
    for path in (f"/ui/ban-do?ma_xa={COMMUNE}", f"/ui/ban-do/du-lieu?ma_xa={COMMUNE}",
                 f"/ui/loi-du-lieu?ma_xa={COMMUNE}", f"/ui/tong-quan?ma_xa={COMMUNE}"):
        r = ui.get(path)
        assert r.status_code == 403 and "ngoài phạm vi" in r.text, path
    with ui.store.read() as conn:
        parcel_id = conn.execute(select(s.parcels.c.id).where(s.parcels.c.commune_code == COMMUNE)).scalars().first()
    assert ui.get(f"/ui/thua-dat/{parcel_id}").status_code == 403

    r = login(ui, "c06")  # a system client has no pages
    assert r.status_code == 403 and "datdai_session" not in r.headers.get("set-cookie", "")


def test_csrf_refused_on_posts_with_a_session(ui):
    login(ui, "dulieu")
    r = ui.post("/ui/loi-du-lieu/1/xu-ly", data={"quyet_dinh": "BAC_BO", "ly_do": "x"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = ui.post("/ui/loi-du-lieu/1/xu-ly", data={"quyet_dinh": "BAC_BO", "ly_do": "x", "csrf_token": "sai"})
    assert r.status_code == 403
    r = ui.post("/api/v1/reconcile/reviews/1/decision", json={"decision": "no_match", "reason": "x"})
    assert r.status_code == 403
    r = ui.post("/api/v1/reconcile/reviews/1/decision", json={"decision": "no_match", "reason": "x"},
                headers={"X-CSRF-Token": csrf(ui)})
    assert r.status_code == 404  # past the CSRF check: no such case
    r = ui.post("/ui/tac-vu/doi-soat", data={"dan_cu": "../../etc/passwd", "csrf_token": csrf(ui)})
    assert r.status_code == 422 and "Hãy chọn một bản trích dân cư" in r.text
    assert ui.post("/ui/dang-xuat").status_code == 403


def test_logout_revokes_the_token(ui):
    login(ui, "dulieu")
    token = ui.cookies.get("datdai_session")
    r = ui.post("/ui/dang-xuat", data={"csrf_token": csrf(ui)})
    assert r.status_code == 303 and r.headers["location"] == "/ui/dang-nhap"
    assert 'datdai_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    with ui.store.read() as conn:
        assert conn.execute(select(s.access_tokens)).all() == []
    ui.cookies.set("datdai_session", token)
    r = ui.get("/ui/tong-quan")
    assert r.status_code == 303 and "het_han=1" in r.headers["location"]


def test_map_features_are_wgs84_by_bbox(ui):
    login(ui, "dulieu")
    data = ui.get(f"/ui/ban-do/du-lieu?ma_xa={COMMUNE}").json()
    with ui.store.read() as conn:
        with_geometry = conn.execute(select(s.parcels.c.id).where(s.parcels.c.commune_code == COMMUNE,
                                                                  s.parcels.c.geom.is_not(None))).scalars().all()
    assert sorted(f[0] for f in data["features"]) == sorted(with_geometry)
    for _id, _to, _thua, status, rings in data["features"]:
        assert status in (0, 1, 2)
        lon, lat = rings[0][0] * data["scale"], rings[0][1] * data["scale"]
        assert 102 < lon < 110 and 8 < lat < 24  # Vietnam, in degrees
        xs = [sum(rings[0][0:k + 1:2]) * data["scale"] for k in range(0, len(rings[0]), 2)]
        assert max(xs) - min(xs) < 0.001  # a 20 m parcel: the differences add up to a small ring
    far = ui.get(f"/ui/ban-do/du-lieu?ma_xa={COMMUNE}&bbox=100.0,20.0,100.1,20.1").json()
    assert far["features"] == []
    page = ui.get(f"/ui/ban-do?ma_xa={COMMUNE}&so_to=12&so_thua=1")
    assert page.status_code == 200 and '"parcel":' in page.text and '"parcel":null' not in page.text


def test_parcel_panel_masks_by_role_and_is_logged(ui):
    with ui.store.read() as conn:
        parcel_id = conn.execute(select(s.parcels.c.id).where(s.parcels.c.commune_code == COMMUNE,
                                                              s.parcels.c.sheet_no == 12,
                                                              s.parcels.c.parcel_no == 1)).scalar()
    login(ui, "dulieu")
    full = ui.get(f"/ui/thua-dat/{parcel_id}?khung=1")
    assert full.status_code == 200 and "Thửa 1, tờ 12" in full.text
    assert "070065001234" in full.text
    login(ui, "admin")
    masked = ui.get(f"/ui/thua-dat/{parcel_id}")
    assert "070065001234" not in masked.text and "0700******34" in masked.text
    with ui.store.read() as conn:
        _, rows = query_access_log(conn, username="dulieu")
    assert any(r.action == "xem thửa đất" and "070065001234" in r.subjects for r in rows)


def test_jobs_of_a_dead_process_are_interrupted(store):
    now = dt.datetime.now(dt.UTC)
    host = socket.gethostname()
    with store.transaction() as conn:
        ids = {}
        for name, runner, beat in (("dead", f"{host}:999999999", now),
                                   ("alive", f"{host}:{os.getppid()}", now),
                                   ("silent", "another-host:1", now - dt.timedelta(minutes=5))):
            ids[name] = conn.execute(insert(s.jobs).returning(s.jobs.c.id), {
                "kind": jr.IMPORT, "params": {"delivery": "x"}, "scope": [], "status": jr.RUNNING, "done": 0,
                "total": 0, "created_by": "t", "created_at": now, "heartbeat_at": beat, "runner": runner}).scalar_one()
    assert jr.mark_interrupted(store) == 2
    with store.read() as conn:
        status = dict(conn.execute(select(s.jobs.c.id, s.jobs.c.status)).all())
    assert status[ids["dead"]] == jr.INTERRUPTED and status[ids["silent"]] == jr.INTERRUPTED
    assert status[ids["alive"]] == jr.RUNNING


def test_report_texts_are_written_by_managers_and_read_by_data_officers(ui):
    assert login(ui, "lanhdao").status_code == 303
    page = ui.get("/ui/bao-cao", params={"thang": "2025-06"})
    assert page.status_code == 200 and 'id="noi-dung-bao-cao"' in page.text
    for name in ("problems", "tasks", "proposals", "number", "report_date", "signer_name", "recipients"):
        assert f'<label for="{name}">' in page.text, name
    body = {"thang": "2025-06", "problems": "Thiếu máy quét hồ sơ.", "tasks": "Số hóa 500 hồ sơ.",
            "proposals": "", "number": "45", "report_date": "05/07/2025", "signer_title": "GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn Giám", "recipients": "Sở NN&MT;\nLưu: VT."}
    assert ui.post("/ui/bao-cao/noi-dung", data=body).status_code == 403  # no CSRF token
    r = ui.post("/ui/bao-cao/noi-dung", data={**body, "csrf_token": csrf(ui)})
    assert r.status_code == 303 and r.headers["location"] == "/ui/bao-cao?thang=2025-06&da_luu=1"
    shown = ui.get(r.headers["location"])
    assert "Đã lưu nội dung báo cáo" in shown.text and "Thiếu máy quét hồ sơ." in shown.text
    api = ui.get("/api/v1/reports/2025-06/texts").json()  # the API's view of the same texts
    assert (api["problems"], api["tasks"], api["number"], api["report_date"], api["updated_by"]) == (
        "Thiếu máy quét hồ sơ.", "Số hóa 500 hồ sơ.", "45", "05/07/2025", "lanhdao")

    bad = ui.post("/ui/bao-cao/noi-dung", data={**body, "report_date": "32/13/2025", "problems": "Mới",
                                                 "csrf_token": csrf(ui)})
    assert bad.status_code == 422 and "Ngày ban hành không hợp lệ" in bad.text and ">Mới</textarea>" in bad.text
    assert ui.get("/api/v1/reports/2025-06/texts").json()["problems"] == "Thiếu máy quét hồ sơ."  # unchanged
    bad = ui.post("/ui/bao-cao/noi-dung", data={**body, "thang": "2025-13", "csrf_token": csrf(ui)})
    assert bad.status_code == 422 and "Tháng không hợp lệ" in bad.text

    assert login(ui, "dulieu").status_code == 303
    page = ui.get("/ui/bao-cao", params={"thang": "2025-06"})
    assert page.status_code == 200 and "Thiếu máy quét hồ sơ." in page.text and "noi-dung-bao-cao" not in page.text
    r = ui.post("/ui/bao-cao/noi-dung", data={**body, "csrf_token": csrf(ui)})
    assert r.status_code == 403


def test_reconcile_job_says_how_it_read_the_files_and_what_makes_it_doubtful(store, tmp_path,
                                                                              monkeypatch):
    """A register extract without addresses and too small to train on: the job's result and
    page carry the notes and warnings the CLI prints (never a silent result)."""
    from datdai.access.principal import Principal

    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
    inbox = tmp_path / "giao-nop"
    inbox.mkdir()
    monkeypatch.setenv("DATDAI_INBOX", str(inbox))
    (inbox / "dan_cu.csv").write_text(
        "so_dinh_danh,ho_ten,ngay_sinh,gioi_tinh\n"
        "070099000001,Lê Văn Tám,02/03/1970,Nam\n"
        "070199000002,Phạm Thị Hoa,1972,Nữ\n", encoding="utf-8")
    admin = Principal("admin", "admin", frozenset(), None, False)
    message, result = jr.run_reconcile(store, {"population": "dan_cu.csv", "job_id": 1}, admin,
                                       lambda *a: None)
    assert "Đã đối soát" in message
    assert any("thuong_tru" in n for n in result["ghi_chu"]), result
    assert result["canh_bao"] and f"Cảnh báo ({len(result['canh_bao'])})" in message, result
