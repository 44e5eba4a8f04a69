"""Where a commune is: its name, district and province, from the store's admin units (old era, the
codes the land data was recorded with), else the reference list (``refdata.admin_units``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

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
