"""What the API (``web/api/reviews.py``) and the review page (``web/ui/reviews.py``) do with
the reconciliation review queue: list a page of cases within the caller's communes (numbers
masked unless the role needs them) and record a decision, each access-logged. The decision
vocabulary is the API's (see ``web/api/reviews.py``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from datdai.access import purposes
from datdai.apps.web.auth import Principal, log_access, require_commune
from datdai.apps.web.routing import full_numbers, store_of
from datdai.dossiers.errors import InvalidInput
from datdai.matching.comparisons import field_columns
from datdai.matching.explain import describe
from datdai.matching.reconcile_results import Decision, ReconcileConflict, ReconcileNotFound
from datdai.matching.reconcile_review import case_row
from datdai.matching.reconciliation import ReconcileError, decide, review_queue

PURPOSE = purposes.RECONCILE


class ApiDecision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    NO_MATCH = "no_match"


DECISIONS = {ApiDecision.ACCEPT: Decision.CHOOSE, ApiDecision.NO_MATCH: Decision.NO_MATCH,
             ApiDecision.REJECT: Decision.POSTPONE}


class LandRecordOut(BaseModel):
    party_id: int | None = Field(description="mã nội bộ của người sử dụng đất")
    party_code: str | None = Field(description="mã người sử dụng đất trong dữ liệu")
    kind: str | None = Field(description="loại người sử dụng đất")
    full_name: str | None = Field(description="họ tên")
    birth: str | None = Field(description="ngày sinh (chỉ năm nếu vai trò không cần đầy đủ)")
    gender: str | None = Field(description="giới tính")
    personal_number: str | None = Field(description="số định danh đang ghi (che bớt nếu cần)")
    documents: list[list[str | None]] = Field(description="giấy tờ [loại, số] (số che bớt nếu cần)")
    address: str | None = Field(description="địa chỉ")
    parcel_id: int | None = Field(description="mã nội bộ của thửa đất")
    commune_code: str | None = Field(description="mã xã")
    sheet_no: int | None = Field(description="số tờ")
    parcel_no: int | None = Field(description="số thửa")


class FieldEvidenceOut(BaseModel):
    truong: str = Field(description="trường so sánh: ho_ten, ngay_sinh, dia_chi, gioi_tinh, giay_to")
    ten: str = Field(description="tên trường cho người đọc (Họ tên, …)")
    muc: str = Field(description="mức so khớp đạt được (mã, ví dụ exact_accent, year_only, null)")
    mo_ta: str = Field(description="mức so khớp cho người đọc (trùng cả dấu, …)")
    diem: float = Field(description="đóng góp của trường (bit): dương ủng hộ, âm phản đối, 0 không có để so")


class EvidenceOut(BaseModel):
    xac_suat: float | None = Field(description="xác suất ứng viên là người này, trong CSDL dân cư đã tìm")
    trong_so: float | None = Field(description="tổng điểm (bit) của các trường")
    truong: list[FieldEvidenceOut] = Field(description="đóng góp của từng trường")


class CandidateOut(BaseModel):
    so_dinh_danh: str = Field(description="số định danh của ứng viên (che bớt nếu cần)")
    rank: int = Field(description="thứ tự (1 = phù hợp nhất); dùng được thay cho số định danh khi chọn")
    found: bool = Field(description="có trong bản trích cơ sở dữ liệu dân cư đang lưu")
    ho_ten: str | None = Field(description="họ tên")
    so_cmnd: str | None = Field(description="số CMND (che bớt nếu cần)")
    ngay_sinh: str | None = Field(description="ngày sinh (chỉ năm nếu cần)")
    gioi_tinh: str | None = Field(description="giới tính")
    thuong_tru: str | None = Field(description="nơi thường trú")
    noi_o_hien_tai: str | None = Field(description="nơi ở hiện tại")
    giai_thich: EvidenceOut | None = Field(None, description="vì sao bộ đối soát đề xuất ứng viên này: đóng "
                                           "góp của từng trường (không có với kết quả do C06 trả về)")


class ReviewCaseOut(BaseModel):
    result_id: int = Field(description="mã kết quả đối soát (dùng trong đường dẫn quyết định)")
    run_id: int = Field(description="lần đối soát")
    ma_dong: str = Field(description="mã dòng trong tệp xuất")
    ket_qua: str = Field(description="kết quả đối soát: CAN_XAC_MINH, …")
    status: str = Field(description="trạng thái: MO (chờ xác minh), HOAN (tạm hoãn)")
    diem: float | None = Field(description="điểm tương đồng")
    reasons: list[str] = Field(description="lý do của kết quả")
    review_reason: str | None = Field(description="lý do chuyển xác minh")
    decision: str | None = Field(description="quyết định trước đó (CHON, KHONG_KHOP, HOAN)")
    decided_by: str | None = Field(description="người quyết định trước đó")
    land: LandRecordOut = Field(description="bản ghi trong cơ sở dữ liệu đất đai")
    candidates: list[CandidateOut] = Field(description="các ứng viên trong cơ sở dữ liệu dân cư")


class ReviewPage(BaseModel):
    items: list[ReviewCaseOut] = Field(description="các trường hợp chờ xác minh, theo xã")
    limit: int = Field(description="số trường hợp tối đa mỗi trang")
    offset: int = Field(description="vị trí bắt đầu")
    has_more: bool = Field(description="còn trang tiếp theo")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: ApiDecision = Field(description="accept (chọn một ứng viên → CHON), no_match (không ứng viên nào "
                                  "là người này → KHONG_KHOP, đóng), reject (bác đề xuất, chưa đủ căn cứ, cần xác "
                                  "minh thêm → HOAN, giữ trong hàng đợi)")
    so_dinh_danh: str | None = Field(None, description="với accept: số định danh của ứng viên được chọn, hoặc "
                                     "thứ tự của ứng viên (1, 2, …)", max_length=20)
    reason: str = Field(description="lý do quyết định (bắt buộc)", min_length=1, max_length=2000)


class DecisionOut(BaseModel):
    result_id: int = Field(description="mã kết quả đối soát")
    decision: str = Field(description="quyết định theo API (accept / reject / no_match)")
    stored_decision: str = Field(description="quyết định đã lưu: CHON / KHONG_KHOP / HOAN")
    status: str = Field(description="trạng thái mới: CHO_AP_DUNG, DONG, HOAN")


def _case_out(c) -> dict[str, Any]:
    land = c.land
    return {
        "result_id": c.result_id, "run_id": c.run_id, "ma_dong": c.ma_dong, "ket_qua": c.ket_qua,
        "status": c.status, "diem": c.diem, "reasons": c.reasons, "review_reason": c.review_reason,
        "decision": c.decision, "decided_by": c.decided_by,
        "land": {"party_id": land.party_id, "party_code": land.party_code, "kind": land.kind,
                 "full_name": land.full_name, "birth": land.birth, "gender": land.gender,
                 "personal_number": land.personal_number, "documents": [list(d) for d in land.documents],
                 "address": land.address, "parcel_id": land.parcel_id, "commune_code": land.commune_code,
                 "sheet_no": land.sheet_no, "parcel_no": land.parcel_no},
        "candidates": [{"so_dinh_danh": x.so_dinh_danh, "rank": x.rank, "found": x.found, "ho_ten": x.ho_ten,
                        "so_cmnd": x.so_cmnd, "ngay_sinh": x.ngay_sinh, "gioi_tinh": x.gioi_tinh,
                        "thuong_tru": x.thuong_tru, "noi_o_hien_tai": x.noi_o_hien_tai,
                        "giai_thich": _evidence_out(x.evidence)} for x in c.candidates],
    }


def _evidence_out(evidence: dict | None) -> dict | None:
    if not evidence:
        return None

    columns = list(field_columns().values())
    return {"xac_suat": evidence.get("xac_suat"), "trong_so": evidence.get("trong_so"),
            "truong": [{"truong": col, "ten": e.field, "muc": (evidence["truong"].get(col) or ["null"])[0],
                        "mo_ta": e.level, "diem": round(e.bits, 2)}
                       for col, e in zip(columns, describe(evidence))]}


def review_page(request: Request, principal: Principal, *, ma_xa: str | None = None,
                limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of the queue (``ReviewPage``): open cases first, within ``principal``'s communes."""
    if ma_xa is not None:
        require_commune(principal, ma_xa)
    cases, more = scoped_cases(request, principal, ma_xa=ma_xa, limit=limit, offset=offset)
    return {"items": [_case_out(c) for c in cases], "limit": limit, "offset": offset, "has_more": more}


