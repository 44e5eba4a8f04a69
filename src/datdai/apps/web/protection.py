"""Request protection for the web app and API: one pure-ASGI middleware (issue 6, item 6).

``install_protection(app)`` (called by ``create_app``) puts :class:`ProtectionMiddleware` around
the routes and stores its settings in ``app.state.protection`` (a :class:`ProtectionSettings`,
read again on every request, so a test or an operator's startup code may change it). It is a
plain ASGI middleware — no ``BaseHTTPMiddleware``, whose task-per-request costs a third of the
throughput — and does, in this order:

1. **Rate limit per client.** A token bucket (``rate_per_second`` refill, ``burst`` capacity,
   default 50/s with a burst of 200) keyed by the SHA-256 prefix of the ``Authorization`` header
   or of the ``X-API-Key`` header, else of the web app's session cookie (so the staff of an office
   behind one NAT address do not share a bucket), else by the client address (``scope["client"]``; behind a
   reverse proxy run uvicorn with ``--proxy-headers --forwarded-allow-ips`` so that this is the
   real client). An empty bucket answers 429 with ``Retry-After`` (seconds) and a Vietnamese
   ``{"detail"}``. Because anyone can invent a new bearer token and so a new bucket, every
   **401** answer also takes a token from a second, small bucket of the client *address*
   (``auth_failures_per_second``/``auth_failure_burst``, default 1/s, burst 30): once it is empty
   that address gets 429 on every request whose credential (header or session cookie) is not
   known to be valid — it slows token guessing. A credential is known valid once the app accepted
   it (``web/auth.py`` says so in the request's state; for an hour after), or when the login has just issued it
   (:func:`remember_credential`): so anonymous noise or a guesser behind an office's NAT address
   never locks out the staff signed in behind it. Password guessing is slowed per account and
   per address by the login routes (``auth/login_throttle.py``), not here: the login paths
   (``login_paths``) neither count in nor wait on this bucket. Buckets live in the process: with
   ``datdai serve --workers N`` each worker keeps its own, so a client may get up to N times the
   rate (uvicorn spreads connections over the workers). A shared limit (Redis, the proxy's
   ``limit_req``) belongs in front of the app when that matters. ``rate_per_second = 0`` turns the
   limit off. Environment: ``DATDAI_RATE_LIMIT=50/200`` (rate/burst, ``0`` = off).
2. **Request body size.** A ``Content-Length`` above ``max_body_bytes`` (default 1 MiB,
   ``DATDAI_MAX_BODY_BYTES``) is refused at once with 413; a malformed one with 400. A body
   without ``Content-Length`` (chunked) is counted while the app reads it: past the limit the app's
   read fails and whatever the app answers is replaced by the 413. The web app's uploads
   (``upload_paths``: deliveries and population extracts, findings workbooks) have their own cap
   instead, ``max_upload_bytes`` (default 2 GiB, ``DATDAI_UPLOAD_MAX_BYTES``), and a 413 that says
   it in Vietnamese ("Tệp tải lên quá lớn: tối đa 2 GB …"); nothing of the upload is kept.
3. **CSRF (double-submit cookie).** The browser web app will authenticate with a session cookie
   (``session_cookie``, default ``datdai_session``); a forged cross-site form would carry it. So an
   unsafe request (POST, PUT, PATCH, DELETE) that carries the session cookie must also carry the
   value of the ``datdai_csrf`` cookie in the ``X-CSRF-Token`` header, or, for an
   ``application/x-www-form-urlencoded`` form, in the ``csrf_token`` field (multipart forms: use the
   header); otherwise 403. Another site can neither read that cookie nor set the header. The
   cookie (random, ``SameSite=Strict``, ``Secure`` over HTTPS, readable by the page's script) is
   set on a browser's first response — a GET outside ``/api`` or any request with the session
   cookie but no CSRF cookie — and the value is in ``scope["state"]["csrf_token"]`` for templates
   (:func:`csrf_token`). Requests with an ``Authorization`` or ``X-API-Key`` header are exempt: a
   browser never adds those to a cross-site request by itself, so they cannot be forged that way.
4. **Security headers** on every response (unless the app set them): ``X-Content-Type-Options:
   nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``, a
   ``Content-Security-Policy`` — ``default-src 'none'; frame-ancestors 'none'`` on ``/api``, a
   policy allowing the Swagger/ReDoc pages elsewhere — and ``Cache-Control: no-store`` on all
   ``/api`` responses (most carry personal data, none may sit in a shared cache).
   ``Strict-Transport-Security`` is sent when ``hsts`` is ``"on"``, or with ``"auto"`` (default)
   when the request came over HTTPS; ``DATDAI_HSTS=auto|on|off``.
5. **No stack traces.** An exception escaping the app becomes a 500 ``{"detail": "Lỗi nội bộ …"}``
   with an incident number, and is logged with its traceback under that number. Malformed input
   should never get that far; ``tests/apps/web/test_openapi_fuzz.py`` checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs

import orjson

from datdai.kernel.text import vn_number

__all__ = ["ProtectionMiddleware", "ProtectionSettings", "credential_id", "csrf_token", "install_protection",
           "remember_credential"]

log = logging.getLogger("datdai.apps.web.protection")

API_PATH = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_PATH = "/api/v1/auth/token"
UI_LOGIN_PATH = "/ui/dang-nhap"  # the web app's login form (web/ui/session.py)
UPLOAD_PATH = "/ui/tac-vu/tai-len"  # uploads of deliveries and population extracts (web/ui/jobs.py)
DECISIONS_UPLOAD_PATH = "/ui/loi-du-lieu/nap-quyet-dinh"  # a findings workbook (web/ui/findings.py)
CSRF_COOKIE = "datdai_csrf"
CSRF_HEADER = b"x-csrf-token"
CSRF_FIELD = "csrf_token"
MAX_BUCKETS = 100_000
VERIFIED_SECONDS = 3600.0  # a credential accepted by web/auth.py is known valid this long
CREDENTIAL_OK = "credential_ok"  # set in the request's state by web/auth.py on success

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs (/docs, /redoc) load their scripts and styles from jsDelivr and run an
# inline script; the web app's own pages are served from 'self'.
PAGE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
            "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'; object-src 'none'")
HSTS_VALUE = b"max-age=31536000; includeSubDomains"

DETAIL_TOO_LARGE = ("Nội dung yêu cầu quá lớn (tối đa {limit} byte) / "
                    "request body too large (at most {limit} bytes)")
DETAIL_UPLOAD_TOO_LARGE = ("Tệp tải lên quá lớn: tối đa {size} mỗi lần tải lên (thiết lập "
                           "DATDAI_UPLOAD_MAX_BYTES); không lưu gì / upload too large (at most {limit} bytes)")
DETAIL_BAD_LENGTH = "Tiêu đề Content-Length không hợp lệ / invalid Content-Length header"
DETAIL_RATE = ("Quá nhiều yêu cầu, vui lòng thử lại sau {seconds} giây / "
               "too many requests, retry after {seconds} s")
DETAIL_CSRF = ("Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF) / "
               "missing or invalid CSRF token")
DETAIL_INTERNAL = ("Lỗi nội bộ máy chủ; sự cố đã được ghi lại với mã {incident} / "
                   "internal server error, logged as incident {incident}")


@dataclass
class ProtectionSettings:
    max_body_bytes: int = 1024 * 1024
    rate_per_second: float = 50.0  # per client and worker; 0 = no limit
    burst: int = 200
    auth_failures_per_second: float = 1.0  # refill of the per-address bucket taken by 401s
    auth_failure_burst: int = 30
    hsts: str = "auto"  # "auto" (when the request came over https), "on", "off"
    csrf: bool = True
    session_cookie: str = "datdai_session"
    login_paths: tuple[str, ...] = (TOKEN_PATH, UI_LOGIN_PATH)  # password guessing: the 401 bucket
    # file uploads (deliveries, population extracts): their own cap instead of max_body_bytes
    max_upload_bytes: int = 2 * 1024**3
    upload_paths: tuple[str, ...] = (UPLOAD_PATH, DECISIONS_UPLOAD_PATH)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ProtectionSettings:
        env = os.environ if environ is None else environ
        settings = cls()
        if value := env.get("DATDAI_MAX_BODY_BYTES"):
            settings.max_body_bytes = int(value)
        if value := env.get("DATDAI_UPLOAD_MAX_BYTES"):
            settings.max_upload_bytes = int(value)
        if value := env.get("DATDAI_RATE_LIMIT"):
            rate, _, burst = value.partition("/")
            settings.rate_per_second = float(rate)
            if burst:
                settings.burst = int(burst)
        if value := env.get("DATDAI_HSTS"):
            if value not in ("auto", "on", "off"):
                raise ValueError(f"DATDAI_HSTS must be auto, on or off, not {value!r}")
            settings.hsts = value
        return settings


def size_text(n: int) -> str:
    """A size as an officer reads it: "2 GB", "64 KB", "1,5 MB" (Vietnamese decimal comma)."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            value = n / size
            return f"{vn_number(value, 0 if value == int(value) else 1)} {unit}"
    return f"{n} byte"


