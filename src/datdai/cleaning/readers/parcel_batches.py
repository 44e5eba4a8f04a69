"""The parcel batches every map reader produces (GDAL formats in :mod:`datdai.cleaning.readers.parcels`,
DGN elements in :mod:`datdai.cleaning.readers.dgn`): their schema, what is known of a layer before its rows
are read, and the plan that turns a reader's raw columns into those batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.readers.crs import CrsDecision, reprojector
from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.geometry import POLYGONAL, as_binary, force_2d, wkb_types
from datdai.cleaning.readers.values import area, commune_code, latin1_to_cp1252, text, whole_number

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
class ParcelPlan:
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
