"""Hand-built deliveries for the rule tests: map features, register rows, and a runner that
checks them with one rule enabled."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import shapely
from shapely.geometry import box

from datdai.cleaning.config import CheckConfig
from datdai.cleaning.registry import all_rules
from datdai.cleaning.runner import run_rules

PARCEL_SCHEMA = pa.schema([
    ("row", pa.int64()), ("ma_xa", pa.string()), ("so_to", pa.string()),
    ("so_thua", pa.string()), ("dien_tich", pa.float64()), ("loai_dat", pa.string()),
    ("ten_chu", pa.string()), ("geometry", pa.binary()),
])
REGISTER_SCHEMA = pa.schema([
    ("row", pa.int64()), ("ma_xa", pa.string()), ("so_to", pa.string()),
    ("so_thua", pa.string()), ("dien_tich", pa.float64()), ("loai_dat", pa.string()),
    ("ten_chu", pa.string()), ("gioi_tinh", pa.string()), ("nam_sinh", pa.string()),
    ("loai_giay_to", pa.string()), ("so_giay_to", pa.string()), ("dia_chi_chu", pa.string()),
    ("so_seri_gcn", pa.string()), ("dia_chi_thua", pa.string()), ("ty_le_ban_do", pa.int32()),
])

MA_XA = "25195"


def square(x: float, y: float, side: float = 10.0):
    """An axis-aligned square with its lower-left corner at (x, y)."""
    return box(x, y, x + side, y + side)


def parcel(so_thua: str | None, geom=None, *, ma_xa: str = MA_XA, so_to: str = "1",
           dien_tich: float | None = None, loai_dat: str | None = "ODT",
           ten_chu: str | None = None, wkb: bytes | None = None) -> dict[str, Any]:
    """A map feature. ``geom`` is a shapely geometry (None → null geometry unless ``wkb``)."""
    if wkb is None and geom is not None:
        wkb = shapely.to_wkb(geom)
    return {"ma_xa": ma_xa, "so_to": so_to, "so_thua": so_thua, "dien_tich": dien_tich,
            "loai_dat": loai_dat, "ten_chu": ten_chu, "geometry": wkb}


def owner(so_thua: str, *, ma_xa: str = MA_XA, so_to: str = "1",
          dien_tich: float | None = None, loai_dat: str | None = "ODT",
          ten_chu: str | None = "Nguyễn Văn An", gioi_tinh: str | None = "Nam",
          nam_sinh: str | None = "1985", loai_giay_to: str | None = "CCCD",
          so_giay_to: str | None = "070085012345", dia_chi_chu: str | None = None,
          so_seri_gcn: str | None = None, dia_chi_thua: str | None = None,
          ty_le_ban_do: int | None = None) -> dict[str, Any]:
    """A register row (a land user of a parcel). The defaults are a clean male born in 1985
    with a matching CCCD (Bình Phước, 070)."""
    return {"ma_xa": ma_xa, "so_to": so_to, "so_thua": so_thua, "dien_tich": dien_tich,
            "loai_dat": loai_dat, "ten_chu": ten_chu, "gioi_tinh": gioi_tinh,
            "nam_sinh": nam_sinh, "loai_giay_to": loai_giay_to, "so_giay_to": so_giay_to,
            "dia_chi_chu": dia_chi_chu, "so_seri_gcn": so_seri_gcn,
            "dia_chi_thua": dia_chi_thua, "ty_le_ban_do": ty_le_ban_do}


def _table(rows: list[dict], schema: pa.Schema, first_row: int) -> pa.Table:
    cols = {f.name: [r[f.name] for r in rows] for f in schema if f.name != "row"}
    cols["row"] = list(range(first_row, first_row + len(rows)))
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in schema}, schema=schema)


def parcels_table(rows: list[dict]) -> pa.Table:
    """Map features numbered from 1 (``row``)."""
    return _table(rows, PARCEL_SCHEMA, 1)


def register_table(rows: list[dict]) -> pa.Table:
    """Register rows numbered as a spreadsheet with a header shows them: from 2."""
    return _table(rows, REGISTER_SCHEMA, 2)


def config_for(only: str | None = None, **params: Any) -> CheckConfig:
    """A configuration with only the rule ``only`` enabled (all when None) and its params."""
    codes = {r.code for r in all_rules()}
    disabled = codes - {only} if only else set()
    rule_params = {only: dict(params)} if only and params else {}
    return CheckConfig(disabled=disabled, rule_params=rule_params)


def run(engine, parcels: list[dict], owners: list[dict], *, only: str | None = None,
        **params: Any):
    """Run the rule(s) on the hand-built delivery; the :class:`CheckResult`."""
    return run_rules(parcels_table(parcels), register_table(owners), engine=engine,
                     config=config_for(only, **params))


def check(engine, parcels: list[dict], owners: list[dict], *, only: str,
          **params: Any) -> list[dict[str, Any]]:
    """The findings of rule ``only`` as a list of dicts (every finding column)."""
    result = run(engine, parcels, owners, only=only, **params)
    found = result.findings.to_pylist()
    assert all(f["ma_loi"] == only for f in found), found
    return found


def keys(findings: list[dict]) -> list[tuple[str, str, str]]:
    """The sorted parcel keys named by findings."""
    return sorted((f["ma_xa"], f["so_to"], f["so_thua"]) for f in findings)


def matched(parcels_and_owners: list[str], dien_tich: float = 100.0, side: float = 10.0):
    """Clean, adjacent square parcels with one matching register row each (for padding)."""
    ps, os_ = [], []
    for i, n in enumerate(parcels_and_owners):
        ps.append(parcel(n, square(1000 + i * side, 1000, side), dien_tich=dien_tich))
        os_.append(owner(n, dien_tich=side * side))
    return ps, os_


def by_case(findings: list[dict]) -> dict[int, list[dict]]:
    """Findings grouped by case number, for deliveries built with one parcel per case
    (``so_thua`` = case index + 1): ``{index: [findings]}``."""
    out: dict[int, list[dict]] = {}
    for f in findings:
        out.setdefault(int(f["so_thua"]) - 1, []).append(f)
    return out
