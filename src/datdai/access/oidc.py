"""Logging citizens in through an OpenID Connect provider (VNeID, or any national-style login).

The authorization code flow with PKCE (S256), ``state`` and ``nonce``, with Authlib:

1. :meth:`OidcProvider.begin` reads the provider's ``/.well-known/openid-configuration`` (its
   ``issuer`` must be the configured one), draws a state, a nonce and a PKCE verifier
   (:class:`PendingLogin`, kept by the web app in a short-lived HttpOnly cookie) and gives the
   ``authorization_endpoint`` URL the browser is sent to;
2. :meth:`OidcProvider.complete` takes the ``code`` back (the caller has compared ``state`` with
   the pending one), exchanges it at the ``token_endpoint`` with the client secret and the PKCE
   verifier, and verifies the ID token: the signature against the provider's JWKS (refetched once
   when the key id is unknown: key rotation), the algorithms the provider announces, ``iss`` = the
   issuer, ``aud`` = our client id, ``exp``/``iat``, ``nonce`` = the pending one, ``at_hash``. Any
   failure is :class:`OidcFailed` (nothing is logged in).

The personal number (số định danh cá nhân) is read from the claim ``number_claim`` of the
verified ID token only (not from the userinfo endpoint): that is the one statement the provider
signed for this login. It proves *who* the person is; *what land is theirs* is decided by the
store's verified ownership links (``store/ownership.py``), never by the token.

Configured by environment (``DATDAI_OIDC_*``, :meth:`OidcSettings.from_env`) or a TOML file
(``DATDAI_OIDC_CONFIG``, table ``[oidc]``); see docs/citizens.md.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from datdai.kernel.errors import DatdaiError, Forbidden, InvalidInput, Unavailable

ENV_PREFIX = "DATDAI_OIDC_"
CONFIG_ENV = "DATDAI_OIDC_CONFIG"
DEFAULT_SCOPES = "openid profile email phone"
DEFAULT_NUMBER_CLAIM = "so_dinh_danh"
LEEWAY_SECONDS = 60
_NUMBER = re.compile(r"^\d{12}$")


class OidcFailed(Forbidden):
    """The login through the provider did not prove an identity (message safe to show)."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str  # the provider's issuer URL, exactly as in its discovery document
    client_id: str
    client_secret: str | None = None  # None: a public client (PKCE only)
    scopes: str = DEFAULT_SCOPES
    number_claim: str = DEFAULT_NUMBER_CLAIM  # the ID token claim carrying the personal number
    name: str = "VNeID"  # shown on the login button: "Đăng nhập bằng <name>"
    auto_create: bool = True  # a first login creates the citizen's account (role cong_dan)
    timeout: float = 10.0  # seconds for each call to the provider

    def __post_init__(self) -> None:
        if not self.issuer.startswith(("https://", "http://")):
            raise InvalidInput(f"DATDAI_OIDC_ISSUER phải là URL http(s), nhận được {self.issuer!r} / "
                               "the issuer must be an http(s) URL")
        if not self.client_id:
            raise InvalidInput("thiếu DATDAI_OIDC_CLIENT_ID / the client id is missing")
        if "openid" not in self.scopes.split():
            raise InvalidInput(f"DATDAI_OIDC_SCOPES phải có 'openid', nhận được {self.scopes!r} / "
                               "scopes must include openid")

    @classmethod
    def from_mapping(cls, values: dict[str, Any], where: str) -> OidcSettings:
        known = {"issuer", "client_id", "client_secret", "scopes", "number_claim", "name", "auto_create",
                 "timeout"}
        unknown = set(values) - known
        if unknown:
            raise InvalidInput(f"{where}: khóa không hợp lệ / unknown keys: {', '.join(sorted(unknown))} "
                               f"(có: {', '.join(sorted(known))})")
        if not values.get("issuer") or not values.get("client_id"):
            raise InvalidInput(f"{where}: cần issuer và client_id / issuer and client_id are required")
        auto = values.get("auto_create", True)
        if isinstance(auto, str):
            auto = auto.strip().lower() not in ("0", "false", "no", "khong")
        try:
            timeout = float(values.get("timeout", 10.0))
        except (TypeError, ValueError):
            raise InvalidInput(f"{where}: timeout phải là số giây / timeout must be seconds") from None
        return cls(issuer=str(values["issuer"]).strip(), client_id=str(values["client_id"]),
                   client_secret=(str(values["client_secret"]) if values.get("client_secret") else None),
                   scopes=str(values.get("scopes") or DEFAULT_SCOPES),
                   number_claim=str(values.get("number_claim") or DEFAULT_NUMBER_CLAIM),
                   name=str(values.get("name") or "VNeID"), auto_create=bool(auto), timeout=timeout)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> OidcSettings | None:
        """The settings from ``DATDAI_OIDC_CONFIG`` (a TOML file with an ``[oidc]`` table) or the
        ``DATDAI_OIDC_ISSUER``, ``_CLIENT_ID``, ``_CLIENT_SECRET``, ``_SCOPES``, ``_NUMBER_CLAIM``,
        ``_NAME``, ``_AUTO_CREATE``, ``_TIMEOUT`` variables; None when neither is set (no OIDC
        login: citizens' pages then say so)."""
        env = os.environ if environ is None else environ
        path = env.get(CONFIG_ENV)
        if path:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise InvalidInput(f"{path}: không đọc được cấu hình OIDC: {exc} / cannot read") from None
            table = data.get("oidc")
            if not isinstance(table, dict):
                raise InvalidInput(f"{path}: thiếu bảng [oidc] / no [oidc] table")
            return cls.from_mapping(table, path)
        if not env.get(ENV_PREFIX + "ISSUER"):
            return None
        values = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items()
                  if k.startswith(ENV_PREFIX) and k != CONFIG_ENV}
        return cls.from_mapping(values, "DATDAI_OIDC_*")


