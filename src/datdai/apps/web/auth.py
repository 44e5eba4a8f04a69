"""Authentication and authorisation for the API (FastAPI dependencies).

Credentials
-----------
* Users: ``Authorization: Bearer <token>``, the token from ``POST /api/v1/auth/token`` (OAuth2
  password form). Tokens are opaque (``datdai.access.tokens``): only their SHA-256 is stored, so
  there is no signing secret to configure; they expire after ``DATDAI_TOKEN_TTL`` seconds.
* System clients (C06, notary, tax): ``X-API-Key: dd_…`` created by ``datdai user api-key``. They
  may also hold a password account with the same role and use bearer tokens.
* The browser web app (``web/ui``): the same kind of token, issued at the login form and kept in
  the HttpOnly, ``SameSite=Strict`` cookie ``datdai_session``; used only when the request has
  neither an ``Authorization`` nor an ``X-API-Key`` header. Unsafe requests with the cookie must
  carry the CSRF token (``web/protection.py``). The hot routes' :func:`cached_principal` reads
  headers only: a cookie request takes the FastAPI route.

A successful lookup is cached in the process for ``app.state.auth_cache_seconds`` (default 10 s)
so a busy client does not pay a database query per request; revoking a token or deactivating an
account therefore takes effect within that time in other workers (at once in the worker that did it
when it clears its cache). Set it to 0 to look every request up.

Use in a route::

    @router.get("/parcels/{id}")
    async def parcel(id: int, request: Request,
                     who: Principal = Depends(require("can_bo_du_lieu", "mot_cua", "lanh_dao"))):
        ...
        require_commune(who, row.commune_code)
        number = row.number if who.needs_full_personal_data() else mask_number(row.number)  # domain.masking
        log_access(conn, who, action="xem_thua_dat", resource=f"/parcels/{id}",
                   purpose="tra cứu hồ sơ", subjects=[row.number])

``require`` is strict: ``admin`` passes only where it is listed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from fastapi import HTTPException, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from datdai.access.access_log import write_access_log
from datdai.access.api_keys import lookup_api_key
from datdai.access.login_throttle import LoginThrottle
from datdai.access.principal import Principal
from datdai.access.roles import ROLES, SYSTEM_ROLES
from datdai.access.tokens import lookup_token
from datdai.apps.web.protection import CREDENTIAL_OK

__all__ = [
    "Principal", "authenticate", "cached_principal", "current_principal", "log_access", "password_login",
    "require", "require_commune",
]

LOGIN_THROTTLED = ("Đăng nhập sai quá nhiều lần; vui lòng thử lại sau {seconds} giây / too many "
                   "failed logins, retry after {seconds} s")

TOKEN_URL = "/api/v1/auth/token"
SESSION_COOKIE = "datdai_session"  # the web app's session (ProtectionSettings.session_cookie)
API_KEY_HEADER = "X-API-Key"
DEFAULT_CACHE_SECONDS = 10.0
CACHE_MAX = 10_000

bearer_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL, auto_error=False, scheme_name="bearer",
    description="Mã truy cập từ POST /api/v1/auth/token (tài khoản cán bộ, công dân, hệ thống) / "
    "a bearer token from POST /api/v1/auth/token")
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, scheme_name="api_key",
    description="Khóa API của hệ thống kết nối (C06, công chứng, thuế) / a system client's API key")

_UNAUTHORIZED_DETAIL = ("Chưa xác thực hoặc mã truy cập không hợp lệ, đã hết hạn / "
                        "not authenticated, or the credentials are invalid or expired")


def _unauthorized(error: str | None = None) -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(status_code=401, detail=_UNAUTHORIZED_DETAIL,
                         headers={"WWW-Authenticate": challenge})


def _cache(request: Request) -> tuple[dict, float]:
    state = request.app.state
    cache = getattr(state, "auth_cache", None)
    if cache is None:
        cache = state.auth_cache = {}
    return cache, float(getattr(state, "auth_cache_seconds", DEFAULT_CACHE_SECONDS))


def _principal_from(kind: str, credential: str, request: Request) -> Principal | None:
    store = request.app.state.store
    now = dt.datetime.now(dt.UTC)
    with store.read() as conn:
        if kind == "bearer":
            owner = lookup_token(conn, credential, now)
            if owner is None:
                return None
            return Principal(username=owner.username, role=owner.role,
                             scopes=frozenset(owner.scopes), personal_number=owner.personal_number,
                             is_system=owner.role in SYSTEM_ROLES)
        key = lookup_api_key(conn, credential, now)
        if key is None:
            return None
        return Principal(username=key.client_name, role=key.role, scopes=frozenset(key.scopes),
                         personal_number=None, is_system=key.role in SYSTEM_ROLES)


def _credentials_of(authorization: str | None, api_key: str | None) -> tuple[str, str] | None:
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise _unauthorized("invalid_request")
        return "bearer", value.strip()
    if api_key:
        return "api_key", api_key.strip()
    return None


def session_cookie_name(app) -> str:
    settings = getattr(app.state, "protection", None)
    return getattr(settings, "session_cookie", None) or SESSION_COOKIE


def _credentials(request: Request) -> tuple[str, str] | None:
    creds = _credentials_of(request.headers.get("authorization"), request.headers.get(API_KEY_HEADER))
    if creds is None:
        # the web app's session: a bearer token in an HttpOnly cookie (web/ui/session.py); unsafe
        # methods carrying it must pass the CSRF check of web/protection.py first
        token = request.cookies.get(session_cookie_name(request.app))
        if token:
            return "bearer", token
    return creds


def _with_client(principal: Principal, client) -> Principal:
    ip = client[0] if client else None
    if ip == principal.client_ip:
        return principal
    return Principal(username=principal.username, role=principal.role, scopes=principal.scopes,
                     personal_number=principal.personal_number, is_system=principal.is_system, client_ip=ip)


def cached_principal(scope) -> Principal | None:
    """The caller of an HTTP ``scope`` when its credentials are in the auth cache and fresh, without
    touching the database; None otherwise (missing, malformed, unknown or not cached: the request
    then goes the whole way through :func:`authenticate`). For ``web/hot_routes.py``."""
    authorization = api_key = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = authorization or value.decode("latin-1")
        elif name == b"x-api-key":
            api_key = api_key or value.decode("latin-1")
    try:
        creds = _credentials_of(authorization, api_key)
    except HTTPException:
        return None
    if creds is None:
        return None
    hit = getattr(scope["app"].state, "auth_cache", {}).get(creds)
    if hit is None or hit[1] <= time.monotonic():
        return None
    scope.setdefault("state", {})[CREDENTIAL_OK] = True
    return _with_client(hit[0], scope.get("client"))


async def authenticate(request: Request) -> Principal:
    """The authenticated caller; 401 with ``WWW-Authenticate`` when credentials are missing,
    malformed, unknown, expired or of a deactivated account."""
    creds = _credentials(request)
    if creds is None:
        raise _unauthorized()
    cache, ttl = _cache(request)
    now = time.monotonic()
    hit = cache.get(creds)
    if hit is not None and hit[1] > now:
        principal = hit[0]
    else:
        principal = _principal_from(*creds, request)
        if principal is None:
            cache.pop(creds, None)
            raise _unauthorized("invalid_token")
        if ttl > 0:
            if len(cache) >= CACHE_MAX:
                cache.clear()
            cache[creds] = (principal, now + ttl)
    request.scope.setdefault("state", {})[CREDENTIAL_OK] = True  # web/protection.py: known valid
    return _with_client(principal, request.scope.get("client"))


def _secured(dependency):
    """Mark a dependency as requiring credentials: ``web/openapi.py`` documents the bearer and
    API-key schemes on every operation that uses it. (The schemes are not FastAPI ``Security``
    sub-dependencies: each dependency level costs every request tens of µs.)"""
    dependency.requires_credentials = True
    return dependency


@_secured
async def current_principal(request: Request) -> Principal:
    """Any authenticated caller (:func:`authenticate`) as a dependency."""
    return await authenticate(request)


def require(*roles: str):
    """A dependency giving the Principal: 401 without valid credentials, 403 when its role is not
    one of ``roles``."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}" if unknown else "require() needs roles")
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        if principal.role not in allowed:
            raise HTTPException(
                status_code=403,
                detail=f"Vai trò '{principal.role}' không được phép dùng chức năng này / "
                       "your role may not use this")
        return principal

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return _secured(dependency)