def scoped_cases(request: Request, principal: Principal, *, ma_xa: str | None = None, limit: int | None = 50,
                 offset: int = 0) -> tuple[list, bool]:
    """(cases, more): the open cases within ``principal``'s communes (all of them with ``limit``
    None), masked unless the role needs the numbers; the read access-logged."""
    if ma_xa is not None:
        require_commune(principal, ma_xa)
    mask = not full_numbers(principal)
    with store_of(request).transaction() as conn:
        if ma_xa is not None or principal.role == "admin":
            cases = review_queue(conn, commune_code=ma_xa, limit=None if limit is None else limit + 1,
                                 offset=offset, mask=mask)
            more = limit is not None and len(cases) > limit
            cases = cases[:limit]
        else:  # a scoped officer: review_queue filters one commune, so filter the queue by scope
            visible = [c for c in review_queue(conn, limit=None, mask=mask)
                       if c.land.commune_code is not None and principal.can_see_commune(c.land.commune_code)]
            end = None if limit is None else offset + limit
            cases, more = visible[offset:end], end is not None and len(visible) > end
        if cases:
            subjects = sorted({str(c.land.party_id) for c in cases if c.land.party_id is not None})
            log_access(conn, principal, action="xem hàng đợi đối soát",
                       resource=f"reconcile/reviews?{request.url.query}"[:500], purpose=PURPOSE, subjects=subjects)
    return cases, more


