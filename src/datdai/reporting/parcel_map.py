"""What the parcel map shows — a read model over land, cleaning, matching and dossiers: a
commune's parcels coloured by status, and the parcel panel (register data, owners and rights,
certificates, assets, findings, dossiers, history).

The web page (``apps/web/ui/parcel_map.py``) serves features per commune and bounding box
(``GET /ui/ban-do/du-lieu``): the parcels whose stored bounding box (``parcels.min_x…``, in the zone's metres, indexed with the commune) meets the
box asked for, simplified to about half a screen pixel (``px``: the map's width in pixels), and
transformed from their VN-2000 zone to WGS84 (pyproj) in one vectorised call. The answer is a
compact JSON — per parcel ``[id, so_to, so_thua, status, rings]`` with each ring a flat
list of integers of 1e-7 degree (≈ 1 cm), first vertex absolute then differences — drawn on one canvas by
``static/map.js``. A commune is the largest unit ever sent: the province is never loaded whole.

Status of a parcel: ``reporting/parcel_status.py`` (clean, has findings, in review).

Features carry no personal data (keys and status only); the parcel panel does and is
access-logged like ``GET /api/v1/parcels/{id}``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import orjson
import shapely
from pyproj import Transformer
from sqlalchemy import LargeBinary, func, literal_column, select, type_coerce

from datdai.access.masking import mask_id_numbers, mask_number
from datdai.access.principal import Principal
from datdai.cleaning.findings import Status
from datdai.db import audit
from datdai.db import schema as s
from datdai.dossiers import lifecycle as lc
from datdai.kernel.crs import zone_for_srid
from datdai.kernel.parcel_identifier import parcel_identifier
from datdai.land.parcel_rights import (
    ADDRESS_QUERY,
    RIGHTS_QUERY,
    addresses_out,
    birth_text,
    certificates_and_assets,
    fill_rights,
)
from datdai.reporting.parcel_status import CLEAN, STATUS_LABELS, parcel_statuses

_P = s.parcels


@lru_cache(maxsize=64)
def transformers(srid: int) -> tuple[Transformer, Transformer]:
    """(zone → WGS84, WGS84 → zone) for a VN-2000 zone SRID."""
    crs = zone_for_srid(srid).crs_input()
    return (Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", crs, always_xy=True))


def commune_extent(conn, commune: str) -> list[float] | None:
    """[west, south, east, north] in WGS84 of the commune's parcels, or None without geometry."""
    rows = conn.execute(select(_P.c.srid, func.min(_P.c.min_x), func.min(_P.c.min_y), func.max(_P.c.max_x),
                               func.max(_P.c.max_y))
                        .where(_P.c.commune_code == commune, _P.c.srid.is_not(None), _P.c.min_x.is_not(None))
                        .group_by(_P.c.srid)).all()
    box = None
    for srid, x0, y0, x1, y1 in rows:
        w, so, e, n = transformers(srid)[0].transform_bounds(x0, y0, x1, y1)
        box = [w, so, e, n] if box is None else [min(box[0], w), min(box[1], so), max(box[2], e),
                                                  max(box[3], n)]
    return box


def _geometry_bytes(conn):
    """The geometry column as WKB bytes, decoded later in one vectorised call."""
    if conn.dialect.name == "postgresql":
        return func.ST_AsEWKB(literal_column("parcels.geom"), type_=LargeBinary)
    return type_coerce(_P.c.geom, LargeBinary)


def parcels_geojson(conn, ids: list[int]) -> dict[str, Any]:
    """GeoJSON (WGS84) of the parcels ``ids`` (a citizen's own, on their page), for Leaflet."""
    features = []
    if ids:
        rows = conn.execute(select(_P.c.id, _P.c.sheet_no, _P.c.parcel_no, _P.c.srid,
                                   _geometry_bytes(conn).label("wkb"))
                            .where(_P.c.id.in_(ids), _P.c.geom.is_not(None), _P.c.srid.is_not(None))).all()
        for r in rows:
            geom = shapely.from_wkb(bytes(r.wkb))
            to_wgs = transformers(r.srid)[0]
            geom = shapely.transform(geom, lambda xy, t=to_wgs: _apply(t, xy))
            features.append({"type": "Feature", "geometry": orjson.loads(shapely.to_geojson(geom)),
                             "properties": {"id": r.id, "label": f"Thửa {r.parcel_no}, tờ {r.sheet_no}",
                                            "href": f"/ui/cong-dan/thua-dat/{r.id}"}})
    return {"type": "FeatureCollection", "features": features}


