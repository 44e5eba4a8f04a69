"""Quality findings over HTTP: GET /api/v1/findings?ma_xa=&ma_loi=&trang_thai=.

Who: data staff (can_bo_du_lieu, admin), a data officer within their communes. Identity numbers
in the findings' values, proposed fixes and messages are masked (``mask_id_numbers``) unless the
role needs them in full; every page of findings (names, numbers) is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from datdai.access import purposes
from datdai.access.masking import mask_id_numbers
from datdai.access.users import as_utc
from datdai.apps.web.auth import Principal, log_access, require, require_commune
from datdai.apps.web.routing import ERROR_RESPONSES, MAX_ID, VnRoute, full_numbers, store_of
from datdai.cleaning.findings import Status
from datdai.cleaning.store_findings import list_findings

PURPOSE = purposes.FINDINGS
DATA_STAFF = require("can_bo_du_lieu", "admin")

router = APIRouter(prefix="/findings", tags=["chất lượng dữ liệu / data quality"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


class FindingOut(BaseModel):
    id: int = Field(description="mã phát hiện")
    rule_code: str = Field(description="mã lỗi (quy tắc kiểm tra)")
    severity: str = Field(description="mức độ: LOI (lỗi) / CANH_BAO (cảnh báo)")
    status: str = Field(description="trạng thái: " + ", ".join(x.value for x in Status))
    target: str | None = Field(description="đối tượng: THUA_DAT / NGUOI_SU_DUNG / GIAY_TO")
    commune_code: str | None = Field(description="mã xã")
    sheet_no: str | None = Field(description="số tờ (như trong dữ liệu giao nộp)")
    parcel_no: str | None = Field(description="số thửa (như trong dữ liệu giao nộp)")
    parcel_id: int | None = Field(description="mã nội bộ của thửa đất")
    party_id: int | None = Field(description="mã nội bộ của người sử dụng đất")
    side: str | None = Field(description="nguồn: BAN_DO (bản đồ) / SO_DIA_CHINH (sổ địa chính)")
    source_row: int | None = Field(description="dòng / đối tượng trong dữ liệu giao nộp")
    field: str | None = Field(description="trường dữ liệu")
    map_value: str | None = Field(description="giá trị trên bản đồ (số giấy tờ che bớt nếu cần)")
    register_value: str | None = Field(description="giá trị trong sổ (số giấy tờ che bớt nếu cần)")
    proposed_fix: str | None = Field(description="đề xuất sửa (số giấy tờ che bớt nếu cần)")
    auto_fixable: bool = Field(description="có thể sửa tự động")
    message: str = Field(description="mô tả (số giấy tờ che bớt nếu cần)")
    run_id: int = Field(description="lần kiểm tra phát hiện đầu tiên")
    last_run_id: int = Field(description="lần kiểm tra gần nhất còn thấy")
    updated_at: dt.datetime = Field(description="cập nhật lần cuối (UTC)")


class FindingPage(BaseModel):
    items: list[FindingOut] = Field(description="phát hiện, theo xã và mã")
    limit: int = Field(description="số phát hiện tối đa mỗi trang")
    offset: int = Field(description="vị trí bắt đầu")
    has_more: bool = Field(description="còn trang tiếp theo")


_MASKED = ("map_value", "register_value", "proposed_fix", "message")


def _out(r, full: bool) -> dict[str, Any]:
    out = {k: getattr(r, k) for k in FindingOut.model_fields}
    out["updated_at"] = as_utc(out["updated_at"])  # SQLite gives it back without its time zone
    if not full:
        for k in _MASKED:
            out[k] = mask_id_numbers(out[k])
    out["message"] = out["message"] or ""
    return out


@router.get("", response_model=FindingPage, summary="Các phát hiện về chất lượng dữ liệu / quality findings",
            description="Phát hiện của các lần kiểm tra chất lượng dữ liệu, lọc theo xã, mã lỗi, trạng thái. "
            "Cán bộ dữ liệu chỉ xem các xã thuộc phạm vi được giao.")
def get_findings(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(description="mã xã (5 chữ số)", pattern=r"^\d{5}$")] = None,
    ma_loi: Annotated[str | None, Query(description="mã lỗi (quy tắc), ví dụ AREA_MISMATCH", max_length=40)] = None,
    trang_thai: Annotated[Status | None, Query(description="trạng thái phát hiện")] = None,
    limit: Annotated[int, Query(description="số phát hiện tối đa (1–1000)", ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(description="bỏ qua bao nhiêu phát hiện", ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    if ma_xa is not None:
        require_commune(principal, ma_xa)
    status = trang_thai.value if trang_thai is not None else None
    full = full_numbers(principal)
    with store_of(request).transaction() as conn:
        rows = list_findings(conn, commune_code=ma_xa, rule_code=ma_loi or None, status=status,
                             limit=limit + 1, offset=offset, principal=principal)
        items = [_out(r, full) for r in rows[:limit]]
        if items:  # values and messages carry names and (for full roles) identity numbers
            log_access(conn, principal, action="xem phát hiện chất lượng dữ liệu",
                       resource=f"findings?{request.url.query}"[:500], purpose=PURPOSE,
                       subjects=sorted({str(r.party_id) for r in rows[:limit] if r.party_id is not None}))
    return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}
