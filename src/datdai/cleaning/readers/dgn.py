"""MicroStation DGN v7 map sheets (Famis): closed shapes are parcels, text elements label them.

GDAL's DGN driver gives one layer ``elements``: closed shapes (type 6, complex shape 14) come
as polygons, texts (type 17) as points with ``Text``. Each text is given to the polygon that
contains it (smallest one if nested); its tokens (split on spaces, "/", ";" and new lines) are
read in reading order (top to bottom, left to right):

* a whole number: ``so_thua`` (a second whole number, when there is no decimal one, is the
  area: "12/345" is parcel 12 of 345 m²);
* a decimal number ("345.6", "345,6", optionally followed by "m2"): ``dien_tich``;
* a land-use code ("ODT", "ODT+CLN": ``^[A-Z]{2,4}(\\+[A-Z]{2,4})*$``) that is a known code or
  not a Vietnamese word: ``loai_dat``;
* anything else: ``ten_chu``, joined with spaces.

DGN carries neither the commune nor the sheet number: they come from the arguments or from the
file name (``25195_12.dgn``, ``xa25195_to12.dgn``). Text is 8-bit (TCVN3/VNI bytes): read as
latin-1 and shown as cp1252, for :mod:`datdai.cleaning.readers.text_repair`. No CRS: the configured
zone is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyogrio.raw import read as raw_read

from datdai.cleaning.readers.crs import decide_crs
from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.readers.geometry import POLYGONAL, wkb_types
from datdai.cleaning.readers.parcel_batches import PARCEL_SCHEMA, ParcelPlan, ParcelSource
from datdai.cleaning.readers.sources import MapSource
from datdai.cleaning.readers.values import latin1_to_cp1252
from datdai.kernel.landuse import catalog
from datdai.kernel.legacy import is_vietnamese_syllable

TEXT_TYPES = (17,)
_SHEET_NAME = re.compile(r"(\d{5})\D+(\d{1,5})")
_TOKEN_SPLIT = r"[\s/;]+"
_INT = r"^\d{1,9}$"
_DEC = r"^\d{1,9}[.,]\d+(?:m2|m²)?$|^\d{1,9}(?:m2|m²)$"
_CODE = r"^[A-Z]{2,4}(\+[A-Z]{2,4})*$"


def sheet_keys(name: str, ma_xa: str | None, so_to: str | None, path: Path) -> tuple[str, str]:
    """(ma_xa, so_to) of a sheet: the arguments, else the file name."""
    m = _SHEET_NAME.search(PurePosixPath(name).stem)
    ma = ma_xa if ma_xa is not None else (m.group(1) if m else None)
    to = so_to if so_to is not None else (m.group(2) if m else None)
    if ma is None or to is None:
        raise DeliveryError(
            path, f"không xác định được mã xã/số tờ của tờ bản đồ DGN '{name}': đặt tên tệp "
            "<ma_xa>_<so_to>.dgn (ví dụ 25195_12.dgn) hoặc khai báo ma_xa, so_to"
            " / commune and sheet unknown: name the file <ma_xa>_<so_to>.dgn")
    return ma, to


def _is_code(tokens: list[str]) -> set[str]:
    """Which code-looking tokens are land-use codes (known, or not a Vietnamese word)."""
    cat = catalog()
    out = set()
    for t in tokens:
        parts = t.split("+")
        if all(cat.is_known(p) for p in parts) or (
            len(parts) == 1 and not is_vietnamese_syllable(t)) or len(parts) > 1:
            out.add(t)
    return out


def _first_per_group(groups: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Index (into the token arrays) of the first masked token of each group; -1 if none."""
    first = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if len(idx):
        g, at = np.unique(groups[idx], return_index=True)
        first[g] = idx[at]
    return first


