"""Loading of the administrative-unit tables shipped by the PyPI package ``vietnamadminunits``.

Two eras (REFERENCE.md §6): the 63 old provinces with districts and communes (before 1 July
2025) and the 34 new provinces with communes only, joined by the package's old → new ward
mapping (including the 471 old communes that were split between several new ones).

Where the data is read from, and why not through the package's public API:

* ``data/dataset.db`` (tables ``admin_units_legacy``, ``admin_units``). The package's
  ``vietnamadminunits.database.query`` returns the same rows, but importing any part of the
  package runs its ``__init__``, which loads both address parsers (3.6 MB of JSON, shapely,
  geopy: ~0.35 s) and opens the database read-write. The file is therefore opened directly,
  with sqlite3 in read-only URI mode.
* ``data/converter_2025.json``: no public API gives the mapping as a table
  (``convert_address`` converts one address at a time, ~1 ms each, and geocodes over the
  network for a split ward when a street is given).

Everything is loaded once (``functools.cache``), about 0.2 s.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from datdai.kernel.provinces import province_by_code, province_by_name
from datdai.kernel.text import fold_key, nfc

URBAN_KINDS = frozenset({"Phường", "Thị trấn"})
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


def _short(name: str) -> str:
    """"Yên Viên (Thị trấn)" → "Yên Viên": the package qualifies homonyms; ``kind`` says it."""
    return _QUALIFIER.sub("", nfc(name))


@dataclass(frozen=True)
class OldCommune:
    """A commune/ward/township of the 63-province era, with the 2025 unit it became part of."""

    code: str  # 5-digit GSO ward code
    name: str  # "Xã Tân Hưng"
    short_name: str  # "Tân Hưng"
    kind: str  # "Xã" / "Phường" / "Thị trấn"
    district_code: str  # 3 digits
    district_name: str  # "Huyện Hớn Quản"
    province_code: str  # 2 digits, "70"
    province_name: str  # "Tỉnh Bình Phước"
    lat: float
    lon: float
    bounds: tuple[float, float, float, float] | None  # min_lat, min_lon, max_lat, max_lon
    new_code: str  # the 2025 commune (for a split commune: the default new ward)
    new_name: str
    new_province_code: str
    new_province_name: str
    is_urban: bool  # Phường / Thị trấn

    @property
    def is_split(self) -> bool:
        """True if the commune was divided between several new communes in 2025."""
        return self.code in split_targets()


@dataclass(frozen=True)
class NewCommune:
    """A commune/ward/special zone of the 34-province era (from 1 July 2025)."""

    code: str
    name: str  # "Xã Tân Hưng"
    short_name: str
    kind: str  # "Xã" / "Phường" / "Đặc khu"
    province_code: str  # 2 digits (GSO reused some old codes for other provinces)
    province_name: str  # "Tỉnh Đồng Nai"
    lat: float
    lon: float
    area_km2: float | None


@dataclass(frozen=True)
class OldDistrict:
    code: str
    name: str
    short_name: str
    kind: str  # "Huyện" / "Quận" / "Thị xã" / "Thành phố"
    province_code: str
    successor_code: str | None  # only for the island districts without communes (→ đặc khu)


@dataclass(frozen=True)
class Province:
    code: str  # 2-digit GSO code of its own era
    name: str  # "Tỉnh Bình Phước"
    short_name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Tables:
    old_provinces: dict[str, Province]  # by old 2-digit code
    new_provinces: dict[str, Province]  # by new 2-digit code
    old_districts: dict[str, OldDistrict]  # by 3-digit code
    old_communes: dict[str, OldCommune]  # by 5-digit code, sorted by code
    new_communes: dict[str, NewCommune]  # by 5-digit code, sorted by code
    old_to_new_province: dict[str, str]  # old code → new code
    split: dict[str, tuple[str, ...]]  # old commune code → all new commune codes it went to


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """"11.30,106.41 – 12.29,107.42" → (min_lat, min_lon, max_lat, max_lon)."""
    if not text:
        return None
    try:
        lat1, lon1, lat2, lon2 = (float(x) for x in text.replace("–", ",").split(","))
    except ValueError:
        return None
    return (min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))


def keywords(raw: str | None) -> tuple[str, ...]:
    """The package's keyword lists: JSON arrays of folded ASCII strings ('["xatanhung", …]')."""
    if not raw:
        return ()
    inner = raw.strip()[1:-1].strip()
    if not inner:
        return ()
    if "\\" in inner:  # never seen; keep the exact JSON semantics if it ever happens
        return tuple(dict.fromkeys(json.loads(raw)))
    return tuple(dict.fromkeys(k.strip().strip('"') for k in inner.split(",")))


