"""A contractor's corrected delivery, written from a first delivery's files by editing them
(pyogrio for the map, the csv module for the register), and what it changes.

The edits, each on its own parcel key (see :func:`write_corrected`):

* ``fixed``: a LANDUSE_MISMATCH of the first delivery fixed on the map (its label = the register's);
* ``new_defect``: a clean parcel's map land use changed: a new LANDUSE_MISMATCH;
* ``moved``: a polygon shrunk by 20 cm (geometry changed);
* ``jitter``: a polygon moved by 1 cm (under the tolerance: no change);
* ``owner``: the register row of a parcel given to another person (holders changed);
* ``conflict``: the register area of a parcel a person corrected in the store, delivered otherwise;
* ``kept``: the register area of a parcel a person corrected, delivered as before (no change);
* ``removed``: two parcels left out (map and register);
* ``added``: two new parcels (sheet 99) with a new land user each.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.raw
import shapely

Key = tuple[str, int, int]


@dataclass
class Edits:
    fixed: list[Key] = field(default_factory=list)
    new_defect: Key | None = None
    moved: Key | None = None
    jitter: Key | None = None
    owner: Key | None = None
    conflict: Key | None = None
    kept: Key | None = None
    removed: list[Key] = field(default_factory=list)
    added: list[Key] = field(default_factory=list)


def read_register(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def key_of(row: dict) -> Key:
    return (row["ma_xa"], int(row["so_to"]), int(row["so_thua"]))


def write_corrected(first: Path, out: Path, edits: Edits, landuse_fix: dict[Key, str],
                    areas: dict[Key, str]) -> Path:
    """Write the corrected delivery into ``out``; ``landuse_fix``: key → land use to put on the
    map; ``areas``: key → register area to write."""
    out.mkdir(parents=True, exist_ok=True)
    meta, table = pyogrio.read_arrow(first / "thua_dat.gpkg")
    cols = {c: table[c].to_pylist() for c in ("ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu")}
    geoms = shapely.from_wkb(table[meta["geometry_name"]].to_pylist())
    rows = []
    for i in range(table.num_rows):
        k = (cols["ma_xa"][i], int(cols["so_to"][i]), int(cols["so_thua"][i]))
        if k in edits.removed:
            continue
        r = {c: cols[c][i] for c in cols}
        g = geoms[i]
        if k in landuse_fix:
            r["loai_dat"] = landuse_fix[k]
        if k == edits.moved:
            g = g.buffer(-0.2, join_style="mitre")
        if k == edits.jitter:
            g = shapely.affinity.translate(g, 0.01, 0.0)
        rows.append((r, g))
    x0, y0 = shapely.total_bounds(geoms)[2] + 500.0, shapely.total_bounds(geoms)[1]
    commune = edits.added[0][0]
    for n, k in enumerate(edits.added):
        g = shapely.box(x0 + 100 * n, y0, x0 + 100 * n + 20, y0 + 20)
        rows.append(({"ma_xa": commune, "so_to": k[1], "so_thua": k[2], "dien_tich": 400.0, "loai_dat": "ONT",
                      "ten_chu": f"Đặng Văn Mới {n + 1}"}, g))
    arrays = {
        "ma_xa": pa.array([r["ma_xa"] for r, _ in rows], pa.string()),
        "so_to": pa.array([int(r["so_to"]) for r, _ in rows], pa.int32()),
        "so_thua": pa.array([int(r["so_thua"]) for r, _ in rows], pa.int32()),
        "dien_tich": pa.array([r["dien_tich"] for r, _ in rows], pa.float64()),
        "loai_dat": pa.array([r["loai_dat"] for r, _ in rows], pa.string()),
        "ten_chu": pa.array([r["ten_chu"] for r, _ in rows], pa.string()),
    }
    wkb = np.array([shapely.to_wkb(g) for _, g in rows], dtype=object)
    pyogrio.raw.write(out / "thua_dat.gpkg", wkb, arrays_from(arrays),
                  fields=list(arrays), geometry_type="Polygon", crs=meta["crs"], driver="GPKG",
                  layer="thua_dat")
    header, reg = read_register(first / "so_dia_chinh.csv")
    new_reg = []
    for row in reg:
        k = key_of(row)
        if k in edits.removed:
            continue
        row = dict(row)
        if k in areas:
            row["dien_tich"] = areas[k]
        if k == edits.owner:
            row.update(ten_chu="Vũ Thị Thay Chủ", gioi_tinh="Nữ", nam_sinh="1991", loai_giay_to="CCCD",
                       so_giay_to="075191000777")
        new_reg.append(row)
    for n, k in enumerate(edits.added):
        row = dict.fromkeys(header, "")
        row.update(ma_xa=k[0], so_to=str(k[1]), so_thua=str(k[2]), dien_tich="400", loai_dat="ONT",
                   ten_chu=f"Đặng Văn Mới {n + 1}", gioi_tinh="Nam", nam_sinh="1980", loai_giay_to="CCCD",
                   so_giay_to=f"07508000012{n}", dia_chi_chu="Ấp 1", dia_chi_thua="Ấp 1", ty_le_ban_do="1000")
        new_reg.append(row)
    with (out / "so_dia_chinh.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(new_reg)
    return out


def arrays_from(arrays: dict[str, pa.Array]) -> list:
    return [a.to_numpy(zero_copy_only=False) for a in arrays.values()]


def copy_delivery(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("thua_dat.gpkg", "so_dia_chinh.csv"):
        shutil.copy(src / name, dst / name)
    return dst
