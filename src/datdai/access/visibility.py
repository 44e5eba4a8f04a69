"""Which rows of the store an account sees: the one clause that restricts a query to the
communes of the account's admin scope (province or commune codes, old or 2025 ones, read by
:meth:`~datdai.access.principal.Principal.can_see_commune`). The API, the web pages and the
reports call it; none writes its own."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select, true
from sqlalchemy.sql import ColumnElement

from datdai.access.principal import Principal
from datdai.access.roles import ADMIN

EVERY_COMMUNE_PROBE = "00000"  # a code no scope names: only an account without limits sees it


def sees_every_commune(principal: Principal) -> bool:
    """An administrator, or an account whose role is not limited to a scope."""
    return principal.role == ADMIN or (not principal.scopes
                                       and principal.can_see_commune(EVERY_COMMUNE_PROBE))


def visible_communes(conn: Connection, principal: Principal,
                     column: ColumnElement) -> list[str] | None:
    """The commune codes found in ``column`` that ``principal`` sees (sorted); None: all."""
    if sees_every_commune(principal):
        return None
    codes = conn.execute(select(column).distinct()).scalars().all()
    return sorted(c for c in codes if c is not None and principal.can_see_commune(c))


def scope_clause(conn: Connection, principal: Principal, column: ColumnElement, *,
                 unplaced: bool = False) -> ColumnElement:
    """SQL condition: ``column`` (a commune code) is one ``principal`` sees; rows without a
    commune too when ``unplaced`` (a dossier filed without a parcel is every commune's)."""
    visible = visible_communes(conn, principal, column)
    if visible is None:
        return true()
    inside = column.in_(visible)
    return or_(inside, column.is_(None)) if unplaced else inside
