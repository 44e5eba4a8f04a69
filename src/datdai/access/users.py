"""Local accounts: create, read, change password, deactivate; login failures and lockout."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from datdai.access import passwords
from datdai.access.roles import CITIZEN, check_role, normalize_scopes
from datdai.db.schema import access_tokens, users
from datdai.kernel.errors import InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_FAILURES = 5  # consecutive failed logins before the account is locked
LOCK_MINUTES = 15


class AccountError(InvalidInput, ValueError):
    """Bad input for an account (message in Vietnamese, safe to show to the operator)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    role: str
    scopes: tuple[str, ...]
    personal_number: str | None
    active: bool


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes: they were written in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFC", (username or "").strip()).lower()


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise AccountError(f"tên đăng nhập không hợp lệ '{username}': 2–64 ký tự a-z, 0-9, '.', '_', '-' "
                           "/ invalid username")
    return name


def _user(row) -> User:
    return User(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                scopes=tuple(row.scopes or ()), personal_number=row.personal_number, active=row.active)


def create_user(conn: Connection, username: str, *, role: str, password: str | None,
                scopes=(), display_name: str | None = None, personal_number: str | None = None,
                created_by: str = "datdai") -> User:
    """A new local account. ``password`` None: no password login (an external identity only)."""
    name = check_username(username)
    try:
        role = check_role(role)
        scope_list = normalize_scopes(role, scopes)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if personal_number is not None:
        personal_number = personal_number.strip()
        if not (personal_number.isascii() and personal_number.isdigit() and len(personal_number) == 12):
            raise AccountError("số định danh cá nhân gồm 12 chữ số / a personal number has 12 digits")
    if role == CITIZEN and personal_number is None:
        raise AccountError("tài khoản công dân cần số định danh cá nhân / a citizen needs a personal number")
    if password is not None:
        try:
            passwords.check_strength(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
    if get_user(conn, name) is not None:
        raise AccountError(f"tài khoản '{name}' đã tồn tại / the account already exists")
    values = dict(
        username=name, display_name=unicodedata.normalize("NFC", display_name) if display_name else None,
        role=role, scopes=scope_list, personal_number=personal_number,
        password_hash=passwords.hash_password(password) if password is not None else None,
        active=True, failed_logins=0, created_at=utcnow(), created_by=created_by,
    )
    new_id = conn.execute(users.insert().values(**values).returning(users.c.id)).scalar_one()
    return get_user_by_id(conn, new_id)


def get_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == normalize_username(username))).first()
    return _user(row) if row else None


def get_user_by_id(conn: Connection, user_id: int) -> User:
    return _user(conn.execute(select(users).where(users.c.id == user_id)).one())


def set_active(conn: Connection, username: str, active: bool) -> None:
    done = conn.execute(update(users).where(users.c.username == normalize_username(username))
                        .values(active=active, failed_logins=0, locked_until=None))
    if not done.rowcount:
        raise AccountError(f"không có tài khoản '{username}' / no such account")
    if not active:
        revoke_user_tokens(conn, normalize_username(username))


def revoke_user_tokens(conn: Connection, username: str) -> int:
    """Ends every session (access token) of the account; returns how many. Called when an
    account is disabled; tokens are issued and read by :mod:`datdai.access.tokens`."""
    user_id = select(users.c.id).where(users.c.username == normalize_username(username)).scalar_subquery()
    return conn.execute(delete(access_tokens).where(access_tokens.c.user_id == user_id)).rowcount


def check_password(conn: Connection, username: str, password: str,
                   now: dt.datetime | None = None) -> User | None:
    """The account if ``password`` is right and the account active and not locked; else None.

    Always runs one argon2 verification (against a dummy hash when the account does not exist),
    so neither the answer nor its timing tells whether the account exists. ``MAX_FAILURES``
    consecutive failures lock the account for ``LOCK_MINUTES``; a success resets the count.
    """
    now = now or utcnow()
    row = conn.execute(select(users).where(users.c.username == normalize_username(username))).first()
    ok = passwords.verify_password(row.password_hash if row else None, password)
    if row is None:
        return None
    locked = as_utc(row.locked_until)
    if locked is not None and locked > now:
        return None
    if not ok:
        failures = row.failed_logins + 1
        values: dict = {"failed_logins": failures}
        if failures >= MAX_FAILURES:
            values = {"failed_logins": 0, "locked_until": now + dt.timedelta(minutes=LOCK_MINUTES)}
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
        return None
    if not row.active:
        return None
    values = {}
    if row.failed_logins or row.locked_until is not None:
        values.update(failed_logins=0, locked_until=None)
    if passwords.needs_rehash(row.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    if values:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return _user(row)
