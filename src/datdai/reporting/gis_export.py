"""The store's parcels (and findings) to a GeoPackage or Shapefiles for QGIS
(``datdai export``, docs/formats/xuat-ban-do.md).

The layers are those of ``exchange/gis_layers.py``, streamed batch by batch into GDAL (pyogrio's
Arrow writer) in the store's VN-2000 zone, with its SRS (GeoPackage ``gpkg_spatial_ref_sys``,
Shapefile ``.prj``). A GeoPackage is one file with a layer per kind (and per zone); Shapefiles are
one set of files per layer (``thua_dat.shp``, ``loi_du_lieu.shp`` …) in the folder given, text in
UTF-8 declared by a ``.cpg``. Everything is written beside the target first and moved into place
once complete, after ``on_written`` (the access-log row) has run: a failure leaves nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from pyogrio import write_arrow
from sqlalchemy import Connection

from datdai.kernel.errors import InvalidInput
from datdai.reporting.gis_layers import (
    FINDING_SCHEMA,
    FINDINGS,
    PARCEL_SCHEMA,
    PARCELS,
    Selection,
    communes_with_parcels,
    count_parcels,
    crs_wkt,
    finding_batches,
    layer_name,
    parcel_batches,
    zones,
)

FORMATS = {"gpkg": "GPKG", "shp": "ESRI Shapefile"}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


class GisExportError(InvalidInput):
    """An export that cannot be written as asked (exit code 2)."""


@dataclass
class GisExportResult:
    path: Path
    fmt: str
    layers: dict[str, int] = field(default_factory=dict)  # layer → features written
    files: list[Path] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)  # the people whose data was written


def as_multipolygons(wkb: pa.Array) -> pa.Array:
    """Polygons as multipolygons (one geometry type per layer, as Shapefile and QGIS want); the
    polygonal parts of a collection; anything else (no area) as no geometry."""
    geoms = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
    types = shapely.get_type_id(geoms)
    out = np.empty(len(geoms), dtype=object)
    for i, (g, t) in enumerate(zip(geoms, types)):
        if t == shapely.GeometryType.MULTIPOLYGON:
            out[i] = g
        elif t == shapely.GeometryType.POLYGON:
            out[i] = shapely.MultiPolygon([g])
        elif t == shapely.GeometryType.GEOMETRYCOLLECTION:
            parts = [p for p in shapely.get_parts(shapely.get_parts(g)) if p.geom_type == "Polygon"]
            out[i] = shapely.MultiPolygon(parts) if parts else None
        else:
            out[i] = None
    return pa.array(shapely.to_wkb(out), pa.binary())


def _counted(batches: Iterator[pa.RecordBatch], counter: list[int]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        counter[0] += b.num_rows
        yield b.set_column(b.num_columns - 1, "geometry", as_multipolygons(b.column("geometry")))


def _write(path: Path, driver: str, layer: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch],
           srid: int) -> int:
    counter = [0]
    reader = pa.RecordBatchReader.from_batches(schema, _counted(batches, counter))
    write_arrow(reader, str(path), layer=layer, driver=driver, geometry_name="geometry",
                geometry_type="MultiPolygon", crs=crs_wkt(srid), encoding="UTF-8",
                append=path.exists() and driver == "GPKG")
    return counter[0]


def export_gis(conn: Connection, out: Path | str, *, fmt: str, communes: Sequence[str] | None = None,
               findings: bool = False, everyone: bool = False, owners: bool = True,
               on_written: Callable[[set[str]], None] | None = None, progress=None) -> GisExportResult:
    """Write the selected parcels (and with ``findings`` the findings) to ``out``: a ``.gpkg``
    file (``fmt="gpkg"``) or a folder of Shapefiles (``fmt="shp"``). ``everyone``: identity
    numbers and birth dates in full (the caller has decided the reader may see them and logs it);
    ``owners``: write the holders at all. ``on_written(subjects)`` runs once everything is
    written, before the files are moved into place (the caller's access-log row)."""
    if fmt not in FORMATS:
        raise GisExportError(f"định dạng không hỗ trợ '{fmt}' (gpkg, shp) / unsupported format")
    out = Path(out)
    driver = FORMATS[fmt]
    if fmt == "gpkg" and out.suffix.lower() != ".gpkg":
        raise GisExportError(f"tệp GeoPackage phải có đuôi .gpkg: '{out}' / the file must end in .gpkg")
    if fmt == "gpkg" and out.is_dir():
        raise GisExportError(f"'{out}' là một thư mục / is a directory, not a file")
    if fmt == "shp" and out.exists() and not out.is_dir():
        raise GisExportError(f"với Shapefile, --out là một thư mục: '{out}' là một tệp / "
                             "for Shapefiles --out is a folder")
    parent = out.parent
    if not parent.is_dir():
        raise GisExportError(f"thư mục không tồn tại / directory does not exist: '{parent}'")
    if communes is not None:
        communes = sorted(set(communes))
        missing = sorted(set(communes) - communes_with_parcels(conn, communes))
        if missing:
            raise GisExportError(f"không có thửa đất nào của xã {', '.join(missing)} trong cơ sở dữ liệu / "
                                 "no parcels of these communes in the store")
    if count_parcels(conn, Selection(communes=communes)) == 0:
        where = f"các xã {', '.join(communes)}" if communes else "cơ sở dữ liệu"
        raise GisExportError(f"không có thửa đất nào trong {where}: không có gì để xuất / "
                             "no parcels in the selection: nothing to export")
    all_zones = zones(conn, communes)
    if not all_zones:
        raise GisExportError("các thửa đất được chọn không có hình thể (chỉ có sổ địa chính): không "
                             "xuất được lớp bản đồ / the selected parcels have no geometry")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise GisExportError(f"không ghi được vào thư mục / cannot write in '{parent}': {exc.strerror}") from exc
    result = GisExportResult(path=out, fmt=fmt)
    try:
        target = tmp / out.name if fmt == "gpkg" else tmp
        for k, srid in enumerate(all_zones):
            # the parcels and findings without geometry go with the first zone
            sel = Selection(communes=communes, srid=srid, unplaced=k == 0)
            name = layer_name(PARCELS, srid, all_zones)
            path = target if fmt == "gpkg" else tmp / f"{name}.shp"
            result.layers[name] = _write(path, driver, name, PARCEL_SCHEMA, parcel_batches(
                conn, sel, everyone=everyone, owners=owners, subjects=result.subjects, progress=progress),
                srid)
            if findings:
                name = layer_name(FINDINGS, srid, all_zones)
                path = target if fmt == "gpkg" else tmp / f"{name}.shp"
                result.layers[name] = _write(path, driver, name, FINDING_SCHEMA, finding_batches(
                    conn, sel, everyone=everyone, subjects=result.subjects), srid)
        if on_written is not None:
            on_written(result.subjects)
        if fmt == "gpkg":
            os.replace(target, out)
            result.files = [out]
        else:
            out.mkdir(exist_ok=True)
            for f in sorted(tmp.iterdir()):
                os.replace(f, out / f.name)
                result.files.append(out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result
