"""The monthly Project 06 report over HTTP (the web app's reports page):

* ``GET /api/v1/reports/{month}?format=docx|xlsx|pdf|json`` — the report of the caller's scope
  as a download (json: the figure file a province rolls up); managers, admin, data officers;
* ``GET /api/v1/reports/{month}/texts`` — sections II–IV, the per-service difficulties and the
  document's particulars of the caller's scope and month;
* ``PUT /api/v1/reports/{month}/texts`` — change them (managers and admin; who and when recorded).

Scope: admin, and a manager without a scope, see the whole store (texts kept under scope '');
everyone else sees the communes of their scope (texts kept under their scope's codes). The report
holds aggregate figures only: no personal data, no access-log row.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from datdai.access.roles import ADMIN, DATA_OFFICER, MANAGER
from datdai.apps.web.auth import Principal, require
from datdai.apps.web.routing import ERROR_RESPONSES, VnRoute, store_of, today_vn
from datdai.dossiers.calendar import parse_vn_date
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.stats import month_bounds
from datdai.reporting.build import FORMATS, render, store_source
from datdai.reporting.scope import communes_in_scope, report_scope
from datdai.reporting.texts import ReportTexts, get_texts, save_texts

READERS = require(MANAGER, ADMIN, DATA_OFFICER)
WRITERS = require(MANAGER, ADMIN)
MONTH = Annotated[str, Path(description="tháng báo cáo, dạng YYYY-MM (theo giờ Việt Nam)", examples=["2025-10"],
                            max_length=20)]

router = APIRouter(prefix="/reports", tags=["báo cáo / reports"], route_class=VnRoute, responses=ERROR_RESPONSES)


def _month(month: str) -> str:
    month = month.strip()
    month_bounds(month)  # InvalidInput → 422
    return month


def parse_as_of(as_of: str | None) -> dt.date:
    """The ``as_of`` query parameter (dd/mm/yyyy), today in Vietnam when absent; 422 if malformed."""
    if as_of is None or not as_of.strip():
        return today_vn()
    try:
        return parse_vn_date(as_of)
    except ValueError as exc:
        raise InvalidInput(f"tham số 'as_of': {exc}") from None


@router.get("/{month}", summary="Tải báo cáo tháng Đề án 06 / download the monthly report",
            description="Báo cáo tháng (DOCX, XLSX, PDF) hoặc tệp số liệu để tổng hợp (JSON) của phạm vi được "
            "giao: số liệu lấy từ cơ sở dữ liệu, mục II–IV do văn phòng nhập. Dành cho lãnh đạo, quản trị, cán "
            "bộ dữ liệu.",
            response_class=Response,
            responses={200: {"description": "tệp báo cáo", "content": {
                FORMATS["docx"]: {"schema": {"type": "string", "format": "binary"}},
                FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                FORMATS["pdf"]: {"schema": {"type": "string", "format": "binary"}},
                FORMATS["json"]: {"schema": {"type": "object"}}}}})
def download_report(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    month: MONTH,
    format: Annotated[Literal["docx", "xlsx", "pdf", "json"], Query(
        description="định dạng: docx, xlsx, pdf, hoặc json (tệp số liệu)")] = "pdf",
    as_of: Annotated[str | None, Query(
        description="tính hồ sơ đang giải quyết quá hạn đến ngày (dd/mm/yyyy); mặc định hôm nay",
        max_length=20)] = None,
) -> Response:
    month = _month(month)
    day = parse_as_of(as_of)
    key, codes = report_scope(principal)
    with store_of(request).read() as conn:
        communes = None if codes is None else communes_in_scope(conn, codes)
        source, texts = store_source(conn, month, communes=communes, scope=key, as_of=day)
    data = render(source, texts, format)
    name = f"bao-cao-de-an-06-{month}.{format}"
    return Response(content=data, media_type=FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class TextsOut(BaseModel):
    month: str = Field(description="tháng, dạng YYYY-MM")
    scope_code: str = Field(description="phạm vi: mã tỉnh, xã của tài khoản, cách nhau bằng dấu phẩy; rỗng = toàn bộ")
    problems: str = Field(description="II. Khó khăn, vướng mắc")
    tasks: str = Field(description="III. Nhiệm vụ trọng tâm tháng tới")
    proposals: str = Field(description="IV. Đề xuất, kiến nghị")
    service_notes: dict[str, str] = Field(description="khó khăn, vướng mắc theo mã thủ tục (cột cuối của phụ lục)")
    number: str | None = Field(description="số văn bản (ví dụ 15 trong 15/BC-VPĐK)")
    symbol: str | None = Field(description="ký hiệu văn bản (mặc định BC-VPĐK)")
    report_date: str | None = Field(description="ngày ban hành, dd/mm/yyyy (mặc định ngày lập)")
    place: str | None = Field(description="địa danh ghi trước ngày tháng")
    superior: str | None = Field(description="tên cơ quan chủ quản")
    issuer: str | None = Field(description="tên cơ quan ban hành")
    signer_title: str | None = Field(description="chức vụ người ký (nhiều dòng, ví dụ KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC)")
    signer_name: str | None = Field(description="họ tên người ký")
    recipients: str | None = Field(description="nơi nhận, mỗi dòng một nơi")
    stored: bool = Field(description="đã lưu cho tháng này (sai: mới lấy thông tin văn bản của tháng trước)")
    updated_at: str | None = Field(description="lần sửa cuối, ISO 8601 (UTC)")
    updated_by: str | None = Field(description="người sửa cuối")


class TextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problems: str | None = Field(None, description="II. Khó khăn, vướng mắc", max_length=20000)
    tasks: str | None = Field(None, description="III. Nhiệm vụ trọng tâm tháng tới", max_length=20000)
    proposals: str | None = Field(None, description="IV. Đề xuất, kiến nghị", max_length=20000)
    service_notes: dict[str, str] | None = Field(
        None, description="khó khăn, vướng mắc theo mã thủ tục; thay cả bảng khi gửi")
    number: str | None = Field(None, description="số văn bản", max_length=20)
    symbol: str | None = Field(None, description="ký hiệu văn bản", max_length=40)
    report_date: str | None = Field(None, description="ngày ban hành, dd/mm/yyyy; rỗng để bỏ", max_length=20)
    place: str | None = Field(None, description="địa danh", max_length=500)
    superior: str | None = Field(None, description="tên cơ quan chủ quản", max_length=500)
    issuer: str | None = Field(None, description="tên cơ quan ban hành", max_length=500)
    signer_title: str | None = Field(None, description="chức vụ người ký", max_length=500)
    signer_name: str | None = Field(None, description="họ tên người ký", max_length=500)
    recipients: str | None = Field(None, description="nơi nhận, mỗi dòng một nơi", max_length=20000)


def _texts_out(t: ReportTexts) -> TextsOut:
    return TextsOut(
        month=t.month, scope_code=t.scope_code, problems=t.problems, tasks=t.tasks, proposals=t.proposals,
        service_notes=dict(t.service_notes), number=t.number, symbol=t.symbol,
        report_date=t.report_date.strftime("%d/%m/%Y") if t.report_date else None, place=t.place,
        superior=t.superior, issuer=t.issuer, signer_title=t.signer_title, signer_name=t.signer_name,
        recipients=t.recipients, stored=t.stored,
        updated_at=t.updated_at.isoformat() if t.updated_at else None, updated_by=t.updated_by)


@router.get("/{month}/texts", response_model=TextsOut,
            summary="Nội dung mục II–IV của báo cáo tháng / the report's texts",
            description="Khó khăn, vướng mắc; nhiệm vụ tháng tới; đề xuất, kiến nghị; khó khăn theo thủ tục và "
            "thông tin văn bản (số, ngày, người ký, nơi nhận) của phạm vi được giao.")
def get_report_texts(
    request: Request,
    principal: Annotated[Principal, Depends(READERS)],
    month: MONTH,
) -> TextsOut:
    month = _month(month)
    key, _ = report_scope(principal)
    with store_of(request).read() as conn:
        return _texts_out(get_texts(conn, key, month))


@router.put("/{month}/texts", response_model=TextsOut,
            summary="Sửa nội dung mục II–IV của báo cáo tháng / edit the report's texts",
            description="Chỉ các trường gửi lên được thay đổi; ghi người sửa và thời điểm. Dành cho lãnh đạo và "
            "quản trị.")
def put_report_texts(
    request: Request,
    principal: Annotated[Principal, Depends(WRITERS)],
    month: MONTH,
    body: TextsIn,
) -> TextsOut:
    month = _month(month)
    key, _ = report_scope(principal)
    values = body.model_dump(exclude_unset=True)
    if "report_date" in values:
        raw = (values["report_date"] or "").strip()
        try:
            values["report_date"] = parse_vn_date(raw) if raw else None
        except ValueError as exc:
            error = InvalidInput(f"trường 'report_date': {exc}")
            error.field = "report_date"
            raise error from None
    with store_of(request).transaction() as conn:
        return _texts_out(save_texts(conn, key, month, values, actor=principal.username))


__all__ = ["router"]
