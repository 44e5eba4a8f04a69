"""Uploads in the web app (deliveries and population extracts), on SQLite and PostgreSQL: streamed
into the inbox under the size cap, refused with a Vietnamese 413 over it; then the office's loop
on an empty store — a delivery uploaded and imported, the extract uploaded and loaded, the store
reconciled with the stored extract — and the review page shows the register's candidates."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.apps.web.app import create_app
from datdai.db import schema as s
from datdai.matching.citizen_extracts import current_extract
from tests.apps.web.ui.test_routes import csrf, login


@pytest.fixture
def ui(store, tmp_path, monkeypatch):
    inbox = tmp_path / "giao-nop"
    inbox.mkdir()
    monkeypatch.setenv("DATDAI_INBOX", str(inbox))
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            create_demo_accounts(conn, scopes=["70"])
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            client.store, client.inbox = store, inbox
            assert login(client, "admin").status_code == 303
            yield client


def _post(client, files: dict, data: dict):
    return client.post("/ui/tac-vu/tai-len", files=files, data=data,
                       headers={"X-CSRF-Token": csrf(client)})


def _wait(client, timeout: float = 240.0):
    """The last job, once finished."""
    deadline = time.monotonic() + timeout
    while True:
        with client.store.read() as conn:
            job = conn.execute(select(s.jobs).order_by(s.jobs.c.id.desc()).limit(1)).one()
        if job.status in ("XONG", "LOI", "GIAN_DOAN"):
            return job
        assert time.monotonic() < deadline, f"job #{job.id} still {job.status}: {job.stage}"
        time.sleep(0.5)


def test_upload_cap_and_refusals(ui):
    ui.app.state.protection.max_upload_bytes = 64 * 1024
    big = b"so_dinh_danh,ho_ten\n" + b"070100000001,Nguyen Van A\n" * 4000
    r = _post(ui, {"dan_cu": ("dan_cu.csv", big, "text/csv")}, {"loai": "dan-cu"})
    assert r.status_code == 413
    assert r.json()["detail"].startswith("Tệp tải lên quá lớn: tối đa 64 KB mỗi lần tải lên")
    assert "DATDAI_UPLOAD_MAX_BYTES" in r.json()["detail"]
    assert not any(ui.inbox.iterdir())  # nothing kept
    ui.app.state.protection.max_upload_bytes = 2 * 2**20
    wrong = _post(ui, {"dan_cu": ("dan_cu.xlsx", b"x", "application/octet-stream")}, {"loai": "dan-cu"})
    assert wrong.status_code == 422 and "phải có đuôi .csv" in wrong.text
    bad_day = _post(ui, {"dan_cu": ("dan_cu.csv", big[:100], "text/csv")},
                    {"loai": "dan-cu", "ngay_trich_xuat": "31/02/2026"})
    assert bad_day.status_code == 422 and "không tồn tại" in bad_day.text
    no_register = _post(ui, {"lop_thua_dat": ("thua_dat.gpkg", b"x", "application/octet-stream")},
                        {"loai": "giao-nop"})
    assert no_register.status_code == 422 and "sổ địa chính" in no_register.text
    assert not any(ui.inbox.iterdir())
    # the ordinary body cap (1 MiB) still holds elsewhere
    assert ui.app.state.protection.max_body_bytes < 2 * 2**20


def test_the_office_loop_over_the_web(ui, synthetic_province):
    _result, folder = synthetic_province
    r = _post(ui, {"lop_thua_dat": ("thua_dat.gpkg", (folder / "thua_dat.gpkg").read_bytes(), "application/geopackage+sqlite3"),
                   "so_dia_chinh": ("so_dia_chinh.csv", (folder / "so_dia_chinh.csv").read_bytes(), "text/csv")},
              {"loai": "giao-nop"})
    assert r.status_code == 303, r.text
    job = _wait(ui)
    assert job.status == "XONG", job.message
    assert "Đã nhập giao nộp" in job.message

    page = ui.get("/ui/tac-vu")
    assert "Chưa có bản trích dân cư" in page.text and "@csdl" not in page.text
    r = _post(ui, {"dan_cu": ("dan_cu_c06.csv", (folder / "dan_cu.csv").read_bytes(), "text/csv")},
              {"loai": "dan-cu", "ngay_trich_xuat": "30/11/2026"})
    assert r.status_code == 303
    job = _wait(ui)
    assert job.status == "XONG", job.message
    with ui.store.read() as conn:
        extract = current_extract(conn)
    assert extract.file_name == "dan_cu_c06.csv (tải lên)" and extract.loaded_by == "admin"
    assert extract.row_count > 900 and f"{extract.row_count:,}".replace(",", ".") in job.message

    page = ui.get("/ui/tac-vu")
    assert 'value="@csdl"' in page.text and "trích xuất 30/11/2026" in page.text
    r = ui.post("/ui/tac-vu/doi-soat", data={"dan_cu": "@csdl", "csrf_token": csrf(ui)})
    assert r.status_code == 303
    job = _wait(ui)
    assert job.status == "XONG", job.message
    review = ui.get("/ui/doi-soat")
    assert review.status_code == 200
    assert "không có trong bản trích CSDL dân cư" not in review.text
    with ui.store.read() as conn:
        numbers = [n for c in conn.execute(select(s.reconcile_results.c.candidates).where(
            s.reconcile_results.c.status == "MO")).scalars() for n in (c or "").split("+") if n]
        names = conn.execute(select(s.citizens.c.ho_ten).where(s.citizens.c.so_dinh_danh.in_(numbers))).scalars().all()
    assert names and all(n in review.text for n in names)