def _too_large(template: str, limit: int) -> str:
    return template.format(limit=limit, size=size_text(limit))


def install_protection(app, settings: ProtectionSettings | None = None) -> None:
    """Add the middleware to a Starlette/FastAPI ``app`` with ``settings`` (default: from the
    environment) in ``app.state.protection``."""
    app.state.protection = settings or ProtectionSettings.from_env()
    app.add_middleware(ProtectionMiddleware)


def credential_id(value: str | bytes) -> str:
    """The key of a bearer token, session token or API key among the known valid credentials."""
    raw = value.encode("latin-1", "replace") if isinstance(value, str) else value
    return hashlib.sha256(raw.strip()).hexdigest()[:32]


def _verified(app) -> dict[str, float]:
    state = app.state
    known = getattr(state, "verified_credentials", None)
    if known is None:
        known = state.verified_credentials = {}
    return known


def remember_credential(app, token: str) -> None:
    """Mark a token the login has just issued as valid: its first requests are not held up by the
    failed authentications of others behind the same address."""
    known = _verified(app)
    if len(known) >= MAX_BUCKETS:
        now = time.monotonic()
        for key in [k for k, until in known.items() if until <= now]:
            del known[key]
        if len(known) >= MAX_BUCKETS:
            known.clear()
    known[credential_id(token)] = time.monotonic() + VERIFIED_SECONDS


