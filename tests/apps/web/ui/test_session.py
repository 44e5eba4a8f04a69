"""The login page names the demo accounts only while the store's demo accounts still open with
the demo password (a store built by `datdai demo`); any other store shows none."""

from __future__ import annotations

from unittest import mock

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import update

from datdai.access import passwords
from datdai.access.demo import DEMO_PASSWORD, create_demo_accounts
from datdai.access.passwords import hash_password
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.db import schema as s


def _login_page(store) -> str:
    app = create_app(store)
    with TestClient(app) as client:
        return client.get("/ui/dang-nhap").text


def test_demo_accounts_on_the_login_page(store):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            create_user(conn, "quantri", role="admin", password="x" * 12)
        assert 'id="tai-khoan-demo"' not in _login_page(store)  # an office's own store
        with store.transaction() as conn:
            create_demo_accounts(conn, scopes=["70"])
        page = _login_page(store)
        assert 'id="tai-khoan-demo"' in page and DEMO_PASSWORD in page
        assert "<code>dulieu</code>" in page and "<code>c06</code>" not in page  # people, not system clients
        assert "<code>quantri</code>" not in page
        with store.transaction() as conn:  # passwords changed: no longer a demo to advertise
            conn.execute(update(s.users).values(password_hash=hash_password("mat-khau-moi-123")))
        assert 'id="tai-khoan-demo"' not in _login_page(store)
