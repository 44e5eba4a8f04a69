"""Parcels over HTTP: GET /api/v1/parcels, GET /parcels/{id}, GET /parcels/{id}/history.

Who: office staff (admin, can_bo_du_lieu, mot_cua, lanh_dao, kiem_toan) within their communes, and
citizens (cong_dan) for the parcels they hold a right on, directly or as a member of a household,
couple or group (``store/ownership.py``; the same definition as C06's ``land-by-citizen``). A
parcel comes with the rights on its holding(s) and their holders, a group holder (household,
couple) with its members; holders' personal numbers and document numbers are masked and birth
dates shown as a year unless the role needs them (``Principal.needs_full_personal_data``) — a
citizen sees their own in full, their co-holders' masked. Every response carrying holders is
access-logged.

The lookup by key (``ma_xa`` + ``so_to`` + ``so_thua``) is a load-benchmark target, so a page
costs one statement on the event loop (``db/fast_reads.py``): the parcels (index on commune, sheet,
parcel; geometry not read) left-joined to their rights, holders and holders' documents (index on
``holding_parcels.parcel_id``); then the access-log row (group commit, ``access/access_writer.py``).
The plain request is served by a hot route (``web/hot_routes.py``) running the same code. The page
has no total count (that would be another query): ``has_more`` tells whether another page follows.
Other searches (bounding box, partial keys) run on a database thread; they read only the columns
the API returns (not the geometry).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from datdai.access import purposes
from datdai.access.masking import mask_id_numbers, mask_name
from datdai.access.roles import CITIZEN
from datdai.access.users import as_utc
from datdai.access.visibility import scope_clause
from datdai.apps.web.auth import Principal, log_access, require, require_commune
from datdai.apps.web.dbwork import run_db
from datdai.apps.web.fast import json_response, log_read, reader_of
from datdai.apps.web.hot_routes import HotRoute, plain_int, query_params
from datdai.apps.web.routing import ERROR_RESPONSES, MAX_ID, VnRoute, full_numbers, store_of
from datdai.db import audit
from datdai.db import schema as s
from datdai.db.fast_reads import as_float
from datdai.dossiers.errors import InvalidInput, NotFound
from datdai.kernel.parcel_identifier import parcel_identifier
from datdai.land.ownership import citizen_parcel_ids, number_param
from datdai.land.parcel_rights import (
    ADDRESS_READ,
    ID_READ,
    KEY_READ,
    OWNED,
    OWNED_READ,
    PARCEL_COLUMNS,
    RIGHTS_READ,
    STAFF_READERS,
    addresses_out,
    attach_rights,
    fill_rights,
)

PURPOSE = purposes.PARCELS
_P = s.parcels
READER = require(*STAFF_READERS, CITIZEN)

router = APIRouter(prefix="/parcels", tags=["thửa đất / parcels"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


# ---------------------------------------------------------------- models

class DocumentOut(BaseModel):
    doc_type: str | None = Field(description="loại giấy tờ: CCCD, CMND, HC (hộ chiếu), GPKD, KHAC")
    number: str = Field(description="số giấy tờ (che bớt nếu vai trò không cần đầy đủ)")


class MemberOut(BaseModel):
    party_id: int = Field(description="mã nội bộ của thành viên")
    code: str = Field(description="mã người (thành viên) trong dữ liệu")
    full_name: str = Field(description="họ tên thành viên")
    gender: str | None = Field(description="giới tính")
    birth: str | None = Field(description="ngày sinh dd/mm/yyyy (chỉ năm sinh nếu vai trò không cần đầy đủ)")
    personal_number: str | None = Field(description="số định danh cá nhân (che bớt nếu vai trò không cần đầy đủ)")
    role: str | None = Field(description="vai trò trong hộ, nhóm: chu_ho (chủ hộ), vo, chong, con, thanh_vien…")
    share: float | None = Field(description="phần quyền của thành viên (0–1), nếu có")


class OwnerOut(BaseModel):
    party_id: int = Field(description="mã nội bộ của người sử dụng đất")
    code: str = Field(description="mã người sử dụng đất trong dữ liệu")
    kind: str = Field(description="loại: CA_NHAN, HO_GIA_DINH, TO_CHUC, NHOM, VO_CHONG")
    full_name: str = Field(description="họ tên / tên tổ chức")
    gender: str | None = Field(description="giới tính")
    birth: str | None = Field(description="ngày sinh dd/mm/yyyy (chỉ năm sinh nếu vai trò không cần đầy đủ)")
    personal_number: str | None = Field(description="số định danh cá nhân (che bớt nếu vai trò không cần đầy đủ)")
    documents: list[DocumentOut] = Field(description="giấy tờ nhân thân / pháp nhân")
    address: str | None = Field(description="địa chỉ")
    members: list[MemberOut] = Field(description="thành viên của hộ gia đình, vợ chồng, nhóm người sử dụng đất "
                                     "(trống với cá nhân, tổ chức)")


class RightOut(BaseModel):
    code: str = Field(description="mã quyền")
    kind: str = Field(description="loại quyền: SU_DUNG_DAT, SO_HUU_NHA, SO_HUU_TAI_SAN")
    share: float | None = Field(description="tỷ lệ quyền (0–1); trống khi sử dụng/sở hữu toàn bộ hoặc chung hợp nhất")
    purpose_codes: list[str] = Field(description="mục đích sử dụng đất (mã loại đất)")
    term: str | None = Field(description="thời hạn sử dụng")
    term_end: dt.date | None = Field(description="ngày hết hạn sử dụng")
    origin: str | None = Field(description="nguồn gốc sử dụng")
    form_of_use: str | None = Field(description="hình thức sử dụng (riêng / chung)")
    holding_code: str = Field(description="mã hồ sơ đăng ký (thửa đất/tài sản đăng ký cùng nhau)")
    owner: OwnerOut = Field(description="người sử dụng đất, chủ sở hữu")


class AddressOut(BaseModel):
    asset_id: int | None = Field(description="nhà hoặc căn hộ (tài sản) có địa chỉ này; null: địa chỉ của thửa")
    house_number: str | None = Field(description="số nhà")
    street: str | None = Field(description="đường, phố hoặc thôn, xóm, ấp")
    commune_code: str | None = Field(description="mã xã")
    commune_name_old: str | None = Field(description="tên xã trước 1/7/2025")
    commune_name_new: str | None = Field(description="tên xã từ 1/7/2025")
    text: str = Field(description="địa chỉ một dòng, theo tên xã từ 1/7/2025")


class ParcelOut(BaseModel):
    id: int = Field(description="mã nội bộ của thửa đất")
    commune_code: str = Field(description="mã xã")
    sheet_no: int = Field(description="số tờ bản đồ")
    parcel_no: int = Field(description="số thửa")
    legal_area: float | None = Field(description="diện tích pháp lý (m², sổ địa chính)")
    computed_area: float | None = Field(description="diện tích tính từ hình thể (m²)")
    land_use_codes: list[str] = Field(description="loại đất (mã)")
    address: str | None = Field(description="địa chỉ thửa đất")
    srid: int | None = Field(description="hệ tọa độ (VN-2000 theo múi chiếu)")
    bbox: list[float] | None = Field(description="khung bao [min_x, min_y, max_x, max_y] (mét, hệ tọa độ của thửa)")
    identifier: str | None = Field(description="mã thửa đất chính thức, khi đã có")
    identifier_in_use: str = Field(description="mã thửa đang dùng: mã chính thức, hoặc mã tạm thời (xã-tờ-thửa, "
                                               "hoặc theo bộ sinh mã của văn phòng) khi chưa có")
    identifier_official: bool = Field(description="true: mã chính thức; false: mã tạm thời")
    addresses: list[AddressOut] | None = Field(None, description="địa chỉ của thửa và của từng nhà, căn hộ (điều "
                                                                 "tra thực địa); chỉ có khi đọc một thửa")
    old_sheet_no: int | None = Field(description="số tờ cũ")
    old_parcel_no: int | None = Field(description="số thửa cũ")
    rights: list[RightOut] = Field(description="các quyền trên thửa đất và người có quyền")


class ParcelPage(BaseModel):
    items: list[ParcelOut] = Field(description="thửa đất, theo mã nội bộ tăng dần")
    limit: int = Field(description="số thửa tối đa mỗi trang")
    offset: int = Field(description="vị trí bắt đầu")
    has_more: bool = Field(description="còn trang tiếp theo")


class ChangeOut(BaseModel):
    id: int = Field(description="mã thay đổi")
    batch_id: int = Field(description="mã lô thay đổi")
    action: str = Field(description="insert / update / delete")
    before: dict[str, Any] | None = Field(description="bản ghi trước thay đổi")
    after: dict[str, Any] | None = Field(description="bản ghi sau thay đổi")
    actor: str = Field(description="người/hệ thống thực hiện")
    source: str = Field(description="nguồn thay đổi")
    reason: str = Field(description="lý do")
    at: dt.datetime = Field(description="thời điểm (UTC)")
    reverts_change_id: int | None = Field(description="thay đổi này hoàn tác thay đổi số")
    reverted_by_change_id: int | None = Field(description="đã được hoàn tác bởi thay đổi số")


class ParcelHistory(BaseModel):
    parcel_id: int = Field(description="mã nội bộ của thửa đất")
    changes: list[ChangeOut] = Field(description="các thay đổi đã ghi vết, cũ nhất trước")


# ---------------------------------------------------------------- queries

def parse_bbox(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values) or values[0] > values[2] \
            or values[1] > values[3]:
        err = InvalidInput("bbox phải là 4 số minx,miny,maxx,maxy với min ≤ max / "
                           "bbox must be minx,miny,maxx,maxy with min <= max")
        err.field = "bbox"
        raise err
    return values  # type: ignore[return-value]


def _parcel_dict(r) -> dict[str, Any]:
    bbox = None if r.min_x is None else [r.min_x, r.min_y, r.max_x, r.max_y]
    ident = parcel_identifier(r.identifier, r.commune_code, r.sheet_no, r.parcel_no)
    return {"id": r.id, "commune_code": r.commune_code, "sheet_no": r.sheet_no, "parcel_no": r.parcel_no,
            "legal_area": as_float(r.legal_area), "computed_area": as_float(r.computed_area),
            "land_use_codes": r.land_use_codes.split("+") if r.land_use_codes else [], "address": r.address,
            "srid": r.srid, "bbox": bbox, "identifier": r.identifier,
            "identifier_in_use": ident.value, "identifier_official": ident.official, "old_sheet_no": r.old_sheet_no,
            "old_parcel_no": r.old_parcel_no, "rights": []}


def not_theirs() -> HTTPException:
    return HTTPException(status_code=403, detail="Công dân chỉ xem được thửa đất mình có quyền / "
                                                 "a citizen sees only the parcels they hold a right on")


# ---------------------------------------------------------------- routes

@router.get("", response_model=ParcelPage, summary="Tra cứu thửa đất / find parcels",
            description="Thửa đất theo mã xã, số tờ, số thửa và/hoặc khung bao, kèm quyền và người sử dụng "
            "đất. Bắt buộc `ma_xa` trừ khi có `bbox`; cán bộ chỉ xem được xã thuộc phạm vi được giao. "
            "Số định danh che bớt nếu vai trò không cần đầy đủ; mỗi lần trả thông tin người sử dụng đất "
            "được ghi vào nhật ký truy cập.")
async def list_parcels(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    ma_xa: Annotated[str | None, Query(description="mã xã (5 chữ số)", pattern=r"^\d{5}$")] = None,
    so_to: Annotated[int | None, Query(description="số tờ bản đồ", ge=0, le=MAX_ID)] = None,
    so_thua: Annotated[int | None, Query(description="số thửa", ge=0, le=MAX_ID)] = None,
    bbox: Annotated[str | None, Query(description="khung bao minx,miny,maxx,maxy (mét, hệ tọa độ VN-2000 "
                                      "của thửa)", max_length=200)] = None,
    limit: Annotated[int, Query(description="số thửa tối đa (1–1000)", ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(description="bỏ qua bao nhiêu thửa", ge=0, le=MAX_ID)] = 0,
) -> Response:
    box = parse_bbox(bbox) if bbox is not None else None
    citizen = principal.role == CITIZEN
    if ma_xa is None and box is None and not citizen:
        err = InvalidInput("cần mã xã (ma_xa) hoặc khung bao (bbox) / ma_xa or bbox is required")
        err.field = "ma_xa"
        raise err
    if ma_xa is not None and not citizen:  # a citizen's search is limited to their own parcels
        require_commune(principal, ma_xa)
    if ma_xa is not None and so_to is not None and so_thua is not None and box is None and not citizen:
        return await serve_key_lookup(request.app, principal, ma_xa, so_to, so_thua, limit, offset)
    # a search may scan many rows: on a database thread, off the event loop
    rows, items, subjects = await run_db(_search, store_of(request), principal, ma_xa, so_to, so_thua,
                                         box, limit, offset)
    return await _page(request.app, principal, rows, items, subjects, limit, offset,
                       f"parcels?{request.url.query}"[:500])


async def _page(app, principal: Principal, rows: list, items: list[dict[str, Any]], subjects: list[str],
                limit: int, offset: int, resource: str) -> Response:
    if any(x["rights"] for x in items):
        await log_read(app, principal, action="xem thửa đất", resource=resource, purpose=PURPOSE,
                       subjects=subjects)
    return json_response({"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit})


async def serve_key_lookup(app, principal: Principal, ma_xa: str, so_to: int, so_thua: int, limit: int,
                           offset: int) -> Response:
    """The lookup by key (a load-benchmark target): one read on the event loop (the parcels and
    their rights), the access-log row (group commit), the page. The caller has checked role and
    commune."""
    async with reader_of(app).session() as db:
        rows = await db.fetch(KEY_READ, {"ma_xa": ma_xa, "so_to": so_to, "so_thua": so_thua,
                                         "limit": limit + 1, "offset": offset})
    parcels_seen: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r.id not in parcels_seen:
            parcels_seen[r.id] = _parcel_dict(r)
    found = list(parcels_seen.values())
    items = found[:limit]
    subjects = fill_rights(items, rows, principal)
    return await _page(app, principal, found, items, subjects, limit, offset, f"parcels/{ma_xa}/{so_to}/{so_thua}")


_KEY_PARAMS = frozenset({"ma_xa", "so_to", "so_thua", "bbox", "limit", "offset"})
_COMMUNE = re.compile(r"[0-9]{5}")


def _prepare_key_lookup(scope, principal: Principal, _match) -> tuple | None:
    """The arguments of :func:`serve_key_lookup` for a plain lookup by key (see ``web/hot_routes.py``)."""
    q = query_params(scope, _KEY_PARAMS)
    if q is None or "bbox" in q:
        return None
    ma_xa = q.get("ma_xa")
    so_to = plain_int(q.get("so_to"), 0, MAX_ID)
    so_thua = plain_int(q.get("so_thua"), 0, MAX_ID)
    limit = plain_int(q.get("limit", "100"), 1, 1000)
    offset = plain_int(q.get("offset", "0"), 0, MAX_ID)
    if ma_xa is None or not _COMMUNE.fullmatch(ma_xa) or None in (so_to, so_thua, limit, offset) \
            or not principal.can_see_commune(ma_xa):
        return None
    return ma_xa, so_to, so_thua, limit, offset


HOT_ROUTE = HotRoute(pattern=r"/api/v1/parcels", roles=STAFF_READERS, prepare=_prepare_key_lookup,
                     serve=serve_key_lookup)


def _search(store, principal: Principal, ma_xa: str | None, so_to: int | None, so_thua: int | None,
            box: tuple[float, float, float, float] | None, limit: int, offset: int):
    q = select(*PARCEL_COLUMNS)
    if ma_xa is not None:
        q = q.where(_P.c.commune_code == ma_xa)
    if so_to is not None:
        q = q.where(_P.c.sheet_no == so_to)
    if so_thua is not None:
        q = q.where(_P.c.parcel_no == so_thua)
    if box is not None:
        x0, y0, x1, y1 = box
        q = q.where(_P.c.max_x >= x0, _P.c.min_x <= x1, _P.c.max_y >= y0, _P.c.min_y <= y1)
    params: dict[str, Any] = {}
    if principal.role == CITIZEN:
        q = q.where(_P.c.id.in_(citizen_parcel_ids(number_param())))
        params["number"] = principal.personal_number
    with store.read() as conn:
        if ma_xa is None and principal.role != CITIZEN:
            q = q.where(scope_clause(conn, principal, _P.c.commune_code))
        rows = conn.execute(q.order_by(_P.c.id).limit(limit + 1).offset(offset), params).all()
        items = [_parcel_dict(r) for r in rows[:limit]]
        subjects = attach_rights(conn, items, principal)
    return rows, items, subjects


@router.get("/{parcel_id}", response_model=ParcelOut, summary="Một thửa đất / one parcel",
            description="Thửa đất theo mã nội bộ, kèm quyền và người sử dụng đất (ghi nhật ký truy cập).",
            responses={404: {"description": "không có thửa đất"}})
async def get_parcel(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    parcel_id: Annotated[int, Path(description="mã nội bộ của thửa đất", ge=1, le=MAX_ID)],
) -> Any:
    async with reader_of(request.app).session() as db:
        rows = await db.fetch(ID_READ, {"parcel_id": parcel_id})
        if not rows:
            raise NotFound(f"không có thửa đất #{parcel_id} / no such parcel")
        if principal.role == CITIZEN:
            if not await db.fetch(OWNED_READ, {"parcel_id": parcel_id, "number": principal.personal_number}):
                raise not_theirs()
        else:
            require_commune(principal, rows[0].commune_code)
        out = _parcel_dict(rows[0])
        rights = await db.fetch(RIGHTS_READ, {"parcel_ids": [parcel_id]})
        out["addresses"] = addresses_out(await db.fetch(ADDRESS_READ, {"parcel_id": parcel_id}))
    subjects = fill_rights([out], rights, principal)
    if out["rights"]:
        await log_read(request.app, principal, action="xem thửa đất", resource=f"parcels/{parcel_id}",
                       purpose=PURPOSE, subjects=subjects)
    return json_response(out)


@router.get("/{parcel_id}/history", response_model=ParcelHistory,
            summary="Lịch sử thay đổi của thửa đất / a parcel's audited changes",
            description="Các thay đổi đã ghi vết (nhập dữ liệu, sửa lỗi, hoàn tác) của bản ghi thửa đất, "
            "cũ nhất trước. Tên người trên bản đồ (`map_owner_label`) chỉ còn họ và chữ cái đầu, số giấy tờ "
            "được che, trừ vai trò cần dữ liệu cá nhân đầy đủ; mỗi lần xem được ghi nhật ký truy cập.", responses={404: {"description": "không có thửa đất"}})
def parcel_history(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    parcel_id: Annotated[int, Path(description="mã nội bộ của thửa đất", ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    with store_of(request).read() as conn:
        if principal.role == CITIZEN and conn.execute(
                OWNED, {"parcel_id": parcel_id, "number": principal.personal_number}).first() is None:
            raise not_theirs()
        r = conn.execute(select(_P.c.commune_code).where(_P.c.id == parcel_id)).first()
        if r is None:
            # a deleted parcel still has its history: its commune is in the last snapshot
            changes = audit.history(conn, "parcels", parcel_id)
            if not changes:
                raise NotFound(f"không có thửa đất #{parcel_id} / no such parcel")
            last = changes[-1].before or changes[-1].after or {}
            require_commune(principal, str(last.get("commune_code") or ""))
        else:
            if principal.role != CITIZEN:
                require_commune(principal, r.commune_code)
            changes = audit.history(conn, "parcels", parcel_id)
    full = full_numbers(principal)
    with store_of(request).transaction() as conn:  # logged before it is answered
        log_access(conn, principal, action="xem lịch sử thửa đất", resource=f"parcels/{parcel_id}/history",
                   purpose=PURPOSE)
    return {"parcel_id": parcel_id, "changes": [
        {"id": c.id, "batch_id": c.batch_id, "action": c.action,
         "before": _snapshot(c.before, full), "after": _snapshot(c.after, full),
         "actor": c.actor, "source": c.source, "reason": c.reason, "at": as_utc(c.at),
         "reverts_change_id": c.reverts_change_id, "reverted_by_change_id": c.reverted_by_change_id}
        for c in changes]}


# the parcel record's columns naming a person: shown as family name and initials unless the role
# needs personal data in full (numbers inside any text masked the same way)
_PERSON_COLUMNS = frozenset({"map_owner_label"})


def _snapshot(values: dict | None, full: bool) -> dict | None:
    if values is None or full:
        return values
    return {k: (mask_name(v) if k in _PERSON_COLUMNS else mask_id_numbers(v)) if isinstance(v, str) else v
            for k, v in values.items()}
