"""OGC API – Features (Part 1 core + GeoJSON, Part 2 CRS) at ``/api/v1/ogc``: the stored parcels
and quality findings as collections QGIS (and any OGC API client: GDAL's OAPIF driver) can add as
layers, behind the API's own authentication.

* ``/api/v1/ogc`` landing page, ``/conformance``, ``/collections``, ``/collections/{id}``,
  ``/collections/{id}/items`` (``limit``, ``offset``, ``bbox``, ``bbox-crs``, ``crs``; ``next`` /
  ``prev`` links), ``/collections/{id}/items/{fid}``; GeoJSON.
* Collections: ``thua_dat`` (parcels) for office staff, ``loi_du_lieu`` (findings) for data staff
  (``can_bo_du_lieu``, ``admin``); their fields are those of the export
  (``exchange/py``, docs/formats/xuat-ban-do.md). A store whose parcels lie in several
  VN-2000 zones has one collection of each per zone (``thua_dat_<srid>``).
* CRS: WGS 84 (``CRS84``, longitude/latitude, the default) and the collection's VN-2000 zone
  (``http://www.opengis.net/def/crs/EPSG/0/<srid>``, the storage CRS; easting, northing) for
  ``crs`` and ``bbox-crs``; the zones without an EPSG code are served in CRS84 only.
* Who: a bearer token or an API key as on the rest of ``/api/v1`` (QGIS: authentication "API
  header" with ``Authorization: Bearer …``); a scoped officer sees the communes of their scope
  only (``auth/visibility.py``); holders' numbers are masked unless the role needs them; every
  page carrying holders or findings is written to the access log with its purpose.

A small route set rather than a generic OGC server (pygeoapi): the authentication, the commune
scope, the masking and the access log are this API's own, per request and per role, and a generic
server's providers see neither the caller nor the log. Refused parameters answer 422 with the
API's error shape (the standard suggests 400).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
import orjson
import pyarrow as pa
import shapely
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pyproj import Transformer

from datdai.access import purposes
from datdai.apps.web.auth import Principal, log_access, require
from datdai.apps.web.routing import ERROR_RESPONSES, MAX_ID, VnRoute, full_numbers, store_of
from datdai.kernel.crs import zone_for_srid
from datdai.kernel.errors import Forbidden, InvalidInput, NotFound
from datdai.land.parcel_rights import STAFF_READERS
from datdai.land.places import visible_parcel_communes
from datdai.reporting.gis_layers import (
    FINDING_FIELDS,
    FINDINGS,
    PARCEL_FIELDS,
    PARCELS,
    Selection,
    count_findings,
    count_parcels,
    finding_by_id,
    finding_page,
    layer_name,
    parcel_by_id,
    parcel_page,
    zone_extent,
    zones,
)

READER = require(*STAFF_READERS)
FINDING_ROLES = frozenset({"can_bo_du_lieu", "admin"})
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
GEOJSON = "application/geo+json"
MAX_LIMIT = 1000
ROOT = "/api/v1/ogc"  # where web/app.py mounts this router (API_PREFIX + the prefix below)
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
TITLES = {PARCELS: "Thửa đất", FINDINGS: "Lỗi dữ liệu (phát hiện kiểm tra chất lượng)"}

router = APIRouter(prefix="/ogc", tags=["OGC API – Features (QGIS)"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


def _json(content: Any, media_type: str = "application/json", headers: dict | None = None) -> Response:
    return Response(orjson.dumps(content), media_type=media_type, headers=headers)


def _base(request: Request) -> str:
    """The OGC API's root URL as the client reached it."""
    return str(request.base_url).rstrip("/") + ROOT


@lru_cache(maxsize=64)
def _to_wgs84(srid: int) -> Transformer:
    return Transformer.from_crs(zone_for_srid(srid).crs_input(), "EPSG:4326", always_xy=True)


