"""The delivery job of the web app with a contractor's corrected delivery, through the pages and the
job runner (FastAPI TestClient), on SQLite and PostgreSQL: the first delivery is imported; the
corrected one for the same communes is planned (nothing changed), its plan shown on the job's page
with the button to apply; applying runs a second job that writes one audited batch."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from datdai import synth
from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.apps.web.app import create_app
from datdai.db import schema as s
from tests.apps.web.ui.test_routes import csrf, login
from tests.cleaning.redelivery.corrected import (
    Edits,
    copy_delivery,
    key_of,
    read_register,
    write_corrected,
)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    out = tmp_path_factory.mktemp("giao-nop-1")
    synth.run(out, parcels=60, seed=3)
    return out


def _wait(store, job_id: int, seconds: float = 180.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with store.read() as conn:
            row = conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).first()
        if row.status in ("XONG", "LOI", "GIAN_DOAN"):
            return row
        time.sleep(0.3)
    raise AssertionError(f"job #{job_id} did not finish")


def _start(client, store, **form) -> int:
    r = client.post("/ui/tac-vu/nhap-giao-nop", data={**form, "csrf_token": csrf(client)})
    assert r.status_code == 303, r.text
    with store.read() as conn:
        return conn.execute(select(func.max(s.jobs.c.id))).scalar_one()


def _parcels(store) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(s.parcels)).scalar_one()


def test_a_corrected_delivery_is_planned_then_applied(store, first, tmp_path, monkeypatch):
    inbox = tmp_path / "giao-nop"
    copy_delivery(first, inbox / "dot-1")
    _, reg = read_register(first / "so_dia_chinh.csv")
    keys = list(dict.fromkeys(key_of(r) for r in reg))
    edits = Edits(removed=[keys[-1]], added=[(keys[0][0], 98, 1)], moved=keys[1], owner=keys[2])
    write_corrected(first, inbox / "dot-2", edits, {}, {})
    monkeypatch.setenv("DATDAI_INBOX", str(inbox))
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            create_demo_accounts(conn, scopes=[keys[0][0]])
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            assert login(client, "admin").status_code == 303
            page = client.get("/ui/tac-vu")
            assert 'id="chi-ke-hoach"' in page.text
            done = _wait(store, _start(client, store, giao_nop="dot-1"))
            assert done.status == "XONG" and done.result["counts"]["parcels"] == 60
            # the corrected delivery for the same communes: planned, nothing changed
            planned = _wait(store, _start(client, store, giao_nop="dot-2"))
            assert planned.status == "XONG", planned.message
            assert planned.result["plan"] == {"THEM": 1, "XOA": 1, "HINH_THE": 1, "THUOC_TINH": 0,
                                              "CHU_SU_DUNG": 1, "XUNG_DOT": 0, "KHONG_DOI": 57}
            assert not planned.result["applied"] and "Chưa thay đổi gì" in planned.message
            assert _parcels(store) == 60
            page = client.get(f"/ui/tac-vu/{planned.id}")
            assert page.status_code == 200
            assert 'id="ke-hoach"' in page.text and 'id="form-ap-dung"' in page.text
            k = edits.added[0]
            assert f"{k[0]}/{k[1]}/{k[2]}" in page.text and "thêm thửa" in page.text
            with store.read() as conn:  # the plan names land users: the read is logged
                logged = conn.execute(select(s.access_log).where(
                    s.access_log.c.resource == f"ui/tac-vu/{planned.id}")).all()
            assert [(r.username, r.action) for r in logged] == [("admin", "xem kế hoạch giao nộp sửa")]
            # applied from the plan's page: one audited batch
            applied = _wait(store, _start(client, store, giao_nop="dot-2", che_do="cap-nhat"))
            assert applied.status == "XONG", applied.message
            assert applied.result["applied"] and applied.result["batch_id"]
            assert "Đã áp dụng giao nộp sửa" in applied.message
            assert _parcels(store) == 60
            with store.read() as conn:
                batch = conn.execute(select(s.audit_batches).where(
                    s.audit_batches.c.id == applied.result["batch_id"])).first()
            assert batch.actor == "admin" and batch.source.startswith("giao nộp sửa")
            page = client.get(f"/ui/tac-vu/{applied.id}")
            assert 'id="form-ap-dung"' not in page.text
