"""The reconciliation review queue, made for hundreds of decisions in a row.

Each case shows the land record beside every candidate citizen of the population register, the
cells that differ from the land record highlighted, and the matcher's reasons. The decision —
accept a candidate, reject the proposal (postpone: more evidence needed), or no match — always
with a reason, goes through the API's own route (``POST /api/v1/reconcile/reviews/{id}/decision``,
``web/api/reviews.py``): from the page's script with the session cookie and the CSRF header, or,
without script, as a plain form to ``/ui/doi-soat/{id}/quyet-dinh`` which calls the same function.

Keyboard (``static/review.js``): ``1``–``9`` choose a candidate, ``A`` or ``Enter`` accept it,
``N`` no match, ``H`` reject (postpone), ``J``/``K`` next/previous case, ``/`` the reason field.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from datdai.apps.web import review_actions as actions
from datdai.apps.web.ui.common import (
    DATA_ROLES,
    Principal,
    check_commune,
    page_role,
    render,
    store_of,
)
from datdai.dossiers.errors import DossierError
from datdai.kernel.text import fold_key
from datdai.land.places import commune_choices, unit_names
from datdai.matching.reconcile_progress import reconcile_progress
from datdai.reporting.office_sheets import XLSX, write_reconcile_progress, write_review_queue

router = APIRouter(include_in_schema=False)
DATA_STAFF = page_role(*DATA_ROLES)
PAGE_SIZE = 50

REASON_LABELS = {
    "ID_EXACT": "Số định danh đang ghi trùng với công dân",
    "CMND_TO_CCCD": "Số CMND cũ khớp với công dân (chuyển sang số định danh)",
    "CMND_TO_CCCD_QR": "CMND cũ liên kết với số định danh qua mã QR trên thẻ CCCD",
    "ID_BELONGS_TO_OTHER": "Số giấy tờ thuộc về người khác: họ tên hoặc năm sinh không khớp",
    "ID_CONFLICT": "Số giấy tờ đang ghi khác số của ứng viên",
    "MULTIPLE_CANDIDATES": "Nhiều ứng viên có điểm gần nhau",
    "NAME_EXACT": "Họ tên trùng khớp",
    "NAME_FUZZY": "Họ tên gần giống",
    "BIRTH_DATE_MATCH": "Ngày sinh trùng khớp",
    "BIRTH_YEAR_MATCH": "Năm sinh trùng khớp",
    "BIRTH_YEAR_NEAR": "Năm sinh lệch ít",
    "BIRTH_YEAR_CONFLICT": "Năm sinh khác nhau",
    "BIRTH_YEAR_MISSING": "Thiếu năm sinh",
    "COMMUNE_MATCH": "Cùng xã",
    "ADDRESS_MATCH": "Cùng thôn, ấp, khu phố",
    "ID_OF_OTHER_PERSON": "Số giấy tờ đang ghi là của người khác; đã tìm thấy chủ sử dụng theo các trường khác",
    "NAMESAKE_SAME_YEAR": "Có người trùng họ tên và năm sinh trong CSDL dân cư",
    "SAME_CITIZEN_OTHER_NAME": "Cùng một công dân được khớp cho các dòng mang tên khác nhau",
    "LOW_SCORE": "Xác suất chưa đủ để tự động khớp",
    "NAME_ORDER": "Họ tên đủ các tiếng nhưng khác thứ tự",
    "NAME_MIDDLE": "Trùng họ và tên, khác tên đệm",
    "NAME_ACCENT": "Trùng chữ nhưng khác dấu",
    "NAME_GIVEN_VARIANT": "Trùng họ, tên gần giống",
    "NAME_SURNAME_ONLY": "Chỉ trùng họ",
    "NAME_GIVEN_ONLY": "Chỉ trùng tên",
    "NAME_PARTIAL": "Một phần họ tên trùng",
    "NAME_CONFLICT": "Họ tên khác",
    "BIRTH_DATE_NEAR": "Ngày sinh đảo ngày/tháng hoặc lệch một chữ số",
    "ADDRESS_SIMILAR": "Địa chỉ gần giống",
    "ADDRESS_OTHER": "Địa chỉ khác",
    "PROVINCE_MATCH": "Cùng tỉnh",
    "GENDER_CONFLICT": "Giới tính khác",
    "ID_TYPO": "Số giấy tờ gần giống (sai một, hai chữ số)",
}
NOTICES = {"da-luu": "Đã ghi quyết định."}


def _year(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    return text[-4:] if len(text) >= 4 and text[-4:].isdigit() else None


def _differences(land: dict[str, Any], cand: dict[str, Any]) -> dict[str, bool]:
    """Which of the candidate's cells differ from the land record (missing on either side: not
    highlighted, there is nothing to compare)."""
    out = {}
    if land.get("full_name") and cand.get("ho_ten"):
        out["ho_ten"] = fold_key(land["full_name"]) != fold_key(cand["ho_ten"])
    ly, cy = _year(land.get("birth")), _year(cand.get("ngay_sinh"))
    if ly and cy:
        both_full = len(land["birth"] or "") == 10 and len(cand["ngay_sinh"] or "") == 10
        out["ngay_sinh"] = (land["birth"] != cand["ngay_sinh"]) if both_full else ly != cy
    if land.get("gender") and cand.get("gioi_tinh"):
        out["gioi_tinh"] = land["gender"] != cand["gioi_tinh"]
    numbers = {n for _t, n in land.get("documents") or [] if n} | ({land["personal_number"]}
                                                                  if land.get("personal_number") else set())
    if numbers:
        out["so_dinh_danh"] = cand.get("so_dinh_danh") not in numbers
        if cand.get("so_cmnd"):
            out["so_cmnd"] = cand["so_cmnd"] not in numbers
    return out


def _case_view(case: dict[str, Any]) -> dict[str, Any]:
    case = dict(case)
    case["candidates"] = [{**c, "diff": _differences(case["land"], c)} for c in case["candidates"]]
    case["reason_texts"] = [REASON_LABELS.get(r, r) for r in case["reasons"]]
    return case


@router.get("/ui/doi-soat")
def review_page(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    trang: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    ma_xa = ma_xa or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    # the API's own listing: scope, masking and the access log as GET /api/v1/reconcile/reviews
    page = actions.review_page(request, principal, ma_xa=ma_xa, limit=PAGE_SIZE, offset=(trang - 1) * PAGE_SIZE)
    cases = [_case_view(c) for c in page["items"]]
    with store_of(request).read() as conn:
        communes = commune_choices(conn, principal)
        names = unit_names(conn, {c["land"]["commune_code"] for c in cases})
    return render(request, "reviews.html", principal, active="doi-soat", title="Đối soát dân cư",
                  cases=cases, names=names, communes=communes, commune=ma_xa or "", page=trang,
                  has_more=page["has_more"], notice=NOTICES.get(request.query_params.get("tb", "")))


@router.post("/ui/doi-soat/{result_id}/quyet-dinh")
def decide_form(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    result_id: int,
    quyet_dinh: Annotated[str, Form(max_length=12)],
    ly_do: Annotated[str, Form(max_length=2000)] = "",
    ung_vien: Annotated[str, Form(max_length=20)] = "",
    ma_xa: Annotated[str, Form(max_length=5)] = "",
):
    """The decision without script: the API route's function, its refusals shown on the page."""
    problem = None
    try:
        body = actions.DecisionIn(decision=quyet_dinh, reason=ly_do.strip() or " ",
                              so_dinh_danh=(ung_vien.strip() or None) if quyet_dinh == "accept" else None)
        actions.decide_review(request, body, principal, result_id)
    except ValidationError:
        problem = "Quyết định không hợp lệ."
    except DossierError as exc:
        problem = str(exc).split(" / ")[0]
    except HTTPException as exc:
        problem = str(exc.detail).split(" / ")[0]
    back = "/ui/doi-soat" + (f"?ma_xa={ma_xa}" if ma_xa.isdigit() and len(ma_xa) == 5 else "")
    if problem is None:
        return RedirectResponse(back + ("&" if "?" in back else "?") + "tb=da-luu", status_code=303)
    response = review_page(request, principal, ma_xa=ma_xa or None, trang=1)
    response.context["problem"] = f"Chưa ghi được quyết định cho trường hợp #{result_id}: {problem}"
    return render(request, "reviews.html", principal, status_code=422, **{
        k: v for k, v in response.context.items() if k not in ("request", "nav", "account", "csrf", "vendor_ok")})


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                    "Cache-Control": "no-store"})


@router.get("/ui/doi-soat/hang-doi.xlsx")
def review_xlsx(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
                ma_xa: Annotated[str | None, Query(max_length=5)] = None):
    """The whole queue in the officer's scope, one row per candidate (as the page shows them)."""
    ma_xa = ma_xa or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    cases, _ = actions.scoped_cases(request, principal, ma_xa=ma_xa, limit=None)
    buf = io.BytesIO()
    write_review_queue(buf, cases)
    return _xlsx(buf.getvalue(), f"hang-doi-doi-soat{'-' + ma_xa if ma_xa else ''}.xlsx")


@router.get("/ui/doi-soat/tien-do.xlsx")
def review_progress_xlsx(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)]):
    with store_of(request).read() as conn:
        figures = reconcile_progress(conn)
    rows = [f for f in figures.communes if f.code and principal.can_see_commune(f.code)]
    if principal.role == "admin":
        rows += [*figures.provinces, figures.overall]
    buf = io.BytesIO()
    write_reconcile_progress(buf, rows)
    return _xlsx(buf.getvalue(), "tien-do-doi-soat.xlsx")
