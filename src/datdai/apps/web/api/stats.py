"""GET /api/v1/stats/dossiers?month=YYYY-MM — the monthly dossier table, per service (managers).

Admin and a manager without a scope see the whole store; a manager with a scope (province or
communes) sees only the dossiers of the communes in it — the same rule as the monthly report
(``web/api/reports.py``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from datdai.apps.web.api.reports import parse_as_of, report_scope
from datdai.apps.web.auth import Principal, require
from datdai.apps.web.routing import ERROR_RESPONSES, VnRoute, calendar_of, store_of
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.lifecycle import Role
from datdai.dossiers.stats import monthly_stats
from datdai.reporting.scope import communes_in_scope

router = APIRouter(prefix="/stats", tags=["thống kê / statistics"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


class ServiceRow(BaseModel):
    service_code: str = Field(description="mã thủ tục")
    service_name: str = Field(description="tên thủ tục")
    total: int = Field(description="số hồ sơ tiếp nhận trong tháng")
    online: int = Field(description="trong đó nộp trực tuyến")
    online_rate: float = Field(description="tỷ lệ trực tuyến (0–1)")
    on_time: int = Field(description="đã giải quyết đúng hoặc trước hạn")
    overdue: int = Field(description="quá hạn: giải quyết sau hạn, hoặc đang mở đã quá hạn")
    digitized: int = Field(description="hồ sơ có giấy tờ đã được số hóa toàn bộ")


class MonthlyStats(BaseModel):
    month: str = Field(description="tháng, dạng YYYY-MM (theo giờ Việt Nam)")
    as_of: str = Field(description="ngày tính hồ sơ đang mở quá hạn, dạng dd/mm/yyyy")
    services: list[ServiceRow] = Field(description="một dòng cho mỗi thủ tục, theo mã thủ tục")
    totals: ServiceRow = Field(description="cộng tất cả thủ tục")


@router.get("/dossiers", response_model=MonthlyStats,
            summary="Thống kê hồ sơ theo tháng / monthly dossier statistics",
            description="Theo từng thủ tục: tổng số tiếp nhận, trực tuyến, tỷ lệ trực tuyến, đúng hạn, quá hạn, "
            "số hóa — bảng số liệu của báo cáo tháng. Dành cho lãnh đạo và quản trị; lãnh đạo được giao phạm "
            "vi chỉ thấy hồ sơ của các xã thuộc phạm vi.")
def dossier_stats(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.MANAGER, Role.ADMIN))],
    month: Annotated[str | None, Query(description="tháng, dạng YYYY-MM", examples=["2025-06"])] = None,
    as_of: Annotated[str | None, Query(
        description="tính quá hạn đến ngày (dd/mm/yyyy); mặc định hôm nay")] = None,
) -> MonthlyStats:
    if month is None or not month.strip():
        raise InvalidInput("thiếu tham số 'month' (YYYY-MM) / missing 'month'")
    day = parse_as_of(as_of)
    _, codes = report_scope(principal)
    with store_of(request).read() as conn:
        communes = None if codes is None else communes_in_scope(conn, codes)
        rows = monthly_stats(conn, month.strip(), as_of=day, calendar=calendar_of(request), communes=communes)
    services = [ServiceRow(**asdict(r)) for r in rows]
    total = sum(r.total for r in rows)
    online = sum(r.online for r in rows)
    totals = ServiceRow(service_code="TONG", service_name="Tổng cộng", total=total, online=online,
                        online_rate=online / total if total else 0.0, on_time=sum(r.on_time for r in rows),
                        overdue=sum(r.overdue for r in rows), digitized=sum(r.digitized for r in rows))
    return MonthlyStats(month=month.strip(), as_of=day.strftime("%d/%m/%Y"), services=services, totals=totals)