@lru_cache(maxsize=64)
def _from_wgs84(srid: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", zone_for_srid(srid).crs_input(), always_xy=True)


def _zone_uri(srid: int) -> str | None:
    zone = zone_for_srid(srid)
    return EPSG_URI.format(srid) if zone.is_epsg else None


# ---------------------------------------------------------------- collections

class Collection:
    """One collection: a kind (parcels or findings) in one zone, as ``principal`` sees it."""

    def __init__(self, kind: str, srid: int, first: bool, communes: list[str] | None, cid: str) -> None:
        self.kind, self.srid, self.id = kind, srid, cid
        self.selection = Selection(communes=communes, srid=srid, unplaced=first)
        self.crs = [CRS84] + ([_zone_uri(srid)] if _zone_uri(srid) else [])

    def describe(self, base: str, conn) -> dict[str, Any]:
        url = f"{base}/collections/{self.id}"
        box = zone_extent(conn, self.selection)
        extent = {}
        if box is not None:
            w, so, e, n = _to_wgs84(self.srid).transform_bounds(*box)
            extent = {"spatial": {"bbox": [[w, so, e, n]], "crs": CRS84}}
        fields = PARCEL_FIELDS if self.kind == PARCELS else FINDING_FIELDS
        zone = zone_for_srid(self.srid)
        return {
            "id": self.id, "title": f"{TITLES[self.kind]} — {zone.name}",
            "description": "Trường: " + "; ".join(f"{n}: {d}" for n, _, d in fields),
            "itemType": "feature", "extent": extent, "crs": self.crs,
            "storageCrs": self.crs[-1],
            "links": [
                {"href": url, "rel": "self", "type": "application/json", "title": TITLES[self.kind]},
                {"href": f"{url}/items", "rel": "items", "type": GEOJSON, "title": "đối tượng / features"},
            ],
        }


def _collections(conn, principal: Principal) -> dict[str, Collection]:
    communes = visible_parcel_communes(conn, principal)
    found = zones(conn, communes) if communes is None or communes else []
    out: dict[str, Collection] = {}
    kinds = [PARCELS] + ([FINDINGS] if principal.role in FINDING_ROLES else [])
    for kind in kinds:
        for k, srid in enumerate(found):
            cid = layer_name(kind, srid, found)
            out[cid] = Collection(kind, srid, k == 0, communes, cid)
    return out


def _collection(conn, principal: Principal, cid: str) -> Collection:
    found = _collections(conn, principal)
    if cid not in found:
        if cid.startswith(FINDINGS) and principal.role not in FINDING_ROLES:
            raise Forbidden("Chỉ cán bộ dữ liệu xem được lỗi dữ liệu / only data staff see the findings")
        raise NotFound(f"Không có lớp '{cid}' (có: {', '.join(found) or 'không có lớp nào'}) / "
                       "no such collection")
    return found[cid]


# ---------------------------------------------------------------- parameters

def _crs_param(value: str | None, coll: Collection, name: str) -> str:
    uri = value or CRS84
    if uri == "CRS84" or uri.rstrip("/") == CRS84:
        return CRS84
    if uri not in coll.crs:
        err = InvalidInput(f"hệ tọa độ '{uri}' không hỗ trợ (hỗ trợ: {', '.join(coll.crs)}) / unsupported CRS")
        err.field = name
        raise err
    return uri


def _bbox_param(text: str | None, crs: str, coll: Collection) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:  # 3D box: keep the plane
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(np.isfinite(values)) or values[0] > values[2] or values[1] > values[3]:
        err = InvalidInput("bbox phải là 4 số minx,miny,maxx,maxy với min ≤ max / bbox must be "
                           "minx,miny,maxx,maxy")
        err.field = "bbox"
        raise err
    if crs == CRS84:
        return tuple(_from_wgs84(coll.srid).transform_bounds(*values))  # type: ignore[return-value]
    return tuple(values)  # type: ignore[return-value]


# ---------------------------------------------------------------- features

def _features(table: pa.Table, coll: Collection, crs: str) -> list[dict[str, Any]]:
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    if crs == CRS84:
        tr = _to_wgs84(coll.srid)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    texts = shapely.to_geojson(geoms)
    key = "id_thua" if coll.kind == PARCELS else "id_loi"
    out = []
    for props, geo in zip(table.drop_columns(["geometry"]).to_pylist(), texts):
        out.append({"type": "Feature", "id": props[key],
                    "geometry": None if geo is None else orjson.Fragment(geo), "properties": props})
    return out


def _page(conn, coll: Collection, principal: Principal, sel: Selection, limit: int, offset: int):
    everyone = full_numbers(principal)
    if coll.kind == PARCELS:
        table, subjects = parcel_page(conn, sel, limit=limit, offset=offset, everyone=everyone)
        return table, subjects, count_parcels(conn, sel)
    table, subjects = finding_page(conn, sel, limit=limit, offset=offset, everyone=everyone)
    return table, subjects, count_findings(conn, sel)


def _log(conn, principal: Principal, coll: Collection, table: pa.Table, subjects: list[str], resource: str):
    carries = bool(subjects) or (coll.kind == FINDINGS and table.num_rows > 0)
    if carries:
        log_access(conn, principal, action="xem bản đồ thửa đất (OGC API)" if coll.kind == PARCELS
                   else "xem lỗi dữ liệu (OGC API)", resource=resource[:500], purpose=purposes.GIS,
                   subjects=subjects)


# ---------------------------------------------------------------- routes

@router.get("", summary="OGC API – Features: trang đầu / landing page",
            description="Trang đầu của OGC API – Features (thêm vào QGIS: Layer → Add Layer → Add WFS / "
            "OGC API - Features Layer, URL này, xác thực \"API header\" `Authorization: Bearer …`).")
def landing(request: Request, principal: Annotated[Principal, Depends(READER)]) -> Response:
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    return _json({
        "title": "datdai — bản đồ thửa đất / land parcels (OGC API – Features)",
        "description": "Thửa đất và lỗi dữ liệu của cơ sở dữ liệu đất đai, theo phạm vi của tài khoản.",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "trang đầu"},
            {"href": f"{root}/openapi.json", "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "OpenAPI"},
            {"href": f"{root}/docs", "rel": "service-doc", "type": "text/html", "title": "tài liệu API"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json"},
        ]})


@router.get("/conformance", summary="OGC API – Features: các lớp phù hợp / conformance")
def conformance(principal: Annotated[Principal, Depends(READER)]) -> Response:
    return _json({"conformsTo": CONFORMANCE})


@router.get("/collections", summary="OGC API – Features: các lớp / collections")
def collections(request: Request, principal: Annotated[Principal, Depends(READER)]) -> Response:
    base = _base(request)
    with store_of(request).read() as conn:
        found = _collections(conn, principal)
        items = [c.describe(base, conn) for c in found.values()]
    crs = sorted({u for c in found.values() for u in c.crs})
    return _json({"links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
                  "collections": items, "crs": crs})


@router.get("/collections/{collection_id}", summary="OGC API – Features: một lớp / one collection")
def collection(request: Request, principal: Annotated[Principal, Depends(READER)],
               collection_id: Annotated[str, Path(max_length=60)]) -> Response:
    with store_of(request).read() as conn:
        return _json(_collection(conn, principal, collection_id).describe(_base(request), conn))


@router.get("/collections/{collection_id}/items", summary="OGC API – Features: các đối tượng / features",
            description="Một trang GeoJSON (`limit`, `offset`; liên kết `next`/`prev`), lọc theo `bbox` "
            "(`bbox-crs`), tọa độ theo `crs` (mặc định CRS84). Có người sử dụng đất hoặc lỗi dữ liệu: ghi "
            "nhật ký truy cập.")
def items(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    collection_id: Annotated[str, Path(max_length=60)],
    limit: Annotated[int, Query(description="số đối tượng tối đa (tối đa 1000)", ge=1, le=MAX_ID)] = 100,
    offset: Annotated[int, Query(description="bỏ qua bao nhiêu đối tượng", ge=0, le=MAX_ID)] = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy", max_length=200)] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="hệ tọa độ của bbox",
                                          max_length=200)] = None,
    crs: Annotated[str | None, Query(description="hệ tọa độ của kết quả", max_length=200)] = None,
) -> Response:
    limit = min(limit, MAX_LIMIT)
    with store_of(request).transaction() as conn:
        coll = _collection(conn, principal, collection_id)
        out_crs = _crs_param(crs, coll, "crs")
        box = _bbox_param(bbox, _crs_param(bbox_crs, coll, "bbox-crs"), coll)
        sel = Selection(communes=coll.selection.communes, srid=coll.srid, bbox=box,
                        unplaced=coll.selection.unplaced and box is None)
        table, subjects, matched = _page(conn, coll, principal, sel, limit, offset)
        _log(conn, principal, coll, table, subjects, f"ogc/collections/{collection_id}/items?{request.url.query}")
    url = request.url
    links = [{"href": str(url), "rel": "self", "type": GEOJSON}]
    if offset + table.num_rows < matched:
        links.append({"href": str(url.include_query_params(offset=offset + limit, limit=limit)), "rel": "next",
                      "type": GEOJSON})
    if offset > 0:
        links.append({"href": str(url.include_query_params(offset=max(offset - limit, 0), limit=limit)),
                      "rel": "prev", "type": GEOJSON})
    body = {"type": "FeatureCollection", "features": _features(table, coll, out_crs),
            "numberMatched": matched, "numberReturned": table.num_rows,
            "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": links}
    return _json(body, GEOJSON, {"Content-Crs": f"<{out_crs}>"})


@router.get("/collections/{collection_id}/items/{feature_id}",
            summary="OGC API – Features: một đối tượng / one feature")
def item(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    collection_id: Annotated[str, Path(max_length=60)],
    feature_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    crs: Annotated[str | None, Query(description="hệ tọa độ của kết quả", max_length=200)] = None,
) -> Response:
    with store_of(request).transaction() as conn:
        coll = _collection(conn, principal, collection_id)
        out_crs = _crs_param(crs, coll, "crs")
        everyone = full_numbers(principal)
        if coll.kind == PARCELS:
            table, subjects = parcel_by_id(conn, coll.selection, feature_id, everyone=everyone)
        else:
            table, subjects = finding_by_id(conn, coll.selection, feature_id, everyone=everyone)
        if table.num_rows == 0:
            raise NotFound(f"Không có đối tượng {feature_id} trong lớp '{collection_id}' / no such feature")
        _log(conn, principal, coll, table, subjects, f"ogc/collections/{collection_id}/items/{feature_id}")
    base = _base(request)
    feature = _features(table, coll, out_crs)[0]
    feature["links"] = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/{collection_id}", "rel": "collection", "type": "application/json"}]
    return _json(feature, GEOJSON, {"Content-Crs": f"<{out_crs}>"})


