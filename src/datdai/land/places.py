"""Where a commune is: its name, district and province, from the store's admin units (old era, the
codes the land data was recorded with), else the reference list (``kernel.admin_units``); the names of units and the communes an officer
may pick."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from datdai.access.principal import Principal
from datdai.access.visibility import visible_communes
from datdai.db import schema as s


@dataclass(frozen=True)
class Place:
    name: str | None
    district_name: str | None
    province_code: str | None
    province_name: str | None


def commune_places(conn: Connection, communes: Iterable[str]) -> dict[str, Place]:
    from datdai.kernel.admin_units import old_commune

    a = s.admin_units
    units = {(r.level, r.code): (r.name, r.parent_code) for r in conn.execute(
        select(a.c.level, a.c.code, a.c.name, a.c.parent_code).where(a.c.era == "CU"))}
    out = {}
    for c in communes:
        ref = old_commune(c)
        name, district = units.get(("XA", c), (ref.name if ref else None, ref.district_code if ref else None))
        district_name, province = units.get(("HUYEN", district or ""),
                                            (None, ref.province_code if ref else None))
        province_name = units.get(("TINH", province or ""), (ref.province_name if ref else None, None))[0]
        out[c] = Place(name, district_name or (ref.district_name if ref else None), province, province_name)
    return out


def unit_names(conn: Connection, codes: Iterable[str | None]) -> dict[str, str]:
    """code → name of the admin units loaded in the store (old-era name first: the land data
    keeps the codes it was recorded with)."""
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    a = s.admin_units
    out: dict[str, str] = {}
    rows = conn.execute(select(a.c.code, a.c.era, a.c.name).where(a.c.code.in_(codes))
                        .order_by(a.c.code, a.c.era.desc())).all()  # 'MOI' before 'CU': CU wins
    for code, _era, name in rows:
        out[code] = name
    return out


def commune_choices(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the communes holding parcels that the officer may see, by name."""
    codes = conn.execute(select(s.parcels.c.commune_code).distinct()).scalars().all()
    visible = [c for c in codes if principal.can_see_commune(c)]
    names = unit_names(conn, visible)
    return sorted(((c, names.get(c, f"Xã {c}")) for c in visible), key=lambda x: (x[1], x[0]))


def visible_parcel_communes(conn: Connection, principal: Principal) -> list[str] | None:
    """The communes holding parcels that ``principal`` sees (sorted); None: all of them."""
    return visible_communes(conn, principal, s.parcels.c.commune_code)
