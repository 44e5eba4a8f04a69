"""C06 (Ministry of Public Security) exchange: GET /api/v1/exchange/c06/land-by-citizen/{so_dinh_danh}.

Who: the C06 system client (``he_thong_c06``) and ``admin``. The land rights and houses of a
citizen, for residence procedures (đăng ký cư trú: proof of a lawful residence). Whose land it
is: ``store/ownership.py`` (the number confirmed on a land-user record, or an identity document
carrying it; rights held through a household or a couple the citizen is a member of count too,
``via`` says how). Each holder is marked ``verified`` (the number was confirmed by reconciliation
or by a person, and nothing disputes it) or not (only a recorded document carries it); a link an
open identity finding or an open reconciliation review disputes is left out.

A malformed number (not 12 digits) is 422; a citizen with no land right 404. Every lookup, found
or not, is written to the access log with the purpose "thủ tục cư trú" (a lookup by number is a
processing of that person's data).

Lean by design (a load-benchmark target): one statement finds the citizen's parties (their own and
the groups they belong to, indexed on ``parties.personal_number``, ``identity_documents.number`` and
``party_members.member_id``) and reads their rights with parcels and houses; then the access-log row
(group commit, ``access/access_writer.py``). The plain request is served by a hot route
(``web/hot_routes.py``) that runs the same code.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from datdai.access import purposes
from datdai.access.masking import mask_number
from datdai.apps.web.auth import Principal, require
from datdai.apps.web.fast import json_response, log_read, reader_of
from datdai.apps.web.hot_routes import HotRoute
from datdai.apps.web.routing import ERROR_RESPONSES, VnRoute, full_numbers
from datdai.db import schema as s
from datdai.db.fast_reads import Read, as_float, iso_date
from datdai.land.ownership import citizen_parties, number_param

PURPOSE = purposes.RESIDENCE
C06_ROLES = ("he_thong_c06", "admin")
C06 = require(*C06_ROLES)

router = APIRouter(prefix="/exchange/c06", tags=["kết nối C06 / C06 (residence)"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


class ParcelKey(BaseModel):
    parcel_id: int = Field(description="mã nội bộ của thửa đất")
    commune_code: str = Field(description="mã xã")
    sheet_no: int = Field(description="số tờ bản đồ")
    parcel_no: int = Field(description="số thửa")
    address: str | None = Field(description="địa chỉ thửa đất")
    legal_area: float | None = Field(description="diện tích pháp lý (m²)")
    land_use_codes: list[str] = Field(description="loại đất (mã)")


class HolderOut(BaseModel):
    party_code: str = Field(description="mã người sử dụng đất trong dữ liệu")
    kind: str = Field(description="loại: CA_NHAN, HO_GIA_DINH, VO_CHONG, NHOM, …")
    full_name: str = Field(description="họ tên / tên hộ, nhóm")
    via: str = Field(description="TRUC_TIEP (công dân đứng tên) hoặc THANH_VIEN (công dân là thành viên "
                     "hộ gia đình, vợ chồng, nhóm đứng tên)")
    verified: bool = Field(description="true: số định danh đã được xác thực (đối soát khớp, cán bộ quyết định, "
                           "đọc từ chip/QR CCCD) và không bị nghi vấn; false: chỉ giấy tờ ghi trong hồ sơ mang số "
                           "này, chưa xác thực. Liên kết đang bị nghi vấn (lỗi giấy tờ chưa xử lý, đối soát cần xác "
                           "minh) không được trả về")


class LandRightOut(BaseModel):
    right_code: str = Field(description="mã quyền")
    kind: str = Field(description="loại quyền: SU_DUNG_DAT")
    share: float | None = Field(description="tỷ lệ quyền (0–1); trống khi toàn bộ hoặc chung hợp nhất")
    purpose_codes: list[str] = Field(description="mục đích sử dụng (mã loại đất)")
    term: str | None = Field(description="thời hạn sử dụng")
    term_end: dt.date | None = Field(description="ngày hết hạn")
    holder: HolderOut = Field(description="người đứng tên quyền")
    parcels: list[ParcelKey] = Field(description="các thửa đất của quyền")


class HouseOut(BaseModel):
    right_code: str = Field(description="mã quyền sở hữu")
    asset_code: str = Field(description="mã tài sản")
    kind: str = Field(description="loại tài sản: NHA_O (nhà ở riêng lẻ), CAN_HO (căn hộ), …")
    house_type: str | None = Field(description="loại nhà")
    building_name: str | None = Field(description="tên tòa nhà / chung cư")
    apartment_no: str | None = Field(description="số căn hộ")
    floor_area: float | None = Field(description="diện tích sàn (m²)")
    floors: int | None = Field(description="số tầng")
    ownership_form: str | None = Field(description="hình thức sở hữu")
    ownership_term: str | None = Field(description="thời hạn sở hữu")
    share: float | None = Field(description="tỷ lệ sở hữu")
    holder: HolderOut = Field(description="người đứng tên quyền sở hữu")
    parcel: ParcelKey | None = Field(description="thửa đất có tài sản (nếu đã xác định)")


class LandByCitizen(BaseModel):
    so_dinh_danh: str = Field(description="số định danh cá nhân được tra cứu (che bớt nếu vai trò không cần đầy đủ)")
    land_rights: list[LandRightOut] = Field(description="quyền sử dụng đất của công dân")
    houses: list[HouseOut] = Field(description="nhà ở, căn hộ và tài sản khác gắn liền với đất thuộc sở hữu "
                                   "của công dân")


def _land_query():
    """In one statement (one round trip, one snapshot): the citizen's parties — the parties with that
    number or with an identity document carrying it, and the groups (household, couple) they are
    members of — and each party's rights with their parcels and assets, one row per right and parcel
    (a party without rights once, with NULL right columns)."""
    p = s.parties
    holders = citizen_parties(number_param())
    r, h, hp, q, a = s.rights, s.holdings, s.holding_parcels, s.parcels, s.assets
    aq = q.alias("asset_parcel")
    # flat LEFT JOINs (a parenthesised "LEFT JOIN (rights JOIN …)" is materialised in full by SQLite);
    # every right has its holding
    held = (holders.join(p, p.c.id == holders.c.id).outerjoin(r, r.c.party_id == holders.c.id)
            .outerjoin(h, h.c.id == r.c.holding_id)
            .outerjoin(hp, hp.c.holding_id == h.c.id).outerjoin(q, q.c.id == hp.c.parcel_id)
            .outerjoin(a, a.c.id == r.c.asset_id).outerjoin(aq, aq.c.id == a.c.parcel_id))
    return (select(p.c.code.label("p_code"), p.c.kind.label("p_kind"), p.c.full_name, holders.c.via,
                   holders.c.verified,
                   r.c.id, r.c.code, r.c.kind, r.c.share, r.c.purpose_codes, r.c.term, r.c.term_end,
                   r.c.asset_id, q.c.id.label("q_id"), q.c.commune_code, q.c.sheet_no,
                   q.c.parcel_no, q.c.address, q.c.legal_area, q.c.land_use_codes,
                   a.c.code.label("a_code"), a.c.kind.label("a_kind"), a.c.house_type, a.c.building_name,
                   a.c.apartment_no, a.c.floor_area, a.c.floors, a.c.ownership_form, a.c.ownership_term,
                   aq.c.id.label("aq_id"), aq.c.commune_code.label("aq_commune"),
                   aq.c.sheet_no.label("aq_sheet"), aq.c.parcel_no.label("aq_parcel"),
                   aq.c.address.label("aq_address"), aq.c.legal_area.label("aq_area"),
                   aq.c.land_use_codes.label("aq_codes"))
            .select_from(held)
            .where(holders.c.disputed == 0)  # a disputed link is never presented as the citizen's
            .order_by(r.c.id, q.c.id))


# compiled once per dialect (db/fast_reads.py)
LAND_READ = Read(_land_query())


@router.get("/land-by-citizen/{so_dinh_danh}", response_model=LandByCitizen,
            summary="Đất đai, nhà ở của công dân (phục vụ thủ tục cư trú) / a citizen's land and houses",
            description="Quyền sử dụng đất và quyền sở hữu nhà ở, tài sản gắn liền với đất của công dân có số "
            "định danh cá nhân này (đứng tên trực tiếp hoặc là thành viên hộ gia đình, vợ chồng). "
            "Mỗi lần tra cứu được ghi vào nhật ký truy cập với mục đích \"thủ tục cư trú\".",
            responses={404: {"description": "không có quyền đất đai, nhà ở nào của công dân này"}})
async def land_by_citizen(
    request: Request,
    principal: Annotated[Principal, Depends(C06)],
    so_dinh_danh: Annotated[str, Path(description="số định danh cá nhân (12 chữ số)",
                                      pattern=r"^\d{12}$", examples=["070065001234"])],
) -> Any:
    return await serve_land_by_citizen(request.app, principal, so_dinh_danh)


async def serve_land_by_citizen(app, principal: Principal, so_dinh_danh: str) -> Response:
    """One read on the event loop, the access-log row (group commit), the answer. The caller has
    checked the role and the number's form."""
    async with reader_of(app).session() as db:
        rows = await db.fetch(LAND_READ, {"number": so_dinh_danh})
    # found or not, the lookup is a processing of that person's data: logged before answering
    await log_read(app, principal, action="tra cứu đất đai theo số định danh",
                   resource=f"exchange/c06/land-by-citizen/{mask_number(so_dinh_danh)}", purpose=PURPOSE,
                   subjects=[so_dinh_danh])
    return _answer(principal, so_dinh_danh, [x for x in rows if x.id is not None])


