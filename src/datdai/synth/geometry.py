"""Map sheets tiled by parcels that share their edges exactly.

A sheet is a stack of *blocks* separated by road strips. A block is a grid of lots with its
own column widths; every grid vertex is jittered once and the jittered coordinates are shared
by all the parcels meeting there, so neighbours share edges exactly: no gaps, no overlaps.
Some lots are merged with a neighbour (a wider lot) or with two (an L-shape). A road is a
parcel whose ring follows the top line of the block below and the bottom line of the block
above. Quads are built with one vectorised ``shapely.polygons`` call per block.

Sheets of a commune are packed in rows around the commune's real position projected into
the province's TM-3 zone; communes are pushed apart until their footprints do not meet, so
no two parcels of the province overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely


@dataclass(frozen=True, slots=True)
class SheetKind:
    name: str
    scales: tuple[int, ...]  # map scale denominators to pick from
    lot_w: tuple[float, float]  # lot frontage, m
    lot_d: tuple[float, float]  # lot depth, m
    rows: tuple[int, int]  # rows of lots per block
    road_w: tuple[float, float] | None  # road strip width between blocks, m
    cols: tuple[int, int]  # lots across the sheet
    pair_p: float  # share of lots merged with the right neighbour
    l_p: float  # share of lots merged into an L with the right and upper neighbours
    target: tuple[int, int]  # parcels per sheet


SHEET_KINDS: dict[str, SheetKind] = {
    # urban wards: 1:500, narrow deep lots back to back between streets
    "urban": SheetKind("urban", (500,), (4.5, 9.0), (14.0, 26.0), (2, 2), (5.0, 10.0),
                       (14, 24), 0.05, 0.01, (150, 260)),
    # towns and ward outskirts: 1:1000
    "town": SheetKind("town", (1000,), (6.0, 14.0), (16.0, 32.0), (2, 2), (6.0, 12.0),
                      (10, 18), 0.05, 0.02, (120, 220)),
    # rural residential areas: 1:1000, house and garden lots along hamlet roads
    "village": SheetKind("village", (1000,), (12.0, 30.0), (25.0, 50.0), (2, 2), (5.0, 8.0),
                         (8, 14), 0.05, 0.03, (100, 200)),
    # fields and perennial crops: 1:2000
    "farm": SheetKind("farm", (2000,), (20.0, 55.0), (30.0, 85.0), (3, 5), (4.0, 6.0),
                      (6, 12), 0.06, 0.04, (120, 240)),
    # plantation and forest: 1:5000 and 1:10000
    "forest5": SheetKind("forest5", (5000,), (80.0, 200.0), (100.0, 280.0), (4, 6), (8.0, 12.0),
                         (5, 9), 0.05, 0.03, (60, 120)),
    "forest10": SheetKind("forest10", (10000,), (150.0, 280.0), (200.0, 330.0), (5, 8), None,
                          (4, 7), 0.04, 0.02, (40, 90)),
}


@dataclass(slots=True)
class SheetGeometry:
    kind: SheetKind
    scale: int
    geoms: np.ndarray  # shapely polygons, numbered order (parcel number = index + 1)
    is_road: np.ndarray  # bool
    corners: np.ndarray  # int: 4 for a plain lot, more for merged lots and roads
    width: float
    height: float


def _jitter(kind: SheetKind) -> float:
    j = 0.08 * min(kind.lot_w[0], kind.lot_d[0])
    if kind.road_w is not None:
        j = min(j, 0.2 * kind.road_w[0])
    return j


def build_sheet(rng: np.random.Generator, kind: SheetKind, target: int) -> SheetGeometry:
    """One map sheet with exactly ``target`` parcels, in local coordinates from (0, 0)."""
    scale = int(kind.scales[int(rng.integers(len(kind.scales)))])
    ncols = int(rng.integers(kind.cols[0], kind.cols[1] + 1))
    width = ncols * (kind.lot_w[0] + kind.lot_w[1]) / 2.0
    jit = _jitter(kind)

    geoms: list[np.ndarray] = []  # object arrays of polygons, one per piece
    bands: list[np.ndarray] = []
    xs_key: list[np.ndarray] = []
    roads: list[np.ndarray] = []
    corners: list[np.ndarray] = []

    y0 = 0.0
    count = 0
    block = 0
    prev_top: np.ndarray | None = None  # top vertex line of the previous block
    ncol = 0
    widths = np.zeros(0)
    while count < target:
        road_y = 0.0
        if prev_top is not None and kind.road_w is not None:
            road_y = float(rng.uniform(*kind.road_w))
        rows = int(rng.integers(kind.rows[0], kind.rows[1] + 1))
        if prev_top is None or kind.road_w is not None:
            # each block between roads has its own lot frontages
            ncol = max(2, int(round(width / rng.uniform(*kind.lot_w))))
            widths = rng.uniform(*kind.lot_w, size=ncol)
            widths *= width / widths.sum()
        # else: no road, the block continues the one below with the same columns
        depths = rng.uniform(*kind.lot_d, size=rows)
        xs = np.concatenate([[0.0], np.cumsum(widths)])
        ys = y0 + road_y + np.concatenate([[0.0], np.cumsum(depths)])
        V = np.empty((rows + 1, ncol + 1, 2))
        V[:, :, 0] = xs[None, :]
        V[:, :, 1] = ys[:, None]
        V += rng.uniform(-jit, jit, size=V.shape)
        if prev_top is not None and kind.road_w is not None:
            # road: along the top of the block below, back along the bottom of this block
            ring = np.concatenate([prev_top, V[0, ::-1], prev_top[:1]])
            geoms.append(np.array([shapely.polygons(ring)], dtype=object))
            bands.append(np.array([(block - 1) * 1000 + 500]))
            xs_key.append(np.array([width / 2.0]))
            roads.append(np.array([True]))
            corners.append(np.array([len(ring) - 1]))
            count += 1
        elif prev_top is not None:
            # no road: the new block sits on the old one; reuse its top line as our bottom
            V[0] = prev_top
        g, band, xk, nc = _block_cells(rng, kind, V, block)
        geoms.append(g)
        bands.append(band)
        xs_key.append(xk)
        roads.append(np.zeros(len(g), dtype=bool))
        corners.append(nc)
        count += len(g)
        prev_top = V[rows]
        y0 = float(ys[-1])
        block += 1

    g = np.concatenate(geoms)
    band = np.concatenate(bands)
    xk = np.concatenate(xs_key)
    order = np.lexsort((xk, -band))[:target]  # numbering: top to bottom, left to right
    return SheetGeometry(
        kind=kind, scale=scale, geoms=g[order], is_road=np.concatenate(roads)[order],
        corners=np.concatenate(corners)[order], width=width, height=y0 + jit,
    )


def _block_cells(
    rng: np.random.Generator, kind: SheetKind, V: np.ndarray, block: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows, ncol = V.shape[0] - 1, V.shape[1] - 1
    used = np.zeros((rows, ncol), dtype=bool)
    u = rng.random((rows, ncol))
    special: list[np.ndarray] = []  # rings (open) of merged lots
    special_band: list[int] = []
    for r in range(rows):
        for c in range(ncol):
            if used[r, c]:
                continue
            p = u[r, c]
            if (p < kind.l_p and r + 1 < rows and c + 1 < ncol
                    and not used[r, c + 1] and not used[r + 1, c]):
                ids = [(r, c), (r, c + 1), (r, c + 2), (r + 1, c + 2), (r + 1, c + 1),
                       (r + 2, c + 1), (r + 2, c), (r + 1, c)]
                used[r, c] = used[r, c + 1] = used[r + 1, c] = True
                special_band.append(r + 1)
            elif p < kind.l_p + kind.pair_p and c + 1 < ncol and not used[r, c + 1]:
                ids = [(r, c), (r, c + 1), (r, c + 2), (r + 1, c + 2), (r + 1, c + 1), (r + 1, c)]
                used[r, c] = used[r, c + 1] = True
                special_band.append(r)
            else:
                continue
            special.append(np.array([V[i, j] for i, j in ids]))
    rr, cc = np.nonzero(~used)
    quads = np.stack([V[rr, cc], V[rr, cc + 1], V[rr + 1, cc + 1], V[rr + 1, cc], V[rr, cc]],
                     axis=1)
    quad_geoms = shapely.polygons(quads)
    n_sp = len(special)
    sp_geoms = np.empty(n_sp, dtype=object)
    sp_x = np.empty(n_sp)
    sp_n = np.empty(n_sp, dtype=np.int64)
    for i, ring in enumerate(special):
        sp_geoms[i] = shapely.polygons(np.concatenate([ring, ring[:1]]))
        sp_x[i] = ring[:, 0].mean()
        sp_n[i] = len(ring)
    geoms = np.concatenate([quad_geoms, sp_geoms])
    band = np.concatenate([rr, np.array(special_band, dtype=np.int64)]) + block * 1000
    xk = np.concatenate([quads[:, :4, 0].mean(axis=1), sp_x])
    nc = np.concatenate([np.full(len(rr), 4, dtype=np.int64), sp_n])
    return geoms, band, xk, nc


def pack_sheets(sizes: list[tuple[float, float]], gap: float) -> tuple[np.ndarray, float, float]:
    """Place sheets (width, height) in rows; returns offsets (n, 2) and the total extent."""
    total = sum(w * h for w, h in sizes)
    row_limit = max(max(w for w, _ in sizes), np.sqrt(total) * 1.3)
    offsets = np.zeros((len(sizes), 2))
    x = y = row_h = 0.0
    extent_w = 0.0
    for i, (w, h) in enumerate(sizes):
        if x > 0 and x + w > row_limit:
            y += row_h + gap
            x = row_h = 0.0
        offsets[i] = (x, y)
        x += w + gap
        row_h = max(row_h, h)
        extent_w = max(extent_w, x - gap)
    return offsets, extent_w, y + row_h


def place_boxes(
    centers: np.ndarray, sizes: np.ndarray, margin: float
) -> np.ndarray:
    """Lower-left corners for boxes of ``sizes`` centred near ``centers``, none overlapping.

    Greedy, in the given order: a box that meets an already placed one is pushed away from
    the centroid of all centres, step by step, until it is free.
    """
    placed: list[tuple[float, float, float, float]] = []
    out = np.zeros_like(centers)
    mid = centers.mean(axis=0)
    for i, ((cx, cy), (w, h)) in enumerate(zip(centers, sizes)):
        d = np.array([cx, cy]) - mid
        norm = float(np.hypot(*d))
        direction = d / norm if norm > 1e-6 else np.array([np.cos(i * 2.4), np.sin(i * 2.4)])
        step = 0.25 * max(w, h) + margin
        x0, y0 = cx - w / 2, cy - h / 2
        for _ in range(10000):
            box = (x0 - margin, y0 - margin, x0 + w + margin, y0 + h + margin)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in placed):
                break
            x0 += direction[0] * step
            y0 += direction[1] * step
        placed.append((x0, y0, x0 + w, y0 + h))
        out[i] = (x0, y0)
    return out


def translate(geoms: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Move each geometry by its own (dx, dy), vectorised."""
    counts = shapely.get_num_coordinates(geoms)
    shift = np.repeat(offsets, counts, axis=0)
    return shapely.transform(geoms, lambda coords: coords + shift)


def round_mm(geoms):
    """Coordinates rounded to the millimetre, as cadastral software stores them. Equal
    coordinates stay equal, so shared vertices stay shared. (Not ``set_precision``: that would
    attach a precision grid to the geometries and change the results of later overlays.)"""
    return shapely.transform(geoms, lambda coords: np.round(coords, 3))
