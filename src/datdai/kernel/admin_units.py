"""Administrative units of Vietnam, old and new (REFERENCE.md §6), and the old → new mapping.

* Old: the 63 provinces, 696 districts and 10,035 communes in force until 30 June 2025.
* New: the 34 provinces and 3,321 communes (xã, phường, đặc khu) from 1 July 2025, no districts.

Codes are the 2-digit (province), 3-digit (district) and 5-digit (commune) statistics (GSO)
codes, of their own era: GSO gave some new units the code of an old unit of another name
(new Lào Cai is "15", old Yên Bái's code; new Xã Tân Hưng of Đồng Nai is "25345", the code of
old Xã Tân Hưng of Bình Phước), so a code alone never says the era; ``AdminUnit.era`` does.

Data: the PyPI package ``vietnamadminunits`` (see ``admin_units_data``). Everything is loaded
once per process, in about half a second including the address index.

    >>> old_commune("25345").new_province_name
    'Tỉnh Đồng Nai'
    >>> address_key("ấp 3, xã An Khương, H. Hớn Quản, Bình Phước")
    AddressKey(new_province_code='75', new_commune_code='25345')
    >>> address_key("Xã Tân Hưng, Tỉnh Đồng Nai")
    AddressKey(new_province_code='75', new_commune_code='25345')
"""

from __future__ import annotations

from datdai.kernel.admin_units_address import AddressKey, address_key
from datdai.kernel.admin_units_data import (
    NewCommune,
    OldCommune,
    new_by_province,
    old_by_province,
    resolve_new_province,
    resolve_old_province,
    tables,
)
from datdai.kernel.model import AdminEra, AdminLevel, AdminUnit

__all__ = [
    "AddressKey",
    "NewCommune",
    "OldCommune",
    "address_key",
    "admin_units_for_province",
    "new_commune",
    "new_communes",
    "old_commune",
    "old_communes",
]


def old_communes(province: str) -> list[OldCommune]:
    """The communes of an old province before 1 July 2025, sorted by code.

    ``province``: the 2-digit statistics code ("70"), the 3-digit CCCD code ("070") or the name
    ("Bình Phước", "Tỉnh Bình Phước", "binh phuoc"). Unknown → ValueError.
    """
    return list(old_by_province()[resolve_old_province(province)])


def _code5(code: str) -> str | None:
    code = str(code).strip()
    if not code.isdigit() or len(code) > 5:
        return None  # an 8-digit tax-system code is not a commune code
    return code.zfill(5)


def old_commune(code: str) -> OldCommune | None:
    """An old commune by its 5-digit GSO code ("25345"; "541" is read as "00541")."""
    code5 = _code5(code)
    return tables().old_communes.get(code5) if code5 else None


def new_communes(province: str) -> list[NewCommune]:
    """The communes of a new province (from 1 July 2025), sorted by code.

    ``province``: the new 2-digit code ("75") or the name ("Đồng Nai", "TP. Hồ Chí Minh").
    A province that no longer exists ("Bình Phước") → ValueError naming its successor.
    """
    return list(new_by_province()[resolve_new_province(province)])


def new_commune(code: str) -> NewCommune | None:
    """A new commune by its 5-digit GSO code."""
    code5 = _code5(code)
    return tables().new_communes.get(code5) if code5 else None


def admin_units_for_province(province: str) -> list[AdminUnit]:
    """An old province as ``AdminUnit`` rows: the province, its districts and its communes (era OLD,
    parent codes set, ``successor_code`` = the 2025 unit it became part of: the new province for
    the province and its districts, the new commune for a commune, the default one for a split
    commune), then the new province and every new commune its communes went to (era NEW).

    Old and new codes can coincide (old Quảng Bình and new Quảng Trị are both "44"; old and new
    Xã Tân Hưng both "25345"): tell them apart by ``era``; (code, era) is unique in the list.
    """
    t = tables()
    code = resolve_old_province(province)
    old = t.old_provinces[code]
    new_code = t.old_to_new_province[code]
    communes = old_by_province()[code]
    districts = sorted(d.code for d in t.old_districts.values() if d.province_code == code)
    units = [AdminUnit(code, old.name, AdminLevel.PROVINCE, AdminEra.OLD, None, new_code)]
    for dc in districts:
        d = t.old_districts[dc]
        units.append(AdminUnit(dc, d.name, AdminLevel.DISTRICT, AdminEra.OLD, code,
                               d.successor_code or new_code))
    units += [
        AdminUnit(c.code, c.name, AdminLevel.COMMUNE, AdminEra.OLD, c.district_code, c.new_code)
        for c in communes
    ]
    targets = {c.new_code for c in communes}
    targets.update(n for c in communes for n in t.split.get(c.code, ()))
    targets.update(t.old_districts[dc].successor_code for dc in districts)
    targets.discard(None)
    new_units = sorted((t.new_communes[n] for n in targets), key=lambda n: n.code)
    for pc in sorted({n.province_code for n in new_units} | {new_code}):
        units.append(AdminUnit(pc, t.new_provinces[pc].name, AdminLevel.PROVINCE, AdminEra.NEW))
    units += [
        AdminUnit(n.code, n.name, AdminLevel.COMMUNE, AdminEra.NEW, n.province_code)
        for n in new_units
    ]
    return units
