"""Which communes of a store a report covers: those of the given province or commune codes
(either era, as account scopes are read: :func:`datdai.access.scopes.scope_covers`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select, union

from datdai.access.principal import Principal
from datdai.access.roles import ADMIN, MANAGER
from datdai.access.scopes import normalize_commune, scope_covers
from datdai.db import schema as s
from datdai.kernel.errors import Forbidden
from datdai.reporting.texts import scope_code


def store_communes(conn: Connection) -> list[str]:
    """Every commune the store holds parcels or dossiers of."""
    q = union(select(s.parcels.c.commune_code), select(s.dossiers.c.commune_code))
    return sorted({c for c in conn.execute(q).scalars() if c})


def parse_codes(text: str | None) -> list[str]:
    """"70, 25195" → ["70", "25195"]; a code must be 2 (province) or 5 (commune) digits."""
    codes = [c.strip() for c in (text or "").split(",") if c.strip()]
    bad = [c for c in codes if not (c.isascii() and c.isdigit() and len(c) in (2, 5))]
    if bad:
        raise ValueError(f"mã không hợp lệ: {', '.join(bad)} (mã tỉnh 2 chữ số hoặc mã xã 5 chữ số) / "
                         "invalid province or commune code")
    return codes


def communes_in_scope(conn: Connection, codes: Iterable[str]) -> list[str]:
    """The store's communes covered by ``codes`` (province or commune codes)."""
    scopes = frozenset(normalize_commune(c) if len(c) > 2 else c for c in codes)
    return [c for c in store_communes(conn) if scope_covers(scopes, c)]


def report_scope(principal: Principal) -> tuple[str, list[str] | None]:
    """The report an account makes: (texts key, codes the figures are restricted to — None: the
    whole store). An administrator, or a manager without a scope, reports on the whole store; any
    other account on its scope, and an account without one on nothing (Forbidden)."""
    if principal.role == ADMIN or (principal.role == MANAGER and not principal.scopes):
        return "", None
    if not principal.scopes:
        raise Forbidden("Tài khoản chưa được giao phạm vi (tỉnh, xã) / your account has no scope")
    return scope_code(principal.scopes), sorted(principal.scopes)


__all__ = ["communes_in_scope", "parse_codes", "report_scope", "store_communes"]