@cache
def _data_dir() -> Path:
    """The installed ``vietnamadminunits/data`` directory, found without importing the package
    (``importlib.resources.files("vietnamadminunits")`` would run its ~0.35 s ``__init__``)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Thiếu gói vietnamadminunits (pip install vietnamadminunits)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _converter() -> dict:
    return json.loads((_data_dir() / "converter_2025.json").read_text("utf-8"))


def _query(sql: str) -> list[tuple]:
    uri = f"{(_data_dir() / 'dataset.db').as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@cache
def raw_keywords() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The package's match keywords (with aliases of former names), still as JSON text:
    old commune code → keywords, old district code → keywords, new commune code → keywords."""
    old = _query(
        "SELECT wardCode, wardKeywords, districtCode, districtKeywords FROM admin_units_legacy"
    )
    new = _query("SELECT wardCode, wardKeywords FROM admin_units")
    return (
        {w: kw for w, kw, _, _ in old if w},
        {d: kw for _, _, d, kw in old},
        dict(new),
    )


@cache
def tables() -> Tables:
    """Load and join both eras and the mapping (cached; ~0.2 s the first time)."""
    old_rows = _query(
        "SELECT province, district, ward, provinceShort, districtShort, wardShort, districtType,"
        " wardType, provinceCode, districtCode, wardCode, wardLat, wardLon, wardBounds,"
        " provinceKey, districtKey, wardKey, provinceKeywords FROM admin_units_legacy"
    )
    new_rows = _query(
        "SELECT province, ward, provinceShort, wardShort, wardType, provinceCode, wardCode,"
        " wardLat, wardLon, wardAreaKm2, provinceKey, wardKey, provinceKeywords"
        " FROM admin_units ORDER BY wardCode"
    )
    conv = _converter()

    new_provinces: dict[str, Province] = {}
    new_communes: dict[str, NewCommune] = {}
    new_by_key: dict[tuple[str, str], NewCommune] = {}
    new_prov_by_key: dict[str, str] = {}
    for (prov, ward, prov_short, ward_short, kind, pc, code, lat, lon, area, pk, wk,
         prov_kw) in new_rows:
        if pc not in new_provinces:
            new_provinces[pc] = Province(pc, nfc(prov), nfc(prov_short), keywords(prov_kw))
            new_prov_by_key[pk] = pc
        c = NewCommune(code, nfc(ward), nfc(ward_short), kind, pc, new_provinces[pc].name,
                       lat, lon, area)
        new_communes[code] = c
        new_by_key[(pk, wk)] = c

    # old "province_district_ward" key → new commune (the default one for a split commune)
    target: dict[str, NewCommune] = {}
    split_keys: dict[str, tuple[str, ...]] = {}
    for new_pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, old_keys in wards.items():
            for old_key in old_keys:
                target[old_key] = new_by_key[(new_pk, new_wk)]
    for new_pk, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, options in divided.items():
            default = next(o for o in options if o["isDefaultNewWard"])
            target[old_key] = new_by_key[(new_pk, default["newWardKey"])]
            split_keys[old_key] = tuple(new_by_key[(new_pk, o["newWardKey"])].code for o in options)
    old_to_new = {
        old_pk: new_prov_by_key[new_pk]
        for new_pk, old_pks in conv["DICT_PROVINCE"].items()
        for old_pk in old_pks
    }

    old_provinces: dict[str, Province] = {}
    old_districts: dict[str, OldDistrict] = {}
    communes: list[OldCommune] = []
    split: dict[str, tuple[str, ...]] = {}
    old_prov_new: dict[str, str] = {}
    for (prov, dist, ward, prov_short, dist_short, ward_short, dist_kind, kind, pc, dc, code,
         lat, lon, bounds, pk, dk, wk, prov_kw) in old_rows:
        old_key = f"{pk}_{dk}_{wk or ''}"
        new = target[old_key]
        if pc not in old_provinces:
            old_provinces[pc] = Province(pc, nfc(prov), nfc(prov_short), keywords(prov_kw))
            old_prov_new[pc] = old_to_new[pk]
        if dc not in old_districts:
            old_districts[dc] = OldDistrict(
                code=dc,
                name=nfc(dist),
                short_name=_short(dist_short),
                kind=dist_kind,
                province_code=pc,
                successor_code=None if code else new.code,
            )
        if not code:  # island district without communes (Côn Đảo, Bạch Long Vĩ, …)
            continue
        communes.append(OldCommune(
            code=code,
            name=nfc(ward),
            short_name=_short(ward_short),
            kind=kind,
            district_code=dc,
            district_name=old_districts[dc].name,
            province_code=pc,
            province_name=old_provinces[pc].name,
            lat=lat,
            lon=lon,
            bounds=_bounds(bounds),
            new_code=new.code,
            new_name=new.name,
            new_province_code=new.province_code,
            new_province_name=new.province_name,
            is_urban=kind in URBAN_KINDS,
        ))
        if old_key in split_keys:
            split[code] = split_keys[old_key]
    communes.sort(key=lambda c: c.code)
    return Tables(
        old_provinces=old_provinces,
        new_provinces=new_provinces,
        old_districts=old_districts,
        old_communes={c.code: c for c in communes},
        new_communes=new_communes,
        old_to_new_province=old_prov_new,
        split=split,
    )


