"""Logging in and out of the web app.

The login form checks the password with the app's identity provider (the same as
``POST /api/v1/auth/token``: local argon2 accounts, lockout after repeated failures) and issues an
ordinary bearer token (``datdai.access.tokens``), kept in the ``datdai_session`` cookie: HttpOnly
(no script reads it), ``SameSite=Strict``, ``Secure`` over HTTPS, for the token's lifetime
(``DATDAI_TOKEN_TTL``). The login form itself carries the CSRF token of the double-submit cookie
(checked here: no session exists yet, so ``web/protection.py`` does not). Logging out revokes the
token in the store and clears it from this worker's auth cache.
"""

from __future__ import annotations

import hmac
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from datdai.access.demo import DEMO_PASSWORD, demo_logins
from datdai.access.providers import LocalProvider
from datdai.access.roles import CITIZEN
from datdai.access.tokens import issue_token, revoke_token
from datdai.access.users import get_user
from datdai.apps.web.auth import authenticate, password_login, session_cookie_name
from datdai.apps.web.protection import CSRF_COOKIE, csrf_token, remember_credential
from datdai.apps.web.ui.common import (
    CITIZEN_HOME,
    CITIZEN_LOGIN_PATH,
    LOGIN_PATH,
    STAFF_ROLES,
    Principal,
    home_of,
    page_user,
    render,
    role_label,
)

router = APIRouter(include_in_schema=False)

WRONG = "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang bị khóa."
NOT_STAFF = "Tài khoản hệ thống kết nối không dùng giao diện web (chỉ dùng API)."


def _safe_next(value: str | None) -> str | None:
    """Only a path of this site (no scheme, no host, no '//' trick)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def _provider(request: Request):
    provider = getattr(request.app.state, "identity_provider", None)
    return provider or LocalProvider(request.app.state.store.engine)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=303)


@router.get("/ui")
@router.get("/ui/")
async def home(principal: Annotated[Principal, Depends(page_user)]) -> RedirectResponse:
    return RedirectResponse(home_of(principal), status_code=303)


@router.get(LOGIN_PATH)
async def login_form(request: Request, next: str | None = None, het_han: int = 0):
    try:
        principal = await authenticate(request)
    except Exception:
        principal = None
    if principal is not None and principal.role in STAFF_ROLES:
        return RedirectResponse(_safe_next(next) or home_of(principal), status_code=303)
    message = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại." if het_han else None
    return render(request, "login.html", None, next=_safe_next(next) or "", error=None,
                  info=message, username="", demo=await run_in_threadpool(_demo_logins, request))


_DEMO_CACHE_SECONDS = 60.0


def _demo_logins(request: Request) -> dict | None:
    """The demo accounts to show on the login page (a store built by ``datdai demo`` whose demo
    accounts still open with the demo password), looked up at most once a minute."""
    state = request.app.state
    cached = getattr(state, "demo_logins", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > _DEMO_CACHE_SECONDS:
        try:
            with request.app.state.store.read() as conn:
                accounts = demo_logins(conn)
        except Exception:  # a store without the users table: no demo to show
            accounts = []
        cached = state.demo_logins = (now, accounts)
    accounts = cached[1]
    if not accounts:
        return None
    return {"password": DEMO_PASSWORD, "accounts": [(u, role_label(r), d) for u, r, d in accounts]}


@router.post(LOGIN_PATH)
async def login(request: Request, username: Annotated[str, Form(max_length=200)] = "",
                password: Annotated[str, Form(max_length=1024)] = "",
                csrf_token_field: Annotated[str, Form(alias="csrf_token", max_length=200)] = "",
                next: Annotated[str, Form(max_length=2000)] = ""):
    cookie = request.cookies.get(CSRF_COOKIE)
    if not (cookie and csrf_token_field and hmac.compare_digest(cookie, csrf_token_field)):
        return render(request, "login.html", None, status_code=403, next=_safe_next(next) or "",
                      error="Biểu mẫu đã hết hiệu lực, vui lòng tải lại trang và đăng nhập lại.",
                      info=None, username=username)
    try:
        identity = await password_login(request, _provider(request), username, password)
    except HTTPException as exc:  # failed too often: wait (auth/login_throttle.py)
        page = render(request, "login.html", None, status_code=exc.status_code, next=_safe_next(next) or "",
                      error=str(exc.detail).split(" / ")[0] + ".", info=None, username=username)
        page.headers.update(exc.headers or {})
        return page
    if identity is None:
        return render(request, "login.html", None, status_code=401, next=_safe_next(next) or "",
                      error=WRONG, info=None, username=username)
    store = request.app.state.store

    def issue():
        with store.transaction() as conn:
            user = get_user(conn, identity.username)
            if user is None or not user.active:
                return None, None
            if user.role not in STAFF_ROLES and user.role != CITIZEN:  # system clients use the API
                return user, None
            return user, issue_token(conn, identity.username)

    user, issued = await run_in_threadpool(issue)
    if user is None:
        return render(request, "login.html", None, status_code=401, next=_safe_next(next) or "",
                      error=WRONG, info=None, username=username)
    if issued is None:
        return render(request, "login.html", None, status_code=403, next="", error=NOT_STAFF,
                      info=None, username=username)
    target = CITIZEN_HOME if user.role == CITIZEN else _safe_next(next) or home_of(Principal(
        username=user.username, role=user.role, scopes=frozenset(user.scopes), personal_number=None,
        is_system=False))
    remember_credential(request.app, issued.token)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(session_cookie_name(request.app), issued.token, max_age=issued.expires_in,
                        path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/ui/dang-xuat")
async def logout(request: Request):
    """Revoke the session's token (the CSRF check of web/protection.py has already passed)."""
    name = session_cookie_name(request.app)
    token = request.cookies.get(name)
    if token:
        store = request.app.state.store

        def revoke():
            with store.transaction() as conn:
                revoke_token(conn, token)

        await run_in_threadpool(revoke)
        getattr(request.app.state, "auth_cache", {}).pop(("bearer", token), None)
    response = RedirectResponse(request.query_params.get("ve") == "cong-dan" and CITIZEN_LOGIN_PATH
                                or LOGIN_PATH, status_code=303)
    response.delete_cookie(name, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


__all__ = ["csrf_token", "router"]
