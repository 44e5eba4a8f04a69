"""The reconciliation review queue over HTTP: GET /api/v1/reconcile/reviews and
POST /api/v1/reconcile/reviews/{id}/decision.

Who: data staff (can_bo_du_lieu, admin), a data officer within their communes. A case shows the
land record beside each candidate of the population register; numbers and birth dates are masked
unless the role needs them (admin sees them masked and picks a candidate by its position).

Decision vocabulary (API → ``store.reconcile_review.decide``):

* ``accept`` → ``CHON``: one of the listed candidates is the person; ``so_dinh_danh`` is the chosen
  candidate's number, or its position 1, 2, … in the list. The result becomes CHO_AP_DUNG.
* ``no_match`` → ``KHONG_KHOP``: a finding that none of the candidates is the person; the case is
  closed (DONG) and nothing is applied.
* ``reject`` → ``HOAN``: the reviewer rejects the proposed match(es) as not decidable on the
  evidence at hand (e.g. a field check or the citizen's papers are needed) without concluding that
  the person is absent; the case stays in the queue (HOAN, after the open ones) and nothing is
  applied. It is the only one of decide()'s outcomes left for it: mapping ``reject`` to
  KHONG_KHOP too would make it a synonym of ``no_match`` and leave HOAN unreachable over HTTP.

``reason`` is always required. Errors of ``decide`` (unknown case, already applied, not a case for
review, a number that is not a candidate) map to 404/409/422.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from datdai.apps.web.auth import Principal, require
from datdai.apps.web.review_actions import (
    DecisionIn,
    DecisionOut,
    ReviewPage,
    decide_review,
    review_page,
)
from datdai.apps.web.routing import ERROR_RESPONSES, MAX_ID, VnRoute

DATA_STAFF = require("can_bo_du_lieu", "admin")

router = APIRouter(prefix="/reconcile/reviews", tags=["đối soát dân cư / reconciliation"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


@router.get("", response_model=ReviewPage, summary="Hàng đợi xác minh đối soát / the review queue",
            description="Các trường hợp đối soát cần người xác minh (MO, sau đó HOAN), theo xã. Cán bộ dữ liệu "
            "chỉ thấy các xã thuộc phạm vi được giao; số định danh, ngày sinh che bớt nếu vai trò không cần.")
def list_reviews(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(description="mã xã (5 chữ số)", pattern=r"^\d{5}$")] = None,
    limit: Annotated[int, Query(description="số trường hợp tối đa (1–500)", ge=1, le=500)] = 50,
    offset: Annotated[int, Query(description="bỏ qua bao nhiêu trường hợp", ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    return review_page(request, principal, ma_xa=ma_xa, limit=limit, offset=offset)


@router.post("/{result_id}/decision", response_model=DecisionOut,
             summary="Quyết định cho một trường hợp đối soát / decide a case",
             description="accept (chọn ứng viên theo số định danh hoặc thứ tự) → CHON; no_match → KHONG_KHOP; "
             "reject → HOAN (bác đề xuất, cần xác minh thêm). Bắt buộc lý do. Được quyết định lại cho tới khi "
             "kết quả được áp dụng vào dữ liệu.",
             responses={404: {"description": "không có kết quả đối soát"},
                        409: {"description": "kết quả đã áp dụng hoặc không chờ xác minh"}})
def decide_case(
    request: Request,
    body: DecisionIn,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    result_id: Annotated[int, Path(description="mã kết quả đối soát", ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    return decide_review(request, body, principal, result_id)
