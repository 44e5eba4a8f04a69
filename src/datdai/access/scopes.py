"""Does a scope (set of province and commune codes) cover a commune?

A commune code may be of either era (before or after 1 July 2025, see ``datdai.kernel``); a
province scope covers a commune whose old province, new province, or old commune's successor
province has that code. GSO reused a few old codes for other new units, so a province scope can
over-cover such a reused code; it never under-covers.
"""

from __future__ import annotations

from functools import lru_cache


def normalize_commune(code: str | None) -> str | None:
    code = str(code or "").strip()
    if not code.isascii() or not code.isdigit() or len(code) > 5:
        return None
    return code.zfill(5)


@lru_cache(maxsize=20000)
def provinces_of_commune(commune_code: str) -> frozenset[str]:
    from datdai.kernel.admin_units import new_commune, old_commune

    found: set[str] = set()
    old = old_commune(commune_code)
    if old is not None:
        found.update({old.province_code, old.new_province_code})
    new = new_commune(commune_code)
    if new is not None:
        found.add(new.province_code)
    return frozenset(found)


def scope_covers(scopes: frozenset[str] | set[str], commune_code: str | None) -> bool:
    code = normalize_commune(commune_code)
    if code is None or not scopes:
        return False
    if code in scopes:
        return True
    provinces = {s for s in scopes if len(s) == 2}
    return bool(provinces and provinces & provinces_of_commune(code))