@dataclass(frozen=True)
class PendingLogin:
    """What the browser carries between the redirect to the provider and its way back."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> PendingLogin:
        return cls(state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64))

    def dumps(self) -> str:
        return f"{self.state}.{self.nonce}.{self.code_verifier}"

    @classmethod
    def loads(cls, value: str | None) -> PendingLogin | None:
        parts = (value or "").split(".")
        if len(parts) != 3 or not all(p and len(p) <= 128 and p.isalnum() for p in parts):
            return None
        return cls(*parts)

    def matches(self, state: str | None) -> bool:
        return bool(state) and secrets.compare_digest(self.state, state or "")


@dataclass(frozen=True)
class VerifiedIdentity:
    """The claims of a verified ID token that datdai uses."""

    subject: str
    personal_number: str
    name: str | None
    email: str | None
    phone: str | None
    claims: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


class OidcProvider:
    """One configured OpenID Connect provider (its discovery document and keys cached)."""

    name = "oidc"

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None

    # ------------------------------------------------------------ the provider's documents

    def _session(self, **kwargs) -> OAuth2Session:
        s = self.settings
        method = "client_secret_basic" if s.client_secret else "none"
        return OAuth2Session(client_id=s.client_id, client_secret=s.client_secret, scope=s.scopes,
                             token_endpoint_auth_method=method, code_challenge_method="S256", **kwargs)

    def _get_json(self, url: str) -> dict[str, Any]:
        with self._session() as session:
            try:
                resp = session.get(url, timeout=self.settings.timeout, withhold_token=True)
                resp.raise_for_status()
                data = resp.json()
            except Exception as exc:  # connection, HTTP status, not JSON
                raise Unavailable(f"không kết nối được nhà cung cấp định danh {self.settings.name} "
                                  f"({url}): {exc} / the identity provider cannot be reached") from None
        if not isinstance(data, dict):
            raise Unavailable(f"{url}: không phải đối tượng JSON / not a JSON object")
        return data

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            data = self._get_json(url)
            if data.get("issuer") != self.settings.issuer:
                raise Unavailable(f"{url}: issuer {data.get('issuer')!r} khác cấu hình "
                                  f"{self.settings.issuer!r} / the issuer does not match")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not data.get(key):
                    raise Unavailable(f"{url}: thiếu {key} / missing {key}")
            self._metadata = data
        return self._metadata

    def _key_set(self, force: bool = False) -> KeySet:
        if self._jwks is None or force:
            self._jwks = self._get_json(self.metadata()["jwks_uri"])
        try:
            return KeySet.import_key_set(self._jwks)
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise Unavailable(f"JWKS của nhà cung cấp định danh không hợp lệ: {exc} / invalid JWKS") from None

    # ------------------------------------------------------------ the flow

    def begin(self, redirect_uri: str) -> tuple[str, PendingLogin]:
        """(the URL to send the browser to, what to remember until it comes back)."""
        pending = PendingLogin.new()
        return self.authorization_url(pending, redirect_uri), pending

    def authorization_url(self, pending: PendingLogin, redirect_uri: str) -> str:
        with self._session(redirect_uri=redirect_uri) as session:
            url, _state = session.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=pending.state, nonce=pending.nonce,
                code_verifier=pending.code_verifier)
        return url

    def complete(self, code: str, pending: PendingLogin, redirect_uri: str) -> VerifiedIdentity:
        """Exchange ``code`` and verify the ID token; :class:`OidcFailed` when it proves nothing."""
        if not code or len(code) > 2048:
            raise OidcFailed("thiếu mã xác thực từ nhà cung cấp định danh / no authorization code")
        meta = self.metadata()
        with self._session(redirect_uri=redirect_uri) as session:
            try:
                token = session.fetch_token(meta["token_endpoint"], code=code,
                                            code_verifier=pending.code_verifier,
                                            timeout=self.settings.timeout)
            except DatdaiError:
                raise
            except Exception as exc:
                raise OidcFailed(f"nhà cung cấp định danh từ chối đổi mã xác thực: {exc} / "
                                 "the code exchange was refused") from None
        raw = token.get("id_token")
        if not raw:
            raise OidcFailed("nhà cung cấp định danh không trả ID token / no ID token")
        claims = self.verify_id_token(raw, nonce=pending.nonce, access_token=token.get("access_token"))
        return self.identity_of(claims)

    def verify_id_token(self, raw: str, *, nonce: str, access_token: str | None) -> dict[str, Any]:
        meta = self.metadata()
        registry = JWSRegistry(algorithms=meta.get("id_token_signing_alg_values_supported") or ["RS256"],
                               strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(raw, self._key_set(), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys
                decoded = jwt.decode(raw, self._key_set(force=True), registry=registry)
            params: dict[str, Any] = {"nonce": nonce, "client_id": self.settings.client_id}
            if access_token:
                params["access_token"] = access_token
            id_token = CodeIDToken(decoded.claims, decoded.header,
                                   {"iss": {"essential": True, "value": self.settings.issuer}}, params)
            id_token.validate(leeway=LEEWAY_SECONDS)
        except DatdaiError:
            raise
        except (JoseError, ValueError) as exc:
            raise OidcFailed(f"ID token không hợp lệ: {exc} / invalid ID token") from None
        return dict(decoded.claims)

    def identity_of(self, claims: dict[str, Any]) -> VerifiedIdentity:
        number = str(claims.get(self.settings.number_claim) or "").strip()
        if not _NUMBER.match(number):
            raise OidcFailed(f"ID token không có số định danh cá nhân 12 chữ số ở trường "
                             f"'{self.settings.number_claim}' / no personal number in the ID token")

        def text(key: str, limit: int = 200) -> str | None:
            value = claims.get(key)
            if not isinstance(value, str) or not value.strip():
                return None
            return unicodedata.normalize("NFC", value.strip())[:limit]

        email = text("email")
        if email is not None and ("@" not in email or claims.get("email_verified") is False):
            email = None
        phone = text("phone_number", 32)
        if phone is not None and claims.get("phone_number_verified") is False:
            phone = None
        return VerifiedIdentity(subject=str(claims.get("sub")), personal_number=number, name=text("name"),
                                email=email, phone=phone, claims=claims)