def _labels(polys: np.ndarray, points: np.ndarray, texts: pa.Array) -> tuple[dict[str, pa.Array], int]:
    """Label columns per polygon from the texts inside them; also the count of stray texts."""
    n = len(polys)
    empty = {"so_thua": pa.nulls(n, pa.string()), "dien_tich": pa.nulls(n, pa.string()),
             "loai_dat": pa.nulls(n, pa.string()), "ten_chu": pa.nulls(n, pa.string())}
    if not len(points) or not n:
        return empty, len(points)
    tree = shapely.STRtree(polys)
    try:
        pt, poly = tree.query(points, predicate="within")
    except shapely.errors.GEOSException:  # an invalid polygon: fall back to bounding boxes
        pt, poly = tree.query(points, predicate="intersects")
    if len(pt):  # a text inside nested/overlapping polygons goes to the smallest one
        areas = shapely.area(polys[poly])
        order = np.lexsort((areas, pt))
        pt, poly = pt[order], poly[order]
        keep = np.ones(len(pt), dtype=bool)
        keep[1:] = pt[1:] != pt[:-1]
        pt, poly = pt[keep], poly[keep]
    stray = len(points) - len(pt)
    if not len(pt):
        return empty, stray
    x, y = shapely.get_x(points[pt]), shapely.get_y(points[pt])
    order = np.lexsort((x, -np.round(y, 3), poly))
    pt, poly = pt[order], poly[order]
    lists = pc.split_pattern_regex(texts.take(pa.array(pt)), _TOKEN_SPLIT)
    parent = pc.list_parent_indices(lists).to_numpy()
    tokens = pc.list_flatten(lists)
    keep = pc.match_substring_regex(tokens, r"[\pL\pN]").to_numpy(zero_copy_only=False)
    tokens = tokens.filter(pa.array(keep))
    if not len(tokens):
        return empty, stray
    group = poly[parent[keep]]
    is_int = pc.match_substring_regex(tokens, _INT).to_numpy(zero_copy_only=False)
    is_dec = pc.match_substring_regex(tokens, _DEC).to_numpy(zero_copy_only=False)
    looks_code = pc.match_substring_regex(tokens, _CODE).to_numpy(zero_copy_only=False)
    code_like = pc.unique(tokens.filter(pa.array(looks_code))).to_pylist()
    codes = _is_code(code_like)
    is_code = looks_code & pc.is_in(tokens, pa.array(sorted(codes), pa.string())).to_numpy(
        zero_copy_only=False) if codes else np.zeros(len(tokens), dtype=bool)

    first_int = _first_per_group(group, is_int, n)
    second = is_int.copy()
    second[first_int[first_int >= 0]] = False
    second_int = _first_per_group(group, second, n)
    first_dec = _first_per_group(group, is_dec, n)
    area_at = np.where(first_dec >= 0, first_dec, second_int)
    used = np.zeros(len(tokens), dtype=bool)
    used[first_int[first_int >= 0]] = True
    used[area_at[area_at >= 0]] = True
    used |= is_code

    def pick(at: np.ndarray) -> pa.Array:
        picked = tokens.take(pa.array(np.where(at >= 0, at, 0)))
        return pc.if_else(pa.array(at >= 0), picked, pa.scalar(None, pa.string()))

    dec = pc.replace_substring_regex(pick(area_at), r"m2$|m²$", "")
    out = {"so_thua": pick(first_int), "dien_tich": pc.replace_substring(dec, ",", ".")}
    for name, mask, sep in (("loai_dat", is_code, "+"), ("ten_chu", ~used, " ")):
        idx = np.flatnonzero(mask)
        col: list[str | None] = [None] * n
        if len(idx):
            t = pa.table({"g": pa.array(group[idx]), "t": tokens.take(pa.array(idx))})
            agg = t.group_by("g", use_threads=False).aggregate([("t", "list")])
            joined = pc.binary_join(agg.column("t_list"), sep).to_pylist()
            for g, s in zip(agg.column("g").to_pylist(), joined):
                col[g] = s
        out[name] = pa.array(col, pa.string())
    return out, stray


def _read_sheet(dataset: str, path: Path) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    try:
        _, _, geometry, fields = raw_read(dataset, columns=["Type", "Text"], encoding="latin1")
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise DeliveryError(path, f"không đọc được tệp DGN {PurePosixPath(dataset).name}: {exc}"
                                  " / cannot read the DGN file") from exc
    types = np.asarray(fields[0], dtype=np.int64)
    texts = latin1_to_cp1252(pa.array(fields[1], pa.string()))
    return geometry, types, texts


def dgn_batches(src: MapSource, *, srid: int | None, ma_xa: str | None, so_to: str | None,
                batch_size: int = 100_000) -> tuple[ParcelSource, Iterator[pa.RecordBatch]]:
    decision = decide_crs(None, srid, src.path)
    keys = [sheet_keys(name, ma_xa, so_to, src.path) for name in src.names]
    meta = ParcelSource(src.path, src.driver, decision.srid, decision.source, "elements", None,
                        list(src.warnings) + list(decision.warnings or []))
    plan = ParcelPlan({c: c for c in ("ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu")},
                 False, None, None, True, decision)

    def batches() -> Iterator[pa.RecordBatch]:
        offset = 0
        unlabeled = stray_total = 0
        out: list[pa.RecordBatch] = []
        for dataset, (ma, to) in zip(src.datasets, keys):
            geometry, types, texts = _read_sheet(dataset, src.path)
            wkb = pa.array(geometry, pa.binary())
            base, _ = wkb_types(wkb)
            is_poly = np.isin(base, POLYGONAL)
            is_text = np.isin(types, TEXT_TYPES) & (base == 1) & pc.is_valid(texts).to_numpy(
                zero_copy_only=False)
            poly_idx, text_idx = np.flatnonzero(is_poly), np.flatnonzero(is_text)
            polys = shapely.from_wkb(geometry[poly_idx], on_invalid="ignore")
            points = shapely.from_wkb(geometry[text_idx], on_invalid="ignore")
            labels, stray = _labels(polys, points, texts.take(pa.array(text_idx)))
            stray_total += stray
            unlabeled += int(pc.sum(pc.is_null(labels["so_thua"])).as_py() or 0)
            n = len(poly_idx)
            rows = pa.array(poly_idx + offset + 1, pa.int64())
            offset += len(types)
            columns = {"ma_xa": pa.array([ma] * n, pa.string()), "so_to": pa.array([to] * n, pa.string()),
                       **labels}
            failed = len(plan.problems)
            batch = plan.normalise(columns, wkb.take(pa.array(poly_idx)), rows)
            if n and not failed and not len(plan.problems):
                out.append(batch)
        if unlabeled:
            meta.warnings.append(f"{unlabeled} thửa trên bản đồ DGN không có nhãn số thửa"
                                 " / parcels without a parcel-number label")
        if stray_total:
            meta.warnings.append(f"{stray_total} nhãn chữ không nằm trong thửa nào"
                                 " / text labels outside every parcel")
        plan.rows_read = offset  # elements of any kind: "no polygons" rather than "empty"
        plan.finish(src.path, meta.warnings)
        table = pa.Table.from_batches(out, schema=PARCEL_SCHEMA)
        yield from table.to_batches(max_chunksize=batch_size)

    return meta, batches()
