"""Dossiers over HTTP: GET/POST /api/v1/dossiers, GET /dossiers/{id}, POST /dossiers/{id}/transitions.

Who: office staff within their communes (admin, can_bo_du_lieu, mot_cua, lanh_dao; kiem_toan reads),
and citizens (cong_dan) for their own dossiers only. Which transition a role may make is the
lifecycle's rule (``services.lifecycle.TRANSITIONS``): the service refuses with 403/409/422.

Errors are ``{"detail": "<lý do>"}`` (plus ``field`` when one field is at fault); a refused request
changes nothing (the service works in a savepoint, the route in one transaction that rolls back).
Personal numbers in responses are masked unless the caller's role needs them in full, and every
response carrying personal data is written to the access log.

"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, true

from datdai.access.visibility import scope_clause
from datdai.apps.web.auth import Principal, log_access, require, require_commune
from datdai.apps.web.dossier_actions import (
    ACTORS,
    IDEMPOTENCY_KEY_MAX,
    PURPOSE,
    READERS,
    SUBMITTERS,
    DossierDetail,
    DossierIn,
    DossierList,
    TransitionIn,
    file_dossier,
    move_dossier,
    read_dossier,
    summary,
)
from datdai.apps.web.routing import (
    ERROR_RESPONSES,
    MAX_ID,
    VnRoute,
    calendar_of,
    store_of,
    today_vn,
)
from datdai.db.schema import dossiers as dossiers_table
from datdai.dossiers import dossiers as ds
from datdai.dossiers.lifecycle import Role, State

router = APIRouter(prefix="/dossiers", tags=["hồ sơ thủ tục / dossiers"], route_class=VnRoute,
                   responses=ERROR_RESPONSES)


# ---------------------------------------------------------------- routes

@router.get("", response_model=DossierList, summary="Danh sách hồ sơ / list dossiers",
            description="Hồ sơ trong phạm vi (xã) của cán bộ; công dân chỉ thấy hồ sơ của chính mình. "
            "Lọc theo trạng thái, thủ tục, xã; mới nhất trước.")
def list_dossiers(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    trang_thai: Annotated[State | None, Query(description="trạng thái hồ sơ")] = None,
    dich_vu: Annotated[str | None, Query(description="mã thủ tục", max_length=60)] = None,
    ma_xa: Annotated[str | None, Query(description="mã xã (5 chữ số)", pattern=r"^\d{5}$")] = None,
    limit: Annotated[int, Query(description="số hồ sơ tối đa (1–500)", ge=1, le=500)] = 100,
    offset: Annotated[int, Query(description="bỏ qua bao nhiêu hồ sơ", ge=0, le=MAX_ID)] = 0,
) -> DossierList:
    t = dossiers_table
    cond = []
    if trang_thai is not None:
        cond.append(t.c.state == str(trang_thai))
    if dich_vu:
        cond.append(t.c.service_code == dich_vu)
    if ma_xa:
        if principal.role != Role.CITIZEN:
            require_commune(principal, ma_xa)
        cond.append(t.c.commune_code == ma_xa)
    cal, today = calendar_of(request), today_vn()
    with store_of(request).transaction() as conn:
        if principal.role == Role.CITIZEN:
            cond.append(t.c.applicant_personal_number == (principal.personal_number or "\x00"))
        elif not ma_xa:
            # dossiers without a parcel (no commune) are seen by staff of every commune
            cond.append(scope_clause(conn, principal, t.c.commune_code, unplaced=True))
        where = cond or [true()]
        total = conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
        rows = conn.execute(select(t).where(*where).order_by(t.c.id.desc()).limit(limit).offset(offset)).all()
        found = [ds.Dossier.from_row(r) for r in rows]
        items = [summary(conn, d, principal, cal, today) for d in found]
        subjects = sorted({d.applicant_personal_number for d in found if d.applicant_personal_number})
        if found:
            log_access(conn, principal, action="xem danh sách hồ sơ", resource="dossiers", purpose=PURPOSE,
                       subjects=subjects)
    return DossierList(items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=DossierDetail, status_code=201, summary="Nộp hồ sơ / submit a dossier",
             description="Tạo hồ sơ (trạng thái DA_NOP). Bắt buộc tiêu đề `Idempotency-Key`: gửi lại cùng khóa "
             "trả về hồ sơ đã tạo lần đầu (200) thay vì tạo hồ sơ mới (201). Công dân chỉ nộp cho chính mình.",
             responses={200: {"description": "hồ sơ đã được tạo trước đó với cùng Idempotency-Key"},
                        201: {"description": "hồ sơ mới"},
                        400: {"description": "thiếu tiêu đề Idempotency-Key"},
                        404: {"description": "không có thửa đất / người sử dụng đất"}})
def create_dossier(
    request: Request,
    response: Response,
    body: DossierIn,
    principal: Annotated[Principal, Depends(require(*SUBMITTERS))],
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", description=f"khóa chống trùng do bên gửi chọn (1–{IDEMPOTENCY_KEY_MAX} ký tự), "
        "duy nhất cho mỗi hồ sơ muốn tạo")] = None,
) -> dict[str, Any]:
    if idempotency_key is None or not idempotency_key.strip():
        return JSONResponse(status_code=400, content={
            "detail": "thiếu tiêu đề Idempotency-Key (khóa chống trùng khi nộp hồ sơ) / "
                      "the Idempotency-Key header is required", "field": "Idempotency-Key"})
    out, created = file_dossier(request, body, principal, idempotency_key)
    response.status_code = 201 if created else 200
    return out


@router.get("/{dossier_id}", response_model=DossierDetail, summary="Một hồ sơ / one dossier",
            description="Hồ sơ với lịch sử xử lý, các lần tạm dừng, giấy tờ, hạn giải quyết và tình trạng "
            "đúng hạn. `dossier_id` là mã nội bộ hoặc mã hồ sơ (HS-…).",
            responses={404: {"description": "không có hồ sơ"}})
def get_dossier(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    dossier_id: Annotated[str, Path(description="mã nội bộ (số) hoặc mã hồ sơ", max_length=40)],
) -> dict[str, Any]:
    return read_dossier(request, principal, dossier_id)


@router.post("/{dossier_id}/transitions", response_model=DossierDetail,
             summary="Chuyển trạng thái hồ sơ / move a dossier on",
             description="Chuyển hồ sơ sang trạng thái (hoặc bước xử lý) kế tiếp. Chỉ các chuyển đổi được "
             "phép từ trạng thái hiện tại (409 nếu không), bởi vai trò được phép (403). Bước CHUYEN_THUE đưa "
             "thông tin chuyển nhượng vào hàng đợi gửi cơ quan thuế (Mô hình 46) cùng giao dịch.",
             responses={404: {"description": "không có hồ sơ"},
                        409: {"description": "không được chuyển từ trạng thái hiện tại"}})
def transition(
    request: Request,
    body: TransitionIn,
    principal: Annotated[Principal, Depends(require(*ACTORS))],
    dossier_id: Annotated[str, Path(description="mã nội bộ (số) hoặc mã hồ sơ", max_length=40)],
) -> dict[str, Any]:
    return move_dossier(request, body, principal, dossier_id)
