"""The API's authentication: tokens, API keys, 401/403, scope, masking, the access log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy import update

from datdai.access.demo import DEMO_PASSWORD, create_demo_accounts
from datdai.access.masking import mask_number
from datdai.access.users import create_user, set_active
from datdai.apps.web.app import create_app
from datdai.apps.web.auth import Principal, log_access, require, require_commune
from datdai.db.schema import access_tokens

NUMBER = "070077613811"
STAFF = require("can_bo_du_lieu", "mot_cua", "lanh_dao", "he_thong_c06")


def _app(store, cache_seconds=10.0):
    app = create_app(store)
    app.state.auth_cache_seconds = cache_seconds
    probe = APIRouter(prefix="/api/v1/_probe")

    @probe.get("/communes/{code}")
    async def commune(code: str, who: Annotated[Principal, Depends(STAFF)]):
        require_commune(who, code)
        number = NUMBER if who.needs_full_personal_data() else mask_number(NUMBER)
        with store.transaction() as conn:
            log_access(conn, who, action="xem_chu_su_dung", resource=f"/_probe/communes/{code}",
                       purpose="kiểm thử", subjects=[NUMBER])
        return {"ma_xa": code, "so_dinh_danh": number}

    app.include_router(probe)
    return app


@pytest.fixture
def demo(store):
    with store.transaction() as conn:
        accounts = create_demo_accounts(conn, scopes=["70"])
    return accounts


def _login(client, username, password=DEMO_PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _bearer(client, username):
    r = _login(client, username)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_token_issue_me_and_failures(store, demo):
    with TestClient(_app(store)) as client:
        r = _login(client, "dulieu")
        body = r.json()
        assert r.status_code == 200 and body["token_type"] == "bearer" and body["expires_in"] == 3600
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json() == {"username": "dulieu", "role": "can_bo_du_lieu",
                             "role_name": "Cán bộ dữ liệu / data officer", "scopes": ["70"],
                             "is_system": False, "full_personal_data": True, "personal_number": None}
        wrong = _login(client, "dulieu", "sai-mat-khau")
        missing = _login(client, "khong-co-ai", "sai-mat-khau")
        assert wrong.status_code == missing.status_code == 401
        assert wrong.json() == missing.json()
        assert client.post("/api/v1/auth/token", data={"username": "dulieu"}).status_code == 422
        assert client.post("/api/v1/auth/token", content=b"\xff\xfe",
                           headers={"content-type": "application/x-www-form-urlencoded"}).status_code in (400, 401, 422)


def test_401_without_or_with_bad_credentials(store, demo):
    with TestClient(_app(store)) as client:
        for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"},
                        {"Authorization": "Bearer"}, {"X-API-Key": "dd_nope"}, {"X-API-Key": "x" * 5000}]:
            r = client.get("/api/v1/auth/me", headers=headers)
            assert r.status_code == 401, headers
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert client.get("/api/v1/_probe/communes/25195", headers=headers).status_code == 401


def test_expired_token_and_inactive_user(store, demo):
    with TestClient(_app(store, cache_seconds=0)) as client:
        headers = _bearer(client, "motcua")
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        with store.transaction() as conn:
            conn.execute(update(access_tokens).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
        headers = _bearer(client, "motcua")
        with store.transaction() as conn:
            set_active(conn, "motcua", False)
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
        assert _login(client, "motcua").status_code == 401


def test_api_key_and_password_for_system_clients(store, demo):
    with TestClient(_app(store)) as client:
        r = client.get("/api/v1/auth/me", headers={"X-API-Key": demo.api_keys["c06"]})
        assert r.status_code == 200
        assert r.json()["role"] == "he_thong_c06" and r.json()["is_system"] is True
        assert client.get("/api/v1/auth/me", headers=_bearer(client, "thue")).json()["role"] == "he_thong_thue"
        r = client.get("/api/v1/_probe/communes/00001", headers={"X-API-Key": demo.api_keys["c06"]})
        assert r.status_code == 200 and r.json()["so_dinh_danh"] == NUMBER


def test_403_for_role_and_scope_and_masking(store, demo):
    with TestClient(_app(store)) as client:
        officer = _bearer(client, "dulieu")
        r = client.get("/api/v1/_probe/communes/25195", headers=officer)  # a commune of province 70
        assert r.status_code == 200 and r.json()["so_dinh_danh"] == NUMBER
        r = client.get("/api/v1/_probe/communes/00001", headers=officer)  # Hà Nội
        assert r.status_code == 403 and "phạm vi" in r.json()["detail"]
        manager = client.get("/api/v1/_probe/communes/25195", headers=_bearer(client, "lanhdao"))
        assert manager.status_code == 200 and manager.json()["so_dinh_danh"] == "0700******11"
        r = client.get("/api/v1/_probe/communes/25195", headers={"X-API-Key": demo.api_keys["thue"]})
        assert r.status_code == 403 and "Vai trò" in r.json()["detail"]
        with store.transaction() as conn:
            create_user(conn, "xa-khac", role="mot_cua", password=DEMO_PASSWORD, scopes=["25198"])
        assert client.get("/api/v1/_probe/communes/25195",
                          headers=_bearer(client, "xa-khac")).status_code == 403


def test_access_log_endpoint(store, demo):
    with TestClient(_app(store)) as client:
        officer = _bearer(client, "dulieu")
        for code in ("25195", "25198"):
            assert client.get(f"/api/v1/_probe/communes/{code}", headers=officer).status_code == 200
        assert client.get("/api/v1/access-log", headers=officer).status_code == 403
        assert client.get("/api/v1/access-log").status_code == 401
        auditor = _bearer(client, "kiemtoan")
        r = client.get("/api/v1/access-log", params={"username": "dulieu", "page_size": 1},
                       headers=auditor)
        body = r.json()
        assert r.status_code == 200 and body["total"] == 2 and len(body["items"]) == 1
        item = body["items"][0]
        assert item["resource"] == "/_probe/communes/25198"  # newest first
        assert item["role"] == "can_bo_du_lieu" and item["purpose"] == "kiểm thử"
        assert item["subjects"] == ["0700******11"]  # the auditor sees numbers masked
        assert item["client_ip"] == "testclient"
        r = client.get("/api/v1/access-log", params={"subject": NUMBER, "page": 2, "page_size": 1},
                       headers=_bearer(client, "admin"))
        assert r.json()["total"] == 2 and len(r.json()["items"]) == 1
        r = client.get("/api/v1/access-log", params={"action": "xem_nhat_ky_truy_cap"}, headers=auditor)
        assert r.json()["total"] >= 2  # reading the log is logged
        today = dt.datetime.now(dt.UTC).date()
        r = client.get("/api/v1/access-log", params={"since": str(today), "until": str(today)},
                       headers=auditor)
        assert r.status_code == 200 and r.json()["total"] >= 2
        r = client.get("/api/v1/access-log", params={"since": "hôm qua"}, headers=auditor)
        assert r.status_code == 422
        r = client.get("/api/v1/access-log", params={"page_size": 100000}, headers=auditor)
        assert r.status_code == 422


def test_openapi_documents_auth(store):
    with TestClient(create_app(store)) as client:
        spec = client.get("/openapi.json").json()
    assert {"bearer", "api_key"} <= set(spec["components"]["securitySchemes"])
    assert "/api/v1/auth/token" in spec["paths"] and "/api/v1/access-log" in spec["paths"]
    props = spec["components"]["schemas"]["AccessLogEntry"]["properties"]
    assert all(p.get("description") for p in props.values())


def test_failed_logins_back_off_per_account_and_address(store, demo):
    """After 3 failed logins of an account the next must wait (429, Retry-After) and is not even
    checked; another account from the same address is not held up; the web app's form too."""
    from datdai.access.login_throttle import LoginThrottle, ThrottleSettings

    now = [1000.0]
    app = _app(store)
    app.state.login_throttle = LoginThrottle(ThrottleSettings(account_free=3, address_free=6),
                                             clock=lambda: now[0])
    with TestClient(app) as client:
        assert [_login(client, "dulieu", "sai").status_code for _ in range(3)] == [401] * 3
        r = _login(client, "dulieu")  # the right password, but too soon
        assert r.status_code == 429 and r.headers["retry-after"] == "1" and "thử lại" in r.json()["detail"]
        assert _login(client, "motcua").status_code == 200
        now[0] += 1
        assert _login(client, "dulieu").status_code == 200
        for user in ("a", "b", "c", "d", "e", "f"):
            _login(client, user, "sai")
        assert _login(client, "lanhdao").status_code == 429  # the address now waits
        client.get("/ui/dang-nhap")  # the form's page sets the CSRF cookie
        form = client.post("/ui/dang-nhap", data={"username": "lanhdao", "password": DEMO_PASSWORD,
                                                 "csrf_token": client.cookies.get("datdai_csrf")})
        assert form.status_code == 429 and "thử lại sau" in form.text and form.headers["retry-after"]
        now[0] += 120
        assert _login(client, "lanhdao").status_code == 200