def _bearer_value(authorization: bytes) -> bytes:
    scheme, _, value = authorization.strip().partition(b" ")
    return value if scheme.lower() == b"bearer" else authorization


def csrf_token(request) -> str | None:
    """The CSRF token to embed in a form (``<input type="hidden" name="csrf_token">``)."""
    return request.scope.get("state", {}).get("csrf_token")


class _Buckets:
    """Token buckets by key: ``take`` returns 0 when a token was taken, else the seconds until
    one is available."""

    def __init__(self) -> None:
        self.buckets: dict[str, list[float]] = {}

    def _refilled(self, key: str, rate: float, burst: int, now: float) -> list[float]:
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_BUCKETS:
                self._prune(rate, burst, now)
            bucket = self.buckets[key] = [float(burst), now]
        else:
            bucket[0] = min(float(burst), bucket[0] + (now - bucket[1]) * rate)
            bucket[1] = now
        return bucket

    def _prune(self, rate: float, burst: int, now: float) -> None:
        full = [k for k, (tokens, last) in self.buckets.items()
                if tokens + (now - last) * rate >= burst]
        for k in full:
            del self.buckets[k]
        if len(self.buckets) >= MAX_BUCKETS:  # all busy: forget them rather than grow
            self.buckets.clear()

    def take(self, key: str, rate: float, burst: int, now: float) -> float:
        bucket = self._refilled(key, rate, burst, now)
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return 0.0
        return (1.0 - bucket[0]) / rate

    def wait(self, key: str, rate: float, burst: int, now: float) -> float:
        """Like ``take`` without taking: 0 when the bucket has a token."""
        if key not in self.buckets:
            return 0.0
        bucket = self._refilled(key, rate, burst, now)
        return 0.0 if bucket[0] >= 1.0 else (1.0 - bucket[0]) / rate


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def _cookies(raw: bytes | None) -> dict[str, str]:
    if not raw:
        return {}
    result = {}
    for part in raw.decode("latin-1").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name not in result:
            result[name] = value.strip().strip('"')
    return result


