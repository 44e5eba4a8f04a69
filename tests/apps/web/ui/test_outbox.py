"""The admin's page of partner messages: counts per partner, dead letters (made by a real HTTP
sender failing against a closed port) and the retry button's POST (CSRF, admin only)."""

from __future__ import annotations

import socket
from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.apps.web.app import create_app
from datdai.dossiers import outbox as ob
from datdai.dossiers.partners import load_partners
from datdai.dossiers.senders import senders_for
from tests.apps.web.ui.test_routes import csrf, login


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


@pytest.fixture
def ui(store, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}/nhan"
    monkeypatch.setenv("DATDAI_PARTNER_THUE_URL", url)
    monkeypatch.setenv("DATDAI_PARTNER_THUE_TIMEOUT", "2")
    monkeypatch.delenv("DATDAI_PARTNERS", raising=False)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            create_demo_accounts(conn, scopes=["70"])
            for key in ("thue:HS-1:1", "thue:HS-2:1"):
                ob.enqueue(conn, "THUE.CHUYEN_THONG_TIN_DIA_CHINH", "THUE", {"ma_hs": key}, key)
            ob.enqueue(conn, "CONG_DAN.THONG_BAO", "SMS", {"to": "0900000000", "text": "x"}, "sms:1")
        report = ob.dispatch(store.transaction, senders_for(load_partners()), max_attempts=1)
        assert sorted(report.dead) == ["thue:HS-1:1", "thue:HS-2:1"]
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            client.store = store
            yield client


def test_dead_letters_are_shown_to_admins_with_a_retry_button(ui):
    assert login(ui, "dulieu").status_code == 303
    assert ui.get("/ui/tin-gui").status_code == 403
    assert login(ui, "admin").status_code == 303
    page = ui.get("/ui/tin-gui")
    assert page.status_code == 200, page.text
    assert 'href="/ui/tin-gui"' in page.text  # in the admin's menu
    assert "không kết nối được" in page.text and "thue:HS-1:1" in page.text
    assert "chưa cấu hình: tin nhắn nằm chờ" in page.text  # SMS has no endpoint
    with ui.store.read() as conn:
        dead = {m.idempotency_key: m.id for m in ob.messages(conn, status="LOI")}
    target = dead["thue:HS-1:1"]
    assert f'action="/ui/tin-gui/{target}/gui-lai"' in page.text
    assert ui.post(f"/ui/tin-gui/{target}/gui-lai").status_code == 403  # no CSRF token
    r = ui.post(f"/ui/tin-gui/{target}/gui-lai", data={"csrf_token": csrf(ui)})
    assert r.status_code == 303 and r.headers["location"] == "/ui/tin-gui?tb=gui-lai"
    with ui.store.read() as conn:
        m = ob.get_message(conn, target)
    assert (m.status, m.attempts) == ("CHO_GUI", 0)
    page = ui.get("/ui/tin-gui?tb=gui-lai")
    assert "Đã đưa tin nhắn trở lại hàng gửi" in page.text and f'id="tin-{target}"' not in page.text
    # once more: it is not a dead letter any more
    assert ui.post(f"/ui/tin-gui/{target}/gui-lai", data={"csrf_token": csrf(ui)}).status_code == 409
    assert ui.post("/ui/tin-gui/99999/gui-lai", data={"csrf_token": csrf(ui)}).status_code == 404