def split_targets() -> dict[str, tuple[str, ...]]:
    """Old commune code → the new commune codes it was divided between (split communes only)."""
    return tables().split


# ----- province resolution ---------------------------------------------------------------

_PROVINCE_PREFIXES = ("tinh", "thanhpho", "tp", "thudo")


@cache
def province_name_index(era: str) -> dict[str, str]:
    """Folded name or alias of a province of ``era`` ("old"/"new"), with or without "Tỉnh",
    "Thành phố", "TP", "Thủ đô" → its 2-digit code of that era."""
    t = tables()
    provinces = t.old_provinces if era == "old" else t.new_provinces
    out: dict[str, str] = {}
    for p in provinces.values():
        bare = {k for k in p.keywords if not k.startswith(("tinh", "thanhpho"))}
        bare.add(fold_key(p.short_name))
        prefixed = {prefix + k for k in bare for prefix in _PROVINCE_PREFIXES}
        for k in (fold_key(p.name), *p.keywords, *bare, *prefixed):
            out.setdefault(k, p.code)
    out.setdefault("tphcm", "79")
    if era == "old":
        out.update({"thuathienhue": "46", "tinhthuathienhue": "46"})
    return out


def resolve_old_province(province: str) -> str:
    """Old 2-digit code from "70", "070", "Bình Phước", "Tỉnh Bình Phước", "binh phuoc"."""
    text = nfc(str(province)).strip()
    t = tables()
    if text.isdigit():
        p = province_by_code(text) if len(text) in (2, 3) else None
        if p is not None and p.statistics_code in t.old_provinces:
            return p.statistics_code
    else:
        p = province_by_name(text)
        if p is not None and p.statistics_code in t.old_provinces:
            return p.statistics_code
        code = province_name_index("old").get(fold_key(text))
        if code is not None:
            return code
    raise ValueError(f"Không tìm thấy tỉnh/thành phố (63 tỉnh trước 01/7/2025): {province!r}")


def resolve_new_province(province: str) -> str:
    """New 2-digit code from "75", "Đồng Nai", "Tỉnh Đồng Nai", "dong nai", "TP HCM"."""
    text = nfc(str(province)).strip()
    t = tables()
    if text.isdigit():
        if text in t.new_provinces:
            return text
    else:
        code = province_name_index("new").get(fold_key(text))
        if code is not None:
            return code
        old = province_name_index("old").get(fold_key(text))
        if old is not None:
            successor = t.new_provinces[t.old_to_new_province[old]]
            raise ValueError(
                f"{t.old_provinces[old].name} không còn là đơn vị hành chính từ 01/7/2025;"
                f" đã hợp nhất vào {successor.name} (mã {successor.code})"
            )
    raise ValueError(f"Không tìm thấy tỉnh/thành phố (34 tỉnh từ 01/7/2025): {province!r}")


@cache
def old_by_province() -> dict[str, tuple[OldCommune, ...]]:
    """Old 2-digit province code → its old communes, sorted by code."""
    out: dict[str, list[OldCommune]] = defaultdict(list)
    for c in tables().old_communes.values():
        out[c.province_code].append(c)
    return {k: tuple(v) for k, v in out.items()}


@cache
def new_by_province() -> dict[str, tuple[NewCommune, ...]]:
    """New 2-digit province code → its new communes, sorted by code."""
    out: dict[str, list[NewCommune]] = defaultdict(list)
    for c in tables().new_communes.values():
        out[c.province_code].append(c)
    return {k: tuple(v) for k, v in out.items()}