def _apply(transformer, xy):
    lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(coordinates, ring offsets into them, polygon offsets into the rings) of polygons and
    multipolygons, one polygon list per geometry."""
    kinds = set(shapely.get_type_id(geoms).tolist())
    if kinds <= {shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON}:
        _kind, coords, offsets = shapely.to_ragged_array(geoms)
        if len(offsets) == 3:  # multipolygons: rings per part, parts per geometry
            ring_offsets, part_offsets, geom_offsets = offsets
            return coords, ring_offsets, part_offsets[geom_offsets]
        ring_offsets, geom_offsets = offsets
        return coords, ring_offsets, geom_offsets
    # anything else (not expected in the parcels table): its polygonal rings, one list per geometry
    rings, owner = shapely.get_rings(geoms, return_index=True)
    sizes = shapely.get_num_coordinates(rings)
    coords = shapely.get_coordinates(rings)
    ring_offsets = np.concatenate([[0], np.cumsum(sizes)])
    geom_offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(geoms)))])
    return coords, ring_offsets, geom_offsets


def map_features(conn, commune: str, bbox: tuple[float, float, float, float] | None, px: int) -> dict[str, Any]:
    """The parcels of ``commune`` meeting ``bbox`` (WGS84), simplified for a map ``px`` wide.

    Rings are sent as integers of 1e-7 degree (≈ 1 cm): the first vertex absolute, the others as
    differences from the one before — small numbers, a third of the text of plain coordinates."""
    srids = conn.execute(select(_P.c.srid).distinct().where(_P.c.commune_code == commune,
                                                            _P.c.srid.is_not(None))).scalars().all()
    statuses = parcel_statuses(conn, commune)
    items: list[list] = []
    for srid in srids:
        to_wgs, to_zone = transformers(srid)
        q = select(_P.c.id, _P.c.sheet_no, _P.c.parcel_no, _geometry_bytes(conn).label("wkb")).where(
            _P.c.commune_code == commune, _P.c.srid == srid, _P.c.geom.is_not(None))
        if bbox is not None:
            x0, y0, x1, y1 = to_zone.transform_bounds(*bbox)
            q = q.where(_P.c.max_x >= x0, _P.c.min_x <= x1, _P.c.max_y >= y0, _P.c.min_y <= y1)
            width_m = x1 - x0
        else:
            width_m = None
        rows = conn.execute(q.order_by(_P.c.id)).all()
        if not rows:
            continue
        geoms = shapely.from_wkb([bytes(r.wkb) for r in rows])
        if width_m is None:
            b = shapely.total_bounds(geoms)
            width_m = float(b[2] - b[0])
        tolerance = 0.5 * width_m / max(256, px)
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
        empty = shapely.is_empty(simple) | shapely.is_missing(simple)
        simple[empty] = geoms[empty]  # a parcel thinner than the tolerance keeps its shape
        coords, ring_offsets, geom_offsets = _rings(simple)
        lon, lat = to_wgs.transform(coords[:, 0], coords[:, 1])
        q7 = np.round(np.column_stack([lon, lat]) * 1e7).astype(np.int64)
        delta = q7.copy()
        delta[1:] -= q7[:-1]
        starts = ring_offsets[:-1]
        delta[starts[starts < len(q7)]] = q7[starts[starts < len(q7)]]  # each ring starts absolute
        flat = delta.ravel().tolist()
        ring_bounds = (ring_offsets * 2).tolist()
        geom_bounds = geom_offsets.tolist()
        for k, r in enumerate(rows):
            first, last = geom_bounds[k], geom_bounds[k + 1]
            if last > first:
                rings = [flat[ring_bounds[j]:ring_bounds[j + 1]] for j in range(first, last)]
                items.append([r.id, r.sheet_no, r.parcel_no, statuses.get(r.id, CLEAN), rings])
    return {"commune": commune, "count": len(items), "scale": 1e-7, "features": items}


def parcel_count(conn, commune: str) -> int:
    return int(conn.execute(select(func.count()).select_from(_P).where(_P.c.commune_code == commune)).scalar() or 0)


def find_parcel(conn, commune: str, sheet: int | None, number: int | None, parcel_id: int | None):
    """The parcel by id, or by commune, sheet and number: (id, commune, SRID and stored bounds), or None."""
    q = select(_P.c.id, _P.c.commune_code, _P.c.srid, _P.c.min_x, _P.c.min_y, _P.c.max_x, _P.c.max_y)
    if parcel_id is not None:
        q = q.where(_P.c.id == parcel_id)
    elif sheet is not None and number is not None:
        q = q.where(_P.c.commune_code == commune, _P.c.sheet_no == sheet, _P.c.parcel_no == number)
    else:
        return None
    return conn.execute(q.order_by(_P.c.id)).first()


def parcel_row(conn, parcel_id: int):
    """The stored parcel row, or None."""
    return conn.execute(select(_P).where(_P.c.id == parcel_id)).first()


def parcel_details(conn, p, principal: Principal) -> dict[str, Any]:
    """Everything the panel shows about the parcel row ``p`` (from :func:`parcel_row`), personal
    numbers masked unless the role needs them; ``subjects``: whose personal data it holds (for the
    access log the caller writes)."""
    parcel = {"id": p.id, "rights": []}
    subjects = fill_rights([parcel], conn.execute(RIGHTS_QUERY, {"parcel_ids": [p.id]}), principal)
    members = _members(conn, {r["owner"]["party_id"] for r in parcel["rights"]}, principal)
    for r in parcel["rights"]:
        r["owner"]["members"] = members.get(r["owner"]["party_id"], [])
    subjects = sorted(set(subjects) | {m["subject"] for ms in members.values() for m in ms})
    certificates, assets = certificates_and_assets(conn, p.id)
    f = s.findings
    full = principal.needs_full_personal_data()
    findings = []
    for x in conn.execute(select(f).where(f.c.parcel_id == p.id).order_by(f.c.status != Status.OPEN.value, f.c.id)):
        findings.append({"id": x.id, "rule_code": x.rule_code, "severity": x.severity, "status": x.status,
                         "message": x.message if full else mask_id_numbers(x.message)})
    d = s.dossiers
    dossiers = [{"id": x.id, "code": x.code, "service_code": x.service_code, "state": x.state,
                 "state_label": lc.STATE_LABELS[lc.State(x.state)], "due_date": x.due_date}
                for x in conn.execute(select(d.c.id, d.c.code, d.c.service_code, d.c.state, d.c.due_date)
                                      .where(d.c.parcel_id == p.id).order_by(d.c.id.desc()).limit(20))]
    history = []
    for ch in audit.history(conn, "parcels", p.id):
        before, after = ch.before or {}, ch.after or {}
        changed = sorted(k for k in set(before) | set(after)
                         if k not in ("geom",) and before.get(k) != after.get(k)) if ch.action == "update" else []
        history.append({"at": ch.at, "action": ch.action, "actor": ch.actor, "source": ch.source,
                        "reason": ch.reason, "changed": [(k, before.get(k), after.get(k)) for k in changed]})
    statuses = parcel_statuses_of(conn, p)
    addresses = addresses_out(conn.execute(ADDRESS_QUERY, {"parcel_id": p.id}))
    return {"p": p, "rights": parcel["rights"], "subjects": subjects if parcel["rights"] else [],
            "identifier": parcel_identifier(p.identifier, p.commune_code, p.sheet_no, p.parcel_no),
            "addresses": addresses,
            "certificates": certificates, "assets": assets, "findings": findings, "dossiers": dossiers,
            "history": history, "status": statuses, "status_label": STATUS_LABELS[statuses]}


def _members(conn, group_ids: set[int], principal: Principal) -> dict[int, list[dict[str, Any]]]:
    """The members of households, couples and groups among ``group_ids``, with their documents
    (numbers masked unless the role needs them)."""
    if not group_ids:
        return {}
    m, pa, d = s.party_members, s.parties, s.identity_documents
    full = principal.needs_full_personal_data()
    rows = conn.execute(select(m.c.group_id, m.c.share, m.c.role, pa.c.id, pa.c.code, pa.c.full_name, pa.c.birth_date,
                               pa.c.birth_year, pa.c.personal_number, d.c.doc_type, d.c.number)
                        .join(pa, pa.c.id == m.c.member_id).outerjoin(d, d.c.party_id == pa.c.id)
                        .where(m.c.group_id.in_(sorted(group_ids))).order_by(m.c.group_id, m.c.id, d.c.id)).all()
    out: dict[int, list[dict[str, Any]]] = {}
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    for x in rows:
        member = seen.get((x.group_id, x.id))
        if member is None:
            member = seen[(x.group_id, x.id)] = {
                "name": x.full_name, "birth": birth_text(x.birth_date, x.birth_year, full),
                "personal_number": x.personal_number if full else mask_number(x.personal_number),
                "documents": [], "subject": x.personal_number or x.number or x.code}
            out.setdefault(x.group_id, []).append(member)
        if x.number:
            member["documents"].append((x.doc_type, x.number if full else mask_number(x.number)))
    return out


def parcel_statuses_of(conn, p) -> int:
    return parcel_statuses(conn, p.commune_code, p.id).get(p.id, CLEAN)
