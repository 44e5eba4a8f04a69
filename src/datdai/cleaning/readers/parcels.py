"""The parcel map layer of a delivery (``thua_dat``): GeoPackage, Shapefile, GeoJSON or DGN.

Read through GDAL's Arrow stream (pyogrio), normalised with Arrow compute. Geometries are kept
as stored (2D ISO WKB): invalid, empty, non-polygon or null geometries are not dropped or
repaired, the quality rules report them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError, FieldError

from datdai.cleaning.readers.columns import MAP_FIELDS, MAP_REQUIRED, match_columns, require
from datdai.cleaning.readers.crs import decide_crs
from datdai.cleaning.readers.dgn import dgn_batches
from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.readers.parcel_batches import (
    EMPTY_LAYER,
    PARCEL_SCHEMA,
    ParcelLayer,
    ParcelPlan,
    ParcelSource,
)
from datdai.cleaning.readers.sources import DGN, MapSource, resolve_map


def _open_error(path: Path, exc: Exception) -> DeliveryError:
    return DeliveryError(path, f"không đọc được tệp (hỏng hoặc sai định dạng): {exc}"
                               " / cannot read the file (corrupt?)")


def _gdal_plan(src: MapSource, srid: int | None, ma_xa: str | None, so_to: str | None
               ) -> tuple[ParcelSource, ParcelPlan, list[str], dict]:
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
    plan = ParcelPlan(headers, src.encoding == "latin1", ma_xa, so_to, False, decision)
    return meta, plan, [h for h in headers.values() if h], info


def _gdal_batches(src: MapSource, meta: ParcelSource, plan: ParcelPlan, wanted: list[str],
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