def decide_review(request: Request, body: DecisionIn, principal: Principal,
                  result_id: int) -> dict[str, Any]:
    """Record ``principal``'s decision on case ``result_id`` (``DecisionOut``); refused, with
    nothing changed, when the case is not the caller's to decide, already applied, or the
    decision does not fit it."""
    if body.decision == ApiDecision.ACCEPT and not (body.so_dinh_danh or "").strip():
        err = InvalidInput("accept cần số định danh (hoặc thứ tự) của ứng viên được chọn / "
                           "accept needs so_dinh_danh")
        err.field = "so_dinh_danh"
        raise err
    if body.decision != ApiDecision.ACCEPT and body.so_dinh_danh:
        err = InvalidInput("chỉ ghi so_dinh_danh với accept / so_dinh_danh goes with accept only")
        err.field = "so_dinh_danh"
        raise err
    if not body.reason.strip():
        err = InvalidInput("cần ghi lý do quyết định / a reason is required")
        err.field = "reason"
        raise err
    with store_of(request).transaction() as conn:
        row = case_row(conn, result_id)
        require_commune(principal, row.commune_code or "")
        try:
            status = decide(conn, result_id, decision=DECISIONS[body.decision].value,
                            chosen_number=body.so_dinh_danh, reason=body.reason, actor=principal.username)
        except (ReconcileConflict, ReconcileNotFound):
            raise
        except ReconcileError as exc:
            err = InvalidInput(str(exc))
            err.field = "so_dinh_danh" if body.decision == ApiDecision.ACCEPT else "decision"
            raise err from None
        log_access(conn, principal, action="quyết định đối soát", resource=f"reconcile/reviews/{result_id}",
                   purpose=PURPOSE, subjects=[str(row.party_id)] if row.party_id is not None else [])
    return {"result_id": result_id, "decision": body.decision.value,
            "stored_decision": DECISIONS[body.decision].value, "status": status}
