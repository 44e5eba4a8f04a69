"""Opaque bearer tokens: 32 random bytes, URL-safe; only their SHA-256 is stored, with an expiry.

Opaque rather than signed: no signing secret to manage or leak, and a token dies at once when
revoked or when its account is deactivated (see ``datdai.apps.web.auth`` for the short in-process
cache in front of the lookup). Lifetime: ``DATDAI_TOKEN_TTL`` seconds (default 3600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from datdai.access.users import as_utc, normalize_username, utcnow
from datdai.db.schema import access_tokens, users

DEFAULT_TTL = 3600


def token_ttl() -> int:
    try:
        return max(60, int(os.environ.get("DATDAI_TOKEN_TTL", DEFAULT_TTL)))
    except ValueError:
        return DEFAULT_TTL


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenOwner:
    username: str
    role: str
    scopes: tuple[str, ...]
    personal_number: str | None
    expires_at: dt.datetime


def issue_token(conn: Connection, username: str, *, ttl: int | None = None,
                now: dt.datetime | None = None) -> IssuedToken:
    """A new token for an active account (expired tokens of the account are purged)."""
    now = now or utcnow()
    ttl = ttl or token_ttl()
    row = conn.execute(select(users.c.id, users.c.active)
                       .where(users.c.username == normalize_username(username))).first()
    if row is None or not row.active:
        raise LookupError("không có tài khoản đang hoạt động / no active account")
    conn.execute(delete(access_tokens).where(access_tokens.c.user_id == row.id,
                                             access_tokens.c.expires_at < now))
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(seconds=ttl)
    conn.execute(access_tokens.insert().values(token_hash=sha256(token), user_id=row.id,
                                               issued_at=now, expires_at=expires_at))
    return IssuedToken(token=token, expires_in=ttl, expires_at=expires_at)


def lookup_token(conn: Connection, token: str, now: dt.datetime | None = None) -> TokenOwner | None:
    """The owner of a valid token: not expired, the account active. None otherwise."""
    if not token or len(token) > 200:
        return None
    row = conn.execute(
        select(users.c.username, users.c.role, users.c.scopes, users.c.personal_number,
               users.c.active, access_tokens.c.expires_at)
        .join(users, users.c.id == access_tokens.c.user_id)
        .where(access_tokens.c.token_hash == sha256(token))
    ).first()
    if row is None or not row.active:
        return None
    expires_at = as_utc(row.expires_at)
    if expires_at <= (now or utcnow()):
        return None
    return TokenOwner(username=row.username, role=row.role, scopes=tuple(row.scopes or ()),
                      personal_number=row.personal_number, expires_at=expires_at)


def revoke_token(conn: Connection, token: str) -> bool:
    return bool(conn.execute(delete(access_tokens).where(access_tokens.c.token_hash == sha256(token))).rowcount)
