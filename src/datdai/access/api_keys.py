"""API keys of system clients (C06, notary, tax, LGSP).

A key is ``dd_`` + 43 URL-safe characters (32 random bytes). It is shown once, when created;
the store keeps its SHA-256 and its first 8 random characters (the prefix) to find the row.
Clients send it in the ``X-API-Key`` header.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from datdai.access.roles import check_role, normalize_scopes
from datdai.access.tokens import sha256
from datdai.access.users import AccountError, as_utc, utcnow
from datdai.db.schema import api_keys

KEY_PREFIX = "dd_"
PREFIX_LEN = 8
CLIENT = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class ApiKeyOwner:
    client_name: str
    role: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class CreatedKey:
    id: int
    client_name: str
    role: str
    key: str  # the only time it is known in clear
    expires_at: dt.datetime | None


def create_api_key(conn: Connection, client_name: str, *, role: str, scopes=(),
                   expires_at: dt.datetime | None = None, created_by: str = "datdai") -> CreatedKey:
    name = (client_name or "").strip().lower()
    if not CLIENT.match(name):
        raise AccountError(f"tên hệ thống không hợp lệ '{client_name}' (a-z, 0-9, '.', '_', '-') / "
                           "invalid client name")
    try:
        role = check_role(role)
        scope_list = normalize_scopes(role, scopes)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    while True:
        secret = secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LEN]
        if conn.execute(select(api_keys.c.id).where(api_keys.c.prefix == prefix)).first() is None:
            break
    key = KEY_PREFIX + secret
    new_id = conn.execute(api_keys.insert().values(
        client_name=name, role=role, scopes=scope_list, prefix=prefix, key_hash=sha256(key),
        active=True, created_at=utcnow(), expires_at=expires_at, created_by=created_by,
    ).returning(api_keys.c.id)).scalar_one()
    return CreatedKey(id=new_id, client_name=name, role=role, key=key, expires_at=expires_at)


def lookup_api_key(conn: Connection, key: str, now: dt.datetime | None = None) -> ApiKeyOwner | None:
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    prefix = key[len(KEY_PREFIX):len(KEY_PREFIX) + PREFIX_LEN]
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None or not row.active or not hmac.compare_digest(row.key_hash, sha256(key)):
        return None
    expires_at = as_utc(row.expires_at)
    if expires_at is not None and expires_at <= (now or utcnow()):
        return None
    return ApiKeyOwner(client_name=row.client_name, role=row.role, scopes=tuple(row.scopes or ()))


def revoke_api_keys(conn: Connection, client_name: str) -> int:
    return conn.execute(update(api_keys).where(api_keys.c.client_name == client_name.strip().lower(),
                                               api_keys.c.active.is_(True)).values(active=False)).rowcount
