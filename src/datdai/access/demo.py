"""The demo accounts of docs/api.md (password ``datdai-demo``, only ever created by the demo).

Staff accounts get the provinces of the demo store as their scope. The three system clients
(``c06``, ``congchung``, ``thue``) get an API key each (``X-API-Key``, the way a partner system
connects) **and** a password, so the browser, curl and the tests can also use a bearer token for
them; both carry the same role. Rerunning resets the passwords and replaces the demo API keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select, update

from datdai.access import roles
from datdai.access.api_keys import create_api_key, revoke_api_keys
from datdai.access.passwords import hash_password, verify_password
from datdai.access.users import create_user, get_user
from datdai.db.schema import admin_units, users

DEMO_PASSWORD = "datdai-demo"
DEMO_ACTOR = "datdai demo"

# username → (role, display name, scoped to the demo provinces?)
DEMO_ACCOUNTS: dict[str, tuple[str, str, bool]] = {
    "admin": (roles.ADMIN, "Quản trị hệ thống (demo)", False),
    "dulieu": (roles.DATA_OFFICER, "Cán bộ dữ liệu (demo)", True),
    "motcua": (roles.ONE_STOP_CLERK, "Cán bộ một cửa (demo)", True),
    "lanhdao": (roles.MANAGER, "Lãnh đạo văn phòng (demo)", True),
    "kiemtoan": (roles.AUDITOR, "Kiểm toán viên (demo)", False),
    "c06": (roles.SYSTEM_C06, "Hệ thống C06 — Bộ Công an (demo)", False),
    "congchung": (roles.SYSTEM_NOTARY, "Tổ chức hành nghề công chứng (demo)", False),
    "thue": (roles.SYSTEM_TAX, "Cơ quan thuế (demo)", False),
}


@dataclass
class DemoAccounts:
    usernames: list[str]
    scopes: list[str]
    api_keys: dict[str, str] = field(default_factory=dict)  # client → key, shown once

    def counts(self) -> dict[str, int | str]:
        return {"tài khoản demo / demo accounts": len(self.usernames),
                "khóa API demo / demo API keys": len(self.api_keys),
                "mật khẩu demo / demo password": DEMO_PASSWORD}


def demo_scopes(conn: Connection) -> list[str]:
    """The province codes (both eras) of the admin units loaded in the store."""
    codes = conn.execute(select(admin_units.c.code).where(admin_units.c.level == "TINH")).scalars()
    return sorted({c for c in codes if c and len(c) == 2})


def create_demo_accounts(conn: Connection, *, scopes: list[str] | None = None) -> DemoAccounts:
    scopes = scopes if scopes is not None else demo_scopes(conn)
    result = DemoAccounts(usernames=[], scopes=scopes)
    for username, (role, display, scoped) in DEMO_ACCOUNTS.items():
        scope = scopes if scoped else []
        if get_user(conn, username) is None:
            create_user(conn, username, role=role, password=DEMO_PASSWORD, scopes=scope,
                        display_name=display, created_by=DEMO_ACTOR)
        else:
            conn.execute(update(users).where(users.c.username == username).values(
                role=role, scopes=scope, display_name=display, active=True, failed_logins=0,
                locked_until=None, password_hash=hash_password(DEMO_PASSWORD)))
        result.usernames.append(username)
        if role in roles.SYSTEM_ROLES:
            revoke_api_keys(conn, username)
            result.api_keys[username] = create_api_key(conn, username, role=role,
                                                       created_by=DEMO_ACTOR).key
    return result


def demo_logins(conn: Connection) -> list[tuple[str, str, str]]:
    """(username, role, display name) of the staff accounts ``datdai demo`` created that are still
    active and still open with the demo password: what the login page may show (a store that is
    not a demo, or whose demo passwords were changed, shows nothing)."""
    rows = conn.execute(select(users.c.username, users.c.role, users.c.display_name, users.c.password_hash)
                        .where(users.c.created_by == DEMO_ACTOR, users.c.active.is_(True),
                               users.c.username.in_(list(DEMO_ACTOR_LOGINS)))).all()
    by_name = {r.username: r for r in rows}
    out = []
    for username in DEMO_ACTOR_LOGINS:
        r = by_name.get(username)
        if r is not None and verify_password(r.password_hash, DEMO_PASSWORD):
            out.append((r.username, r.role, r.display_name or username))
    return out


# the accounts a person logs in with (the system clients use API keys)
DEMO_ACTOR_LOGINS = tuple(u for u, (role, _d, _s) in DEMO_ACCOUNTS.items() if role not in roles.SYSTEM_ROLES)