class _BodyTooLarge(Exception):
    pass


async def _send_json(send, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    body = orjson.dumps({"detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


class ProtectionMiddleware:
    def __init__(self, app) -> None:
        self.app = app
        self.buckets = _Buckets()
        self.failures = _Buckets()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app_state = getattr(scope.get("app"), "state", None)
        settings: ProtectionSettings = getattr(app_state, "protection", None) or _DEFAULTS
        path: str = scope["path"]
        is_api = path.startswith(API_PATH)
        method: str = scope["method"]
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        client = scope.get("client")
        address = client[0] if client else "?"

        # -- collect what is needed from the headers in one pass
        authorization = api_key = content_length = cookie = content_type = None
        for key, value in headers:
            if key == b"authorization":
                authorization = value
            elif key == b"x-api-key":
                api_key = value
            elif key == b"content-length":
                content_length = value
            elif key == b"cookie":
                cookie = value if cookie is None else cookie + b"; " + value
            elif key == b"content-type":
                content_type = value
        credential = authorization or api_key
        cookies = _cookies(cookie) if cookie else {}
        # the web app's session cookie counts as the credential only without a header (web/auth.py)
        session = None if credential else cookies.get(settings.session_cookie)

        # -- 1. rate limit
        security_headers = self._security_headers(settings, scope, is_api)
        verified_key = None
        app_obj = scope.get("app")
        if settings.rate_per_second > 0:
            now = time.monotonic()
            if credential:
                client_key = "c:" + hashlib.sha256(credential).hexdigest()[:24]
                verified_key = credential_id(_bearer_value(authorization) if authorization else api_key)
            elif session:  # a browser session: its own bucket (an office's staff share one NAT address)
                client_key = "s:" + hashlib.sha256(session.encode()).hexdigest()[:24]
                verified_key = credential_id(session)
            else:
                client_key = "a:" + address
            wait = self.buckets.take(client_key, settings.rate_per_second, settings.burst, now)
            if not wait and verified_key is not None and path not in settings.login_paths:
                known = _verified(app_obj) if app_obj is not None else {}
                if known.get(verified_key, 0.0) <= now:  # not known valid: anonymous noise may stop it
                    wait = self.failures.wait(address, settings.auth_failures_per_second,
                                              settings.auth_failure_burst, now)
            if wait:
                seconds = max(1, math.ceil(wait))
                await _send_json(send, 429, DETAIL_RATE.format(seconds=seconds),
                                 [(b"retry-after", str(seconds).encode()), *security_headers])
                return

        # -- 2. declared body size
        limit = settings.max_body_bytes
        too_large = DETAIL_TOO_LARGE
        if method == "POST" and path in settings.upload_paths:
            limit, too_large = settings.max_upload_bytes, DETAIL_UPLOAD_TOO_LARGE
        if content_length is not None:
            try:
                declared = int(content_length)
                if declared < 0:
                    raise ValueError
            except ValueError:
                await _send_json(send, 400, DETAIL_BAD_LENGTH, security_headers)
                return
            if limit and declared > limit:
                await _send_json(send, 413, _too_large(too_large, limit),
                                 [(b"connection", b"close"), *security_headers])
                return

        # -- 3. CSRF
        csrf_cookie = cookies.get(CSRF_COOKIE)
        new_csrf: str | None = None
        if settings.csrf:
            has_session = settings.session_cookie in cookies
            if (method in UNSAFE_METHODS and has_session and not credential):
                supplied = _header(headers, CSRF_HEADER)
                supplied_text = supplied.decode("latin-1") if supplied else None
                if supplied_text is None and content_type and content_type.split(b";")[0].strip() \
                        .lower() == b"application/x-www-form-urlencoded":
                    body, receive = await buffer_body(receive, limit)
                    if body is None:
                        await _send_json(send, 413, _too_large(too_large, limit),
                                         [(b"connection", b"close"), *security_headers])
                        return
                    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=1000)
                    supplied_text = (fields.get(CSRF_FIELD) or [None])[0]
                if not (csrf_cookie and supplied_text
                        and hmac.compare_digest(csrf_cookie.encode(), supplied_text.encode())):
                    await _send_json(send, 403, DETAIL_CSRF, security_headers)
                    return
            if csrf_cookie is None and not credential and (
                    has_session or (method in ("GET", "HEAD") and not is_api)):
                new_csrf = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_token"] = csrf_cookie or new_csrf
        extra_headers = security_headers
        if new_csrf:
            secure = "; Secure" if scope.get("scheme") == "https" else ""
            extra_headers = [*security_headers, (
                b"set-cookie",
                f"{CSRF_COOKIE}={new_csrf}; Path=/; SameSite=Strict{secure}".encode())]

        # -- 4/5. run the app: count the body, add headers, catch what escapes
        state = {"started": False, "too_large": False, "status": 0}
        counting_receive = receive
        if limit and content_length is None and method not in ("GET", "HEAD"):
            received = 0

            async def counting_receive():
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        state["too_large"] = True
                        raise _BodyTooLarge
                return message

        async def guarded_send(message):
            if message["type"] == "http.response.start":
                if state["too_large"]:
                    state["started"] = True
                    await _send_json(send, 413, _too_large(too_large, limit),
                                     [(b"connection", b"close"), *security_headers])
                    return
                state["started"] = True
                state["status"] = message["status"]
                present = {k.lower() for k, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()),
                                      *(h for h in extra_headers if h[0] not in present
                                        or h[0] == b"set-cookie")]
            elif state["too_large"]:
                return  # the 413 replaced the app's answer
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not state["started"]:
                state["started"] = True
                await _send_json(send, 413, _too_large(too_large, limit),
                                 [(b"connection", b"close"), *security_headers])
        except Exception:
            if state["too_large"]:
                if not state["started"]:
                    await _send_json(send, 413, _too_large(too_large, limit),
                                     [(b"connection", b"close"), *security_headers])
                return
            incident = uuid.uuid4().hex[:12]
            log.exception("lỗi nội bộ / unhandled error %s on %s %s", incident, method, path)
            if state["started"]:
                raise
            await _send_json(send, 500, DETAIL_INTERNAL.format(incident=incident),
                             security_headers)
        if settings.rate_per_second > 0 and state["status"]:
            if state["status"] == 401:
                if verified_key is not None and app_obj is not None:
                    _verified(app_obj).pop(verified_key, None)  # revoked or expired since
                if path not in settings.login_paths:  # password guessing: auth/login_throttle.py
                    self.failures.take(address, settings.auth_failures_per_second,
                                       settings.auth_failure_burst, time.monotonic())
            elif verified_key is not None and app_obj is not None \
                    and scope.get("state", {}).get(CREDENTIAL_OK):  # web/auth.py accepted it
                known = _verified(app_obj)
                if verified_key in known or len(known) < MAX_BUCKETS:
                    known[verified_key] = time.monotonic() + VERIFIED_SECONDS

    @staticmethod
    def _security_headers(settings: ProtectionSettings, scope, is_api: bool):
        headers = _API_HEADERS if is_api else _PAGE_HEADERS
        if settings.hsts == "on" or (settings.hsts == "auto" and scope.get("scheme") == "https"):
            headers = [*headers, (b"strict-transport-security", HSTS_VALUE)]
        return headers


_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_API_HEADERS = [*_COMMON_HEADERS, (b"content-security-policy", API_CSP.encode()),
                (b"cache-control", b"no-store")]
_PAGE_HEADERS = [*_COMMON_HEADERS, (b"content-security-policy", PAGE_CSP.encode())]
_DEFAULTS = ProtectionSettings()


async def buffer_body(receive, limit: int = 0):
    """The whole request body (None past ``limit`` bytes; 0 = no limit) and a ``receive`` that
    replays it (then whatever the original ``receive`` gives)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit and size > limit:
            return None, receive
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replay_body(body, receive)


def replay_body(body: bytes, then):
    """A ``receive`` giving ``body`` as the whole request, then deferring to ``then``."""
    replayed = False

    async def replay():
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return replay