HOT_ROUTE = HotRoute(pattern=r"/api/v1/exchange/c06/land-by-citizen/([0-9]{12})", roles=C06_ROLES,
                     prepare=lambda _scope, _principal, match: (match.group(1),), serve=serve_land_by_citizen)


def _answer(principal: Principal, so_dinh_danh: str, rows: list) -> Response:
    full = full_numbers(principal)
    shown = so_dinh_danh if full else mask_number(so_dinh_danh)
    if not rows:
        return json_response(status_code=404, content={
            "detail": f"không có quyền sử dụng đất, sở hữu nhà ở nào của công dân {shown} / "
                      "no land rights or houses for this citizen"})

    def holder(x) -> dict[str, str]:
        return {"party_code": x.p_code, "kind": x.p_kind, "full_name": x.full_name, "via": x.via,
                "verified": bool(x.verified)}

    def key(pid, commune, sheet, no, address, area, codes) -> dict[str, Any] | None:
        if pid is None:
            return None
        return {"parcel_id": pid, "commune_code": commune, "sheet_no": sheet, "parcel_no": no, "address": address,
                "legal_area": as_float(area), "land_use_codes": codes.split("+") if codes else []}

    land: dict[int, dict[str, Any]] = {}
    houses: dict[int, dict[str, Any]] = {}
    for x in rows:
        if x.asset_id is not None:
            if x.id not in houses:
                houses[x.id] = {
                    "right_code": x.code, "asset_code": x.a_code, "kind": x.a_kind, "house_type": x.house_type,
                    "building_name": x.building_name, "apartment_no": x.apartment_no,
                    "floor_area": as_float(x.floor_area), "floors": x.floors, "ownership_form": x.ownership_form,
                    "ownership_term": x.ownership_term, "share": as_float(x.share), "holder": holder(x),
                    "parcel": key(x.aq_id, x.aq_commune, x.aq_sheet, x.aq_parcel, x.aq_address, x.aq_area,
                                  x.aq_codes)}
            continue
        right = land.get(x.id)
        if right is None:
            right = land[x.id] = {
                "right_code": x.code, "kind": x.kind, "share": as_float(x.share),
                "purpose_codes": x.purpose_codes.split("+") if x.purpose_codes else [], "term": x.term,
                "term_end": iso_date(x.term_end), "holder": holder(x), "parcels": []}
        parcel = key(x.q_id, x.commune_code, x.sheet_no, x.parcel_no, x.address, x.legal_area, x.land_use_codes)
        if parcel is not None:
            right["parcels"].append(parcel)
    return json_response({"so_dinh_danh": shown, "land_rights": list(land.values()),
                          "houses": list(houses.values())})
