"""MicroStation DGN v7 map sheets (Famis): closed shapes and boundary lines are parcels, text
elements label them.

GDAL's DGN driver gives one layer ``elements``: closed shapes (type 6, complex shape 14) come
as polygons, lines and line strings (types 3, 4, complex chains 12) as line strings, texts (type
17) as points with ``Text``. Many sheets draw parcel boundaries as lines: the lines of a sheet are
snapped to a 1 mm grid, noded where they cross and polygonized (shapely), and each face becomes
a parcel (a face inside a closed shape is that shape drawn again, and dropped); its ``row`` is
the element number of its first label text, else of the first line on its boundary. The lines
that bound no face are reported with where they are: dangling lines (a free end: an unclosed
boundary, an undershoot or overshoot), cut edges (faces on neither side) and rings that do not
close properly.

Each text is given to the polygon that contains it (smallest one if nested); its tokens (split
on spaces, "/", ";" and new lines) are read in reading order (top to bottom, left to right):

* a whole number: ``so_thua`` (a second whole number, when there is no decimal one, is the
  area: "12/345" is parcel 12 of 345 m²);
* a decimal number ("345.6", "345,6", optionally followed by "m2"): ``dien_tich``;
* a land-use code ("ODT", "ODT+CLN": ``^[A-Z]{2,4}(\\+[A-Z]{2,4})*$``) that is a known code or
  not a Vietnamese word: ``loai_dat``;
* anything else: ``ten_chu``, joined with spaces.

A polygon without a parcel number, or with more parcel numbers than the convention explains (a
third whole number, or a second one beside a decimal area), is reported too. Each problem is a
warning (per sheet and kind, naming elements and places) and a row of the source's ``issues``
(``MAP_ISSUE_SCHEMA``), which the ``MAP_TOPOLOGY`` rule turns into findings.

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
LINEAR = (2, 5)  # LineString, MultiLineString
GRID = 0.001  # m: line ends closer than this meet
SHOWN = 10  # places named per kind of problem in a warning
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


def _labels(polys: np.ndarray, points: np.ndarray, texts: pa.Array
            ) -> tuple[dict[str, pa.Array], int, np.ndarray, np.ndarray]:
    """Label columns per polygon from the texts inside them; also the count of stray texts and,
    per polygon, whether it carries more parcel numbers than one label explains and its first
    text in reading order (index into ``points``, -1 if none)."""
    n = len(polys)
    empty = {"so_thua": pa.nulls(n, pa.string()), "dien_tich": pa.nulls(n, pa.string()),
             "loai_dat": pa.nulls(n, pa.string()), "ten_chu": pa.nulls(n, pa.string())}
    several = np.zeros(n, dtype=bool)
    first_pt = np.full(n, -1, dtype=np.int64)
    if not len(points) or not n:
        return empty, len(points), several, first_pt
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
        return empty, stray, several, first_pt
    x, y = shapely.get_x(points[pt]), shapely.get_y(points[pt])
    order = np.lexsort((x, -np.round(y, 3), poly))
    pt, poly = pt[order], poly[order]
    g, at = np.unique(poly, return_index=True)
    first_pt[g] = pt[at]
    lists = pc.split_pattern_regex(texts.take(pa.array(pt)), _TOKEN_SPLIT)
    parent = pc.list_parent_indices(lists).to_numpy()
    tokens = pc.list_flatten(lists)
    keep = pc.match_substring_regex(tokens, r"[\pL\pN]").to_numpy(zero_copy_only=False)
    tokens = tokens.filter(pa.array(keep))
    if not len(tokens):
        return empty, stray, several, first_pt
    group = poly[parent[keep]]
    is_int = pc.match_substring_regex(tokens, _INT).to_numpy(zero_copy_only=False)
    is_dec = pc.match_substring_regex(tokens, _DEC).to_numpy(zero_copy_only=False)
    looks_code = pc.match_substring_regex(tokens, _CODE).to_numpy(zero_copy_only=False)
    code_like = pc.unique(tokens.filter(pa.array(looks_code))).to_pylist()
    codes = _is_code(code_like)
    is_code = looks_code & pc.is_in(tokens, pa.array(sorted(codes), pa.string())).to_numpy(
        zero_copy_only=False) if codes else np.zeros(len(tokens), dtype=bool)

    ints = np.bincount(group[is_int], minlength=n)
    decs = np.bincount(group[is_dec], minlength=n)
    several = ints > np.where(decs > 0, 1, 2)  # "12/345" is one label; "12 345.6 13" is not
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
    return out, stray, several, first_pt


def _points(geoms) -> list[str]:
    """"x, y" of a point on each geometry."""
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms)) if len(geoms) else []
    return [f"{x:.2f}, {y:.2f}" for x, y in pts]


def _where(geoms) -> str:
    """Where some geometries are, for a message: "(x, y)" of a point of each, the first few."""
    shown = ", ".join(f"({p})" for p in _points(geoms[:SHOWN]))
    return shown + (f" … (+{len(geoms) - SHOWN})" if len(geoms) > SHOWN else "")


LINE_PROBLEMS = (
    ("TREO", "đường ranh giới treo, không khép kín (đầu mút tự do) / dangling lines"),
    ("CAT", "đường ranh giới không bao thửa nào (cạnh cắt) / cut edges"),
    ("VONG", "vòng ranh giới không hợp lệ / invalid rings"),
)


def _first_line(geoms: np.ndarray, lines: np.ndarray, idx: np.ndarray,
                predicate: str = "intersects") -> np.ndarray:
    """Index into the sheet's lines of the first of ``lines[idx]`` meeting each geometry by
    ``predicate`` (-1 if none)."""
    first = np.full(len(geoms), -1, dtype=np.int64)
    if len(geoms):
        g, line = shapely.STRtree(lines[idx]).query(geoms, predicate=predicate)
        order = np.lexsort((line, g))
        g, line = g[order], line[order]
        starts = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, dtype=bool)
        first[g[starts]] = idx[line[starts]]
    return first


def _report(meta: ParcelSource, sheet: tuple[str, str, str], kind: str, what: str, geoms: np.ndarray,
            elements: np.ndarray, numbers: list | None = None) -> None:
    """One warning for ``geoms`` (a kind of problem on a sheet) and an issue row for each."""
    name, ma, to = sheet
    meta.warnings.append(f"{name}: {len(geoms)} {what}: phần tử / elements "
                         f"{', '.join(str(x) for x in elements[:SHOWN])}"
                         f"{' …' if len(elements) > SHOWN else ''}, tại / at {_where(geoms)}")
    for k, (row, at) in enumerate(zip(elements.tolist(), _points(geoms))):
        meta.issues.append({"ma_xa": ma, "so_to": to, "so_thua": None if numbers is None else numbers[k],
                            "dong": row, "loai": kind, "mo_ta": what.split(" / ")[0], "vi_tri": at})


def polygonize_lines(lines: np.ndarray, shapes: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, np.ndarray, np.ndarray]]]:
    """Faces of boundary ``lines`` (snapped, noded, polygonized) not already drawn as one of the
    closed ``shapes``: (faces, index into ``lines`` of the first line on each face's boundary,
    the lines that bound no face as (kind, text, geometries, index of a line of each))."""
    lines = shapely.set_precision(lines, GRID)
    valid = ~(shapely.is_empty(lines) | shapely.is_missing(lines))
    idx = np.flatnonzero(valid)
    if not len(idx):
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64), []
    noded = shapely.node(shapely.multilinestrings(shapely.get_parts(lines[idx])))
    faces, cuts, dangles, invalid = shapely.polygonize_full(shapely.get_parts(noded))
    faces = shapely.get_parts(faces)
    faces = faces[shapely.area(faces) > GRID * GRID]
    if len(faces) and len(shapes):
        inside = shapely.STRtree(shapes).query(shapely.point_on_surface(faces), predicate="within")[0]
        faces = np.delete(faces, np.unique(inside))
    first = np.maximum(_first_line(shapely.boundary(faces), lines, idx), idx[0])
    problems = []
    for parts, (kind, what) in zip((dangles, cuts, invalid), LINE_PROBLEMS):
        parts = shapely.get_parts(parts)
        if len(parts):
            # the line a piece was cut from (covers it), else one it touches
            at = _first_line(parts, lines, idx, "covered_by")
            at = np.where(at >= 0, at, np.maximum(_first_line(parts, lines, idx), idx[0]))
            problems.append((kind, what, parts, at))
    return faces, first, problems


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
        stray_total = 0
        out: list[pa.RecordBatch] = []
        for dataset, (ma, to) in zip(src.datasets, keys):
            geometry, types, texts = _read_sheet(dataset, src.path)
            wkb = pa.array(geometry, pa.binary())
            base, _ = wkb_types(wkb)
            is_poly = np.isin(base, POLYGONAL)
            is_text = np.isin(types, TEXT_TYPES) & (base == 1) & pc.is_valid(texts).to_numpy(
                zero_copy_only=False)
            poly_idx, text_idx = np.flatnonzero(is_poly), np.flatnonzero(is_text)
            line_idx = np.flatnonzero(np.isin(base, LINEAR))
            polys = shapely.from_wkb(geometry[poly_idx], on_invalid="ignore")
            element = poly_idx
            name = PurePosixPath(dataset).name
            sheet = (name, ma, to)
            if len(line_idx):
                faces, first, problems = polygonize_lines(
                    shapely.from_wkb(geometry[line_idx], on_invalid="ignore"), polys)
                for kind, what, geoms, at in problems:
                    _report(meta, sheet, kind, what, geoms, line_idx[at] + offset + 1)
                polys = np.concatenate([polys, faces])
                element = np.concatenate([poly_idx, line_idx[first]])
            points = shapely.from_wkb(geometry[text_idx], on_invalid="ignore")
            labels, stray, several, first_pt = _labels(polys, points, texts.take(pa.array(text_idx)))
            # a face's element: its label's text, else the first line on its boundary
            face = np.arange(len(polys)) >= len(poly_idx)
            element = np.where(face & (first_pt >= 0), text_idx[np.maximum(first_pt, 0)], element)
            stray_total += stray
            missing = pc.is_null(labels["so_thua"]).to_numpy(zero_copy_only=False)
            for mask, kind, what in (
                    (missing, "KHONG_NHAN", "thửa không có nhãn số thửa / polygons without a parcel number"),
                    (several, "NHIEU_NHAN", "thửa có nhiều nhãn số thửa / polygons with several parcel "
                                            "numbers")):
                if mask.any():
                    _report(meta, sheet, kind, what, polys[mask], element[mask] + offset + 1,
                            labels["so_thua"].filter(pa.array(mask)).to_pylist())
            n = len(polys)
            rows = pa.array(element + offset + 1, pa.int64())
            offset += len(types)
            columns = {"ma_xa": pa.array([ma] * n, pa.string()), "so_to": pa.array([to] * n, pa.string()),
                       **labels}
            failed = len(plan.problems)
            geoms = pa.array(shapely.to_wkb(polys, flavor="iso"), pa.binary()) if len(line_idx) \
                else wkb.take(pa.array(poly_idx))
            batch = plan.normalise(columns, geoms, rows)
            if n and not failed and not len(plan.problems):
                out.append(batch)
        if stray_total:
            meta.warnings.append(f"{stray_total} nhãn chữ không nằm trong thửa nào"
                                 " / text labels outside every parcel")
        plan.rows_read = offset  # elements of any kind: "no polygons" rather than "empty"
        plan.finish(src.path, meta.warnings)
        table = pa.Table.from_batches(out, schema=PARCEL_SCHEMA)
        yield from table.to_batches(max_chunksize=batch_size)

    return meta, batches()
