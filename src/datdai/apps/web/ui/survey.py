"""The field survey's proposals, reviewed by the data officers of the communes they cover.

``/ui/dieu-tra``: progress per commune (parcels surveyed, proposals applied), then the pending
proposals — old value beside the new one, the conflict found, the surveyor, the photos of papers
— each accepted or rejected on its own, or all conflict-free ones of a commune at once; the
accepted ones applied in one audit batch, and an application undone. The same functions as the
command line (``services/survey.py``); personal numbers masked unless the role needs them; every
listing with personal data access-logged with the survey's purpose.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from datdai.access import purposes
from datdai.access.masking import mask_number
from datdai.apps.web.auth import log_access
from datdai.apps.web.ui.common import (
    DATA_ROLES,
    Principal,
    check_commune,
    page_role,
    render,
    store_of,
)
from datdai.cleaning import survey
from datdai.db.files import FileStore, default_root
from datdai.kernel.errors import DatdaiError, NotFound
from datdai.land.places import commune_choices, unit_names, visible_parcel_communes

router = APIRouter(include_in_schema=False)
DATA_STAFF = page_role(*DATA_ROLES)
PAGE_SIZE = 100
STATUS_LABELS = {survey.PENDING: "Chờ duyệt", survey.ACCEPTED: "Đã chấp nhận", survey.REJECTED: "Đã từ chối",
                 survey.APPLIED: "Đã áp dụng"}
CONFLICT_LABELS = {"SO_DIA_CHINH": "Khác sổ địa chính", "DAN_CU": "Khác CSDL dân cư",
                   "QR": "Mã QR khác số gõ tay", "KHONG_CO_DOI_TUONG": "Không có đối tượng để cập nhật"}
NOTICES = {"da-luu": "Đã ghi quyết định.", "da-ap-dung": "Đã áp dụng vào cơ sở dữ liệu (một lô nhật ký, hoàn tác được).",
           "da-hoan-tac": "Đã hoàn tác lần áp dụng.", "khong-co": "Không có đề xuất đã chấp nhận để áp dụng."}


def _scope(conn, principal: Principal, ma_xa: str | None) -> list[str] | None:
    if ma_xa:
        check_commune(principal, ma_xa)
        return [ma_xa]
    return visible_parcel_communes(conn, principal)


def _back(ma_xa: str, notice: str) -> RedirectResponse:
    q = f"?ma_xa={ma_xa}&tb={notice}" if ma_xa.isdigit() and len(ma_xa) == 5 else f"?tb={notice}"
    return RedirectResponse("/ui/dieu-tra" + q, status_code=303)


@router.get("/ui/dieu-tra")
def survey_page(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    trang_thai: Annotated[str | None, Query(max_length=12)] = survey.PENDING,
    problem: str | None = None,
):
    ma_xa = ma_xa or None
    status = trang_thai if trang_thai in STATUS_LABELS else None
    full = principal.needs_full_personal_data()
    with store_of(request).transaction() as conn:
        scope = _scope(conn, principal, ma_xa)
        communes = commune_choices(conn, principal)
        rows = survey.proposals(conn, communes=scope, status=status, limit=PAGE_SIZE)
        progress = survey.progress(conn, scope)
        names = unit_names(conn, {p.commune_code for p in progress})
        batches = sorted({p.applied_batch_id for p in survey.proposals(conn, communes=scope, status=survey.APPLIED,
                                                                       limit=10_000) if p.applied_batch_id})
        personal = [p for p in rows if p.field in survey.PERSONAL_FIELDS]
        if personal:
            log_access(conn, principal, action="xem đề xuất điều tra thực địa",
                       resource=f"ui/dieu-tra?{request.url.query}"[:500], purpose=purposes.SURVEY,
                       subjects=sorted({p.new_value for p in personal if p.field == "so_dinh_danh"}
                                       | {p.old_value for p in personal if p.field == "so_dinh_danh" and p.old_value}))
    items = []
    for p in rows:
        show = (lambda v: v) if full or p.field != "so_dinh_danh" else mask_number
        items.append({"p": p, "old": show(p.old_value), "new": show(p.new_value),
                      "note": p.conflict_note if full else (p.conflict_note and mask_number_in(p.conflict_note)),
                      "conflict": CONFLICT_LABELS.get(p.conflict or "", ""),
                      "status": STATUS_LABELS.get(p.status, p.status)})
    return render(request, "survey.html", principal, active="dieu-tra", title="Điều tra thực địa",
                  items=items, progress=progress, names=names, communes=communes, commune=ma_xa or "",
                  status=status or "", statuses=STATUS_LABELS, batches=batches, problem=problem,
                  notice=NOTICES.get(request.query_params.get("tb", "")),
                  status_code=422 if problem else 200)


def mask_number_in(text: str) -> str:
    from datdai.access.masking import mask_id_numbers

    return mask_id_numbers(text) or ""


def _act(request: Request, principal: Principal, ma_xa: str, notice: str, action) -> Response:
    try:
        with store_of(request).transaction() as conn:
            scope = _scope(conn, principal, ma_xa or None)
            result = action(conn, scope)
    except DatdaiError as exc:
        return survey_page(request, principal, ma_xa=ma_xa or None, trang_thai=survey.PENDING,
                           problem=str(exc).split(" / ")[0])
    return _back(ma_xa, "khong-co" if result is False else notice)


@router.post("/ui/dieu-tra/{proposal_id}/quyet-dinh")
def decide_one(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)], proposal_id: int,
               quyet_dinh: Annotated[str, Form(max_length=12)], ly_do: Annotated[str, Form(max_length=2000)] = "",
               ma_xa: Annotated[str, Form(max_length=5)] = ""):
    return _act(request, principal, ma_xa, "da-luu", lambda conn, scope: survey.decide(
        conn, decision=quyet_dinh, by=principal.username, reason=ly_do.strip() or None,
        proposal_ids=[proposal_id], communes=scope))


@router.post("/ui/dieu-tra/duyet-tat-ca")
def accept_all(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
               ma_xa: Annotated[str, Form(max_length=5)] = ""):
    return _act(request, principal, ma_xa, "da-luu", lambda conn, scope: survey.decide(
        conn, decision=survey.ACCEPTED, by=principal.username, reason="duyệt tất cả đề xuất không xung đột",
        communes=scope))


@router.post("/ui/dieu-tra/ap-dung")
def apply_accepted(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
                   ma_xa: Annotated[str, Form(max_length=5)] = ""):
    def run(conn, scope):
        return survey.apply_accepted(conn, actor=principal.username, communes=scope).batch_id is not None
    return _act(request, principal, ma_xa, "da-ap-dung", run)


@router.post("/ui/dieu-tra/hoan-tac/{batch_id}")
def revert(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)], batch_id: int,
           ly_do: Annotated[str, Form(min_length=1, max_length=2000)], ma_xa: Annotated[str, Form(max_length=5)] = ""):
    def run(conn, scope):
        if scope is not None:  # only a batch whose proposals are all in the officer's communes
            outside = [p for p in survey.proposals(conn, status=survey.APPLIED, limit=100_000)
                       if p.applied_batch_id == batch_id and p.commune_code not in scope]
            if outside:
                raise NotFound(f"lô #{batch_id} có đề xuất ngoài phạm vi được giao")
        survey.revert_applied(conn, batch_id, actor=principal.username, reason=ly_do.strip())
    return _act(request, principal, ma_xa, "da-hoan-tac", run)


@router.get("/ui/dieu-tra/anh/{submission_id}/{index}")
def photo(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)], submission_id: int, index: int):
    """A photo of papers of a submission (scope-checked, access-logged)."""
    with store_of(request).transaction() as conn:
        commune, meta = survey.submission_photo(conn, submission_id, index)
        check_commune(principal, commune or "")
        log_access(conn, principal, action="xem ảnh giấy tờ điều tra thực địa",
                   resource=f"ui/dieu-tra/anh/{submission_id}/{index}", purpose=purposes.SURVEY)
    data = FileStore(default_root(store_of(request).url)).get(meta["path"])
    return Response(data, media_type="image/jpeg" if meta["file"].lower().endswith((".jpg", ".jpeg")) else
                    "application/octet-stream")