def require_commune(principal: Principal, commune_code: str) -> None:
    """403 when the commune is outside the caller's scope."""
    if not principal.can_see_commune(commune_code):
        raise HTTPException(
            status_code=403,
            detail=f"Xã '{commune_code}' nằm ngoài phạm vi được giao của tài khoản / "
                   "this commune is outside your scope")


def log_access(conn, principal: Principal, *, action: str, resource: str, purpose: str,
               subjects: Sequence[str] = ()) -> None:
    """Append one row to the access log (in the caller's transaction): who, role, when (UTC),
    action, resource, purpose, the personal numbers / party ids touched, the client address."""
    write_access_log(conn, username=principal.username, role=principal.role, action=action,
                     resource=resource, purpose=purpose, subjects=[str(s) for s in subjects],
                     client_ip=principal.client_ip)


def login_throttle(app) -> LoginThrottle:
    throttle = getattr(app.state, "login_throttle", None)
    if throttle is None:
        throttle = app.state.login_throttle = LoginThrottle()
    return throttle


async def password_login(request: Request, provider, username: str, password: str):
    """The identity for ``username``/``password`` from ``provider``, or None; 429 (with
    ``Retry-After``) when the account or the address must wait after failed logins
    (``auth/login_throttle.py``) — the password is then not even checked."""
    throttle = login_throttle(request.app)
    client = request.scope.get("client")
    address = client[0] if client else None
    wait = throttle.wait(username, address)
    if wait:
        raise HTTPException(status_code=429, detail=LOGIN_THROTTLED.format(seconds=wait),
                            headers={"Retry-After": str(wait)})
    identity = await run_in_threadpool(provider.authenticate, username, password)
    if identity is None:
        throttle.failed(username, address)
    else:
        throttle.succeeded(username)
    return identity
