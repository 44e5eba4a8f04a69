"""The dashboard: the month's figures of the officer's communes, from ``datdai.reporting.figures``
(the same numbers as the monthly report) — parcels and cleaning, land users matched with the
population register, findings open and fixed, dossiers received in the month (total, online, on
time, overdue) — with charts (server-drawn SVG) and one row per commune. Every figure links to the
list behind it; the land users behind the reconciliation figures are listed by ``/ui/nguoi-su-dung``
with the store's own definitions (``datdai.matching.reconcile_progress``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from datdai.access import purposes
from datdai.access.masking import mask_number
from datdai.access.visibility import sees_every_commune
from datdai.apps.web.auth import log_access
from datdai.apps.web.routing import calendar_of
from datdai.apps.web.ui.common import (
    STAFF_ROLES,
    Principal,
    check_commune,
    page_role,
    render,
    store_of,
)
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.lifecycle import local_date
from datdai.kernel.text import vn_int, vn_percent
from datdai.land.places import commune_choices, unit_names
from datdai.matching import reconcile_progress as rp
from datdai.reporting.figures import last_months, month_figures, monthly_series

router = APIRouter(include_in_schema=False)
STAFF = page_role(*STAFF_ROLES)
MONTH_NAMES = ("", "Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7", "Tháng 8",
               "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12")


def this_month() -> str:
    today = local_date(dt.datetime.now(dt.UTC))
    return f"{today.year:04d}-{today.month:02d}"


def _month_or_now(month: str | None) -> str:
    if month:
        try:
            last_months(month, 1)
            return month
        except InvalidInput:
            pass
    return this_month()


def bar_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the 12-month chart: per month a bar of dossiers received, its online part, and
    the overdue ones; y axis in whole steps."""
    width, height, left, bottom, top = 720, 230, 40, 30, 12
    peak = max([p["total"] for p in points] + [1])
    step = max(1, 10 ** (len(str(peak)) - 1))
    while peak / step > 6:
        step *= 2
    ymax = step * (-(-peak // step))
    slot = (width - left - 10) / max(1, len(points))
    bar = slot * 0.55

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / ymax)

    bars = []
    for i, p in enumerate(points):
        x = left + i * slot + (slot - bar) / 2
        bars.append({**p, "x": round(x, 1), "w": round(bar, 1), "y_total": round(y(p["total"]), 1),
                     "y_online": round(y(p["online"]), 1), "y_overdue": round(y(p["overdue"]), 1),
                     "base": round(y(0), 1), "label_x": round(x + bar / 2, 1),
                     "ow": round(bar * 0.35, 1)})
    ticks = [{"v": vn_int(v), "y": round(y(v), 1)} for v in range(0, ymax + 1, step)]
    return {"width": width, "height": height, "left": left, "bars": bars, "ticks": ticks,
            "label_y": height - 10, "right": width - 10}


@router.get("/ui/tong-quan")
def dashboard(
    request: Request,
    principal: Annotated[Principal, Depends(STAFF)],
    thang: Annotated[str | None, Query(max_length=7)] = None,
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
):
    month = _month_or_now(thang)
    ma_xa = ma_xa or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    cal = calendar_of(request)
    with store_of(request).read() as conn:
        communes = commune_choices(conn, principal)
        if ma_xa is not None:
            scope = [ma_xa]
        elif sees_every_commune(principal):
            scope = None
        else:
            scope = [c for c, _ in communes]
        figures = month_figures(conn, month, communes=scope, calendar=cal, series_months=12)
        per_commune = {}
        for row in figures.units:
            point = monthly_series(conn, [month], communes=[row.code], calendar=cal)[0]
            per_commune[row.code] = point
    series = [{"month": p.month, "label": f"{int(p.month[5:]):d}/{p.month[2:4]}", "total": p.total,
               "online": p.online, "on_time": p.on_time, "overdue": p.overdue} for p in figures.series]
    months = last_months(this_month(), 24)[::-1]
    return render(request, "dashboard.html", principal, active="tong-quan", title="Tổng quan", f=figures,
                  month=month, month_label=f"{MONTH_NAMES[int(month[5:])]}/{month[:4]}", months=months,
                  communes=communes, commune=ma_xa or "", per_commune=per_commune, chart=bar_chart(series),
                  pct=vn_percent)


# ---------------------------------------------------------------- land users by reconciliation state

STATES = {
    "khop": "Khớp CSDL dân cư",
    "da-cap-nhat": "Đã cập nhật từ CSDL dân cư",
    "xac-minh": "Chờ xác minh",
    "khong-khop": "Không khớp",
    "chua-doi-soat": "Chưa đối soát",
}
LAND_USER_PAGE = 100


@router.get("/ui/nguoi-su-dung")
def land_users(
    request: Request,
    principal: Annotated[Principal, Depends(STAFF)],
    tinh_trang: Annotated[str | None, Query(max_length=20)] = None,
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    trang: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """The land users behind the dashboard's reconciliation figures, with the definitions of
    ``reconcile_progress`` (a person holding land in several communes is listed once per commune)."""
    ma_xa = ma_xa or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    state = tinh_trang if tinh_trang in STATES else None
    full = principal.needs_full_personal_data()
    with store_of(request).read() as conn:
        communes = commune_choices(conn, principal)
        scope = None if ma_xa is not None or sees_every_commune(principal) else [c for c, _ in communes]
        total, rows = rp.land_users_page(conn, state=state, commune_code=ma_xa, communes=scope,
                                         limit=LAND_USER_PAGE, offset=(trang - 1) * LAND_USER_PAGE)
        names = unit_names(conn, {r.commune_code for r in rows})
    items = [{"commune": names.get(r.commune_code, r.commune_code), "code": r.code, "name": r.full_name,
              "kind": r.kind, "number": r.personal_number if full else mask_number(r.personal_number),
              "birth_year": r.birth_year, "state": STATES[r.state], "enriched": r.enriched is not None}
             for r in rows]
    if rows:
        with store_of(request).transaction() as conn:
            log_access(conn, principal, action="xem danh sách người sử dụng đất",
                       resource=f"ui/nguoi-su-dung?{request.url.query}"[:500],
                       purpose=purposes.RECONCILE_PROGRESS,
                       subjects=sorted({str(r.id) for r in rows}))
    pages = max(1, -(-total // LAND_USER_PAGE))
    return render(request, "land_users.html", principal, active="tong-quan", title="Người sử dụng đất",
                  items=items, total=total, states=STATES, state=state or "", communes=communes,
                  commune=ma_xa or "", page=trang, pages=pages)
