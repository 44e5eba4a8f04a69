"""The parcel map layer of a delivery (``thua_dat``): GeoPackage, Shapefile, GeoJSON or DGN.

Read through GDAL's Arrow stream (pyogrio), normalised with Arrow compute. Geometries are kept
as stored (2D ISO WKB): invalid, empty, non-polygon or null geometries are not dropped or
repaired, the quality rules report them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError, FieldError

from datdai.ingest.columns import MAP_FIELDS, MAP_REQUIRED, match_columns, require
from datdai.ingest.crs import CrsDecision, decide_crs, reprojector
from datdai.ingest.errors import DeliveryError, ProblemCollector
from datdai.ingest.geometry import POLYGONAL, as_binary, force_2d, wkb_types
from datdai.ingest.sources import DGN, MapSource, resolve_map
from datdai.ingest.values import area, commune_code, latin1_to_cp1252, text, whole_number

PARCEL_SCHEMA = pa.schema([
    ("row", pa.int64()), ("ma_xa", pa.string()), ("so_to", pa.string()),
    ("so_thua", pa.string()), ("dien_tich", pa.float64()), ("loai_dat", pa.string()),
    ("ten_chu", pa.string()), ("geometry", pa.binary()),
])  # fmt: skip

EMPTY_LAYER = "lớp không có đối tượng / the layer has no features"
NO_POLYGONS = ("lớp không có thửa đất dạng vùng (polygon); chỉ có điểm/đường"
               " / the layer has no polygons")
BAD_KEYS = "số tờ/số thửa/diện tích không hợp lệ / invalid parcel keys or areas"


@dataclass
class ParcelSource:
    """What is known of a map layer before its rows are read (the streaming metadata)."""

    path: Path
    driver: str
    srid: int
    crs_source: str  # "file" | "config"
    layer: str | None = None
    features: int | None = None  # as the driver reports it (None: unknown)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParcelLayer:
    path: Path
    driver: str
    srid: int
    crs_source: str  # "file" | "config"
    table: pa.Table  # PARCEL_SCHEMA, in file order
    warnings: list[str]


@dataclass
class _Plan:
    """How to turn raw batches into PARCEL_SCHEMA batches."""

    headers: dict[str, str | None]  # canonical -> header in the file
    latin1: bool
    ma_xa: str | None
    so_to: str | None
    allow_null_parcel: bool
    crs: CrsDecision
    problems: ProblemCollector = field(default_factory=ProblemCollector)
    seen_polygon: bool = False
    rows_read: int = 0
    not_2d_unreadable: int = 0
    unprojectable: int = 0

    def __post_init__(self) -> None:
        self._reproject = (reprojector(self.crs.reproject_from, self.crs.srid)
                           if self.crs.reproject_from is not None else None)

    def constant(self, value: str | None, n: int) -> pa.Array:
        return pa.array([value] * n, pa.string()) if value is not None else pa.nulls(n, pa.string())

    def normalise(self, columns: dict[str, pa.Array], geometry: pa.Array, rows: pa.Array) -> pa.RecordBatch:
        n = len(rows)
        p = self.problems

        def raw(name: str) -> pa.Array | None:
            values = columns.get(name)
            if values is None:
                return None
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            if self.latin1 and pa.types.is_string(values.type):
                values = latin1_to_cp1252(values)
            return values

        def head(name: str) -> str:
            return self.headers.get(name) or name

        ma = raw("ma_xa")
        default_ma = commune_code(self.constant(self.ma_xa, n))
        ma_xa = default_ma if ma is None else pc.coalesce(commune_code(ma), default_ma)
        st = raw("so_to")
        default_to = self.constant(self.so_to, n)
        if self.so_to is not None:
            default_to = whole_number(default_to, rows, "so_to", p)
        if st is None:
            so_to = default_to
        else:
            so_to = pc.coalesce(whole_number(st, rows, head("so_to"), p,
                                             allow_null=self.so_to is not None), default_to)
        so_thua = whole_number(raw("so_thua"), rows, head("so_thua"), p,
                               allow_null=self.allow_null_parcel)
        dt = raw("dien_tich")
        dien_tich = area(dt, rows, head("dien_tich"), p) if dt is not None else pa.nulls(n, pa.float64())
        loai = raw("loai_dat")
        loai_dat = text(loai) if loai is not None else pa.nulls(n, pa.string())
        ten = raw("ten_chu")
        ten_chu = text(ten) if ten is not None else pa.nulls(n, pa.string())

        geom = as_binary(geometry)
        base, zm = wkb_types(geom)
        if not self.seen_polygon and np.isin(base, POLYGONAL).any():
            self.seen_polygon = True
        if self._reproject is not None:
            valid = geom.is_valid()
            geom = self._reproject(geom)
            self.unprojectable += pc.sum(pc.and_(valid, geom.is_null())).as_py() or 0
        elif zm.any():
            geom, failed = force_2d(geom, zm)
            self.not_2d_unreadable += failed
        self.rows_read += n
        return pa.RecordBatch.from_arrays(
            [rows, ma_xa, so_to, so_thua, dien_tich, loai_dat, ten_chu, geom], schema=PARCEL_SCHEMA)

    def finish(self, path: Path, warnings: list[str]) -> None:
        self.problems.raise_if_any(path, BAD_KEYS)
        if self.rows_read == 0:
            raise DeliveryError(path, EMPTY_LAYER)
        if not self.seen_polygon:
            raise DeliveryError(path, NO_POLYGONS)
        if self.unprojectable:
            warnings.append(f"{self.unprojectable} hình không đọc được nên không chuyển hệ tọa độ,"
                            " để trống / geometries that could not be reprojected were left null")
        if self.not_2d_unreadable:
            warnings.append(f"{self.not_2d_unreadable} hình 3D không đọc được, giữ nguyên"
                            " / unreadable 3D geometries kept as stored")


def _open_error(path: Path, exc: Exception) -> DeliveryError:
    return DeliveryError(path, f"không đọc được tệp (hỏng hoặc sai định dạng): {exc}"
                               " / cannot read the file (corrupt?)")


def _gdal_plan(src: MapSource, srid: int | None, ma_xa: str | None, so_to: str | None
               ) -> tuple[ParcelSource, _Plan, list[str], dict]:
    dataset = src.datasets[0]
    try:
        info = pyogrio.read_info(dataset, layer=src.layer, encoding=src.encoding)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise _open_error(src.path, exc) from exc
    fields = [str(f) for f in info["fields"]]
    required = [c for c in MAP_REQUIRED
                if not (c == "ma_xa" and ma_xa is not None) and not (c == "so_to" and so_to is not None)]
    match = require(match_columns(fields, MAP_FIELDS), required, src.path, what="trường")
    warnings = list(src.warnings)
    optional_missing = [c for c in MAP_FIELDS if c not in match.columns and c not in MAP_REQUIRED]
    if optional_missing:
        warnings.append(f"lớp bản đồ không có trường {', '.join(optional_missing)}: để trống"
                        " / optional fields missing, left empty")
    decision = decide_crs(info.get("crs"), srid, src.path, info.get("total_bounds"))
    warnings.extend(decision.warnings or [])
    features = info.get("features")
    features = None if features is None or features < 0 else int(features)
    if features == 0:
        raise DeliveryError(src.path, EMPTY_LAYER)
    meta = ParcelSource(src.path, src.driver, decision.srid, decision.source,
                        src.layer or info.get("layer_name"), features, warnings)
    headers = {c: match.header(c) for c in MAP_FIELDS}
    plan = _Plan(headers, src.encoding == "latin1", ma_xa, so_to, False, decision)
    return meta, plan, [h for h in headers.values() if h], info


def _gdal_batches(src: MapSource, meta: ParcelSource, plan: _Plan, wanted: list[str],
                  batch_size: int) -> Iterator[pa.RecordBatch]:
    row0 = 0
    try:
        with pyogrio.open_arrow(src.datasets[0], layer=src.layer, columns=wanted,
                                batch_size=batch_size, encoding=src.encoding,
                                use_pyarrow=True) as (stream_meta, reader):
            geom_name = stream_meta.get("geometry_name") or "wkb_geometry"
            for batch in reader:
                n = batch.num_rows
                if n == 0:
                    continue
                names = batch.schema.names
                at = names.index(geom_name) if geom_name in names else len(names) - 1
                geometry = batch.column(at)
                columns = {c: batch.column(h) for c, h in plan.headers.items() if h}
                rows = pa.array(np.arange(row0 + 1, row0 + n + 1, dtype=np.int64))
                row0 += n
                failed = len(plan.problems)
                out = plan.normalise(columns, geometry, rows)
                if not failed and not len(plan.problems):
                    yield out
    except (DataSourceError, DataLayerError, FieldError, OSError, pa.ArrowException) as exc:
        raise _open_error(src.path, exc) from exc
    plan.finish(src.path, meta.warnings)


def iter_parcel_batches(
    path: str | Path, *, srid: int | None = None, ma_xa: str | None = None,
    so_to: str | None = None, layer: str | None = None, batch_size: int = 100_000,
) -> tuple[ParcelSource, Iterator[pa.RecordBatch]]:
    """Stream the parcel layer as PARCEL_SCHEMA batches.

    The metadata (zone, warnings) is known before the first batch. Problems in the keys stop the
    stream: the rest of the file is still scanned so that the :class:`DeliveryError` raised at
    the end lists all of them. Warnings found while reading are appended to ``meta.warnings``.
    """
    src = resolve_map(path, layer)
    if src.driver == DGN:
        from datdai.ingest.dgn import dgn_batches

        return dgn_batches(src, srid=srid, ma_xa=ma_xa, so_to=so_to, batch_size=batch_size)
    meta, plan, wanted, _ = _gdal_plan(src, srid, ma_xa, so_to)
    return meta, _gdal_batches(src, meta, plan, wanted, batch_size)


def read_parcels(
    path: str | Path, *, srid: int | None = None, ma_xa: str | None = None,
    so_to: str | None = None, layer: str | None = None,
) -> ParcelLayer:
    """Read the whole parcel layer (see :func:`iter_parcel_batches`)."""
    meta, batches = iter_parcel_batches(path, srid=srid, ma_xa=ma_xa, so_to=so_to, layer=layer,
                                        batch_size=250_000)
    table = pa.Table.from_batches(list(batches), schema=PARCEL_SCHEMA)
    return ParcelLayer(meta.path, meta.driver, meta.srid, meta.crs_source, table, meta.warnings)
