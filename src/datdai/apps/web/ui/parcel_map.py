"""The parcel map page (``/ui/ban-do``), its features (``/ui/ban-do/du-lieu``) and the parcel panel
(``/ui/thua-dat/{id}``). What they show is read by :mod:`datdai.reporting.parcel_map`; the panel
checks the officer's commune scope and access-logs the owners it shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from datdai.access import purposes
from datdai.apps.web.auth import log_access
from datdai.apps.web.ui.common import (
    DATA_ROLES,
    PageNotFound,
    Principal,
    check_commune,
    communes_in_scope,
    page_role,
    render,
    store_of,
    unit_names,
)
from datdai.land.parcel_rights import STAFF_READERS
from datdai.reporting.parcel_map import (
    STATUS_LABELS,
    commune_extent,
    find_parcel,
    map_features,
    parcel_count,
    parcel_details,
    parcel_row,
    transformers,
)

router = APIRouter(include_in_schema=False)
READER = page_role(*STAFF_READERS)
MAX_PX = 8192


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        w, so, e, n = (float(x) for x in text.split(","))
    except ValueError:
        return None
    if not (-180 <= w < e <= 180 and -90 <= so < n <= 90):
        return None
    return w, so, e, n


@router.get("/ui/ban-do/du-lieu")
def map_data(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    ma_xa: Annotated[str, Query(pattern=r"^\d{5}$")],
    bbox: Annotated[str | None, Query(max_length=200)] = None,
    px: Annotated[int, Query(ge=1, le=MAX_PX)] = 1200,
) -> Response:
    check_commune(principal, ma_xa)
    with store_of(request).read() as conn:
        out = map_features(conn, ma_xa, _parse_bbox(bbox), px)
    return Response(orjson.dumps(out), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@router.get("/ui/ban-do")
def map_page(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    ma_xa: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    so_to: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
    so_thua: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
    thua: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
):
    with store_of(request).read() as conn:
        communes = communes_in_scope(conn, principal)
        selected_parcel = None
        problem = None
        if thua is not None:
            found = find_parcel(conn, "", None, None, thua)
            if found is None:
                raise PageNotFound(f"Không có thửa đất #{thua}.")
            ma_xa = found.commune_code
            selected_parcel = found
        if ma_xa is None and communes:
            ma_xa = communes[0][0]
        if ma_xa is not None:
            check_commune(principal, ma_xa)
        if selected_parcel is None and ma_xa and (so_to is not None or so_thua is not None):
            selected_parcel = find_parcel(conn, ma_xa, so_to, so_thua, None)
            if selected_parcel is None:
                problem = f"Không tìm thấy thửa số {so_thua or '?'} tờ {so_to or '?'} trong xã đang xem."
        extent = commune_extent(conn, ma_xa) if ma_xa else None
        focus = None
        if selected_parcel is not None and selected_parcel.srid is not None and selected_parcel.min_x is not None:
            focus = list(transformers(selected_parcel.srid)[0].transform_bounds(
                selected_parcel.min_x, selected_parcel.min_y, selected_parcel.max_x, selected_parcel.max_y))
        total = parcel_count(conn, ma_xa) if ma_xa else 0
    config = {"commune": ma_xa, "extent": extent, "focus": focus,
              "parcel": selected_parcel.id if selected_parcel is not None else None}
    return render(request, "map.html", principal, active="ban-do", title="Bản đồ thửa đất",
                  communes=communes, commune=ma_xa, so_to=so_to, so_thua=so_thua, total=total,
                  config=orjson.dumps(config).decode(), problem=problem, status_labels=STATUS_LABELS)


# ---------------------------------------------------------------- the parcel panel

@router.get("/ui/thua-dat/{parcel_id}")
def parcel_panel(request: Request, principal: Annotated[Principal, Depends(READER)], parcel_id: int,
                 khung: int = 0):
    """The parcel panel: a fragment for the map (``khung=1``) or a page of its own. Owners shown
    are access-logged in the same transaction."""
    with store_of(request).transaction() as conn:
        p = parcel_row(conn, parcel_id)
        if p is None:
            raise PageNotFound(f"Không có thửa đất #{parcel_id}.")
        check_commune(principal, p.commune_code)
        details = parcel_details(conn, p, principal)
        if details["subjects"]:
            log_access(conn, principal, action="xem thửa đất", resource=f"ui/thua-dat/{p.id}",
                       purpose=purposes.PARCELS, subjects=details["subjects"])
        names = unit_names(conn, [p.commune_code])
    template = "parcel_panel.html" if khung else "parcel_page.html"
    return render(request, template, principal, active="ban-do",
                  title=f"Thửa {p.parcel_no}, tờ {p.sheet_no}", today=dt.date.today(),
                  commune_name=names.get(p.commune_code, p.commune_code),
                  can_see_findings=principal.role in DATA_ROLES, **details)


__all__ = ["router"]
