"""WKB columns as read: geometry types from the headers (numpy on the buffers), 2D forcing."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

POLYGONAL = (3, 6, 10, 12)  # Polygon, MultiPolygon, CurvePolygon, MultiSurface
GEOMETRY_NAMES = {
    0: "rỗng/null", 1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint",
    5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection", 8: "CircularString",
    9: "CompoundCurve", 10: "CurvePolygon", 11: "MultiCurve", 12: "MultiSurface",
}  # fmt: skip


def as_binary(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A WKB column as a plain ``binary`` array (no geoarrow extension, no large offsets)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values.type, pa.ExtensionType):
        values = values.storage
    if values.type != pa.binary():
        values = values.cast(pa.binary())
    return values


def wkb_types(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(base geometry type code per row, True where the geometry has Z or M); 0 for null."""
    n = len(values)
    base = np.zeros(n, dtype=np.int64)
    zm = np.zeros(n, dtype=bool)
    if n == 0:
        return base, zm
    bufs = values.buffers()
    if bufs[2] is None:
        return base, zm
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[values.offset : values.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8)
    start = offsets[:-1].astype(np.int64)
    ok = (offsets[1:] - offsets[:-1]) >= 5
    if values.null_count:
        ok &= values.is_valid().to_numpy(zero_copy_only=False)
    s = start[ok]
    b = [data[s + i].astype(np.uint32) for i in range(1, 5)]
    little = data[s] == 1
    code = np.where(little, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24,
                    b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24)
    flags = code & np.uint32(0xE0000000)  # EWKB Z / M / SRID flags
    iso = (code & np.uint32(0x0FFFFFFF)).astype(np.int64)
    base[ok] = iso % 1000
    zm[ok] = (iso >= 1000) | ((flags & np.uint32(0xC0000000)) != 0)
    return base, zm


def force_2d(values: pa.Array, zm: np.ndarray) -> tuple[pa.Array, int]:
    """Drop Z/M of the rows flagged ``zm``; returns (WKB array, rows that could not be read)."""
    idx = np.flatnonzero(zm)
    if not len(idx):
        return values, 0
    raw = values.take(pa.array(idx)).to_numpy(zero_copy_only=False)
    geoms = shapely.from_wkb(raw, on_invalid="ignore")
    out = shapely.to_wkb(geoms, output_dimension=2, flavor="iso")
    failed = np.flatnonzero(shapely.is_missing(geoms))
    out = np.asarray(out, dtype=object)
    out[failed] = raw[failed]  # keep what could not be parsed as it is: the rules report it
    mask = np.zeros(len(values), dtype=bool)
    mask[idx] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(out, pa.binary())), len(failed)
