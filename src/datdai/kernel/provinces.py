"""The 63 old provinces: the 3-digit code used in CCCD numbers and the TM-3 zone of VN-2000.

Data: ``data/provinces_old.csv`` (REFERENCE.md §1 and §4). The CCCD code is the code of the
province where the birth was registered under the *old* 63 provinces; never read it as the
current (2025) province.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from datdai.kernel.text import fold_key


@dataclass(frozen=True, slots=True)
class OldProvince:
    code: str  # 3 digits, "0" + the old 2-digit statistics code
    name: str
    central_meridian: float  # TM-3 zone of the cadastral maps
    epsg: int | None  # EPSG:9205–9218 where one exists

    @property
    def statistics_code(self) -> str:
        """The 2-digit GSO code (e.g. "70" for Bình Phước)."""
        return self.code[1:]


@cache
def old_provinces() -> dict[str, OldProvince]:
    """All 63 old provinces by 3-digit code."""
    text = resources.files("datdai.kernel").joinpath("data/provinces_old.csv").read_text("utf-8")
    out: dict[str, OldProvince] = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["code"]] = OldProvince(
            code=row["code"],
            name=row["name"],
            central_meridian=float(row["tm3_central_meridian"]),
            epsg=int(row["epsg"]) if row["epsg"] else None,
        )
    return out


def province_by_code(code: str) -> OldProvince | None:
    """Look up by the 3-digit CCCD code or the 2-digit statistics code."""
    code = code.strip()
    if len(code) == 2:
        code = "0" + code
    return old_provinces().get(code)


def province_by_name(name: str) -> OldProvince | None:
    """Look up by name, ignoring case, diacritics, spacing and prefixes like "Tỉnh", "TP."."""
    key = fold_key(name)
    for prefix in ("tinh", "thanhpho", "tp"):
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            stripped = key[len(prefix):]
            if _by_key().get(stripped):
                key = stripped
                break
    return _by_key().get(key)


@cache
def _by_key() -> dict[str, OldProvince]:
    out = {}
    for p in old_provinces().values():
        k = fold_key(p.name)
        out[k] = p
        if k.startswith("tp"):
            out[k[2:]] = p
    out["hue"] = out[fold_key("Thừa Thiên Huế")]
    out["bariavungtau"] = out[fold_key("Bà Rịa–Vũng Tàu")]
    return out
