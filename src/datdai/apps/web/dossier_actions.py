"""What the API (``web/api/dossiers.py``) and the dossier desk pages (``web/ui/dossiers.py``) do
with a dossier: file it, read it, move it on — checked against the caller's role and communes
(a citizen only their own), shaped for the caller (personal numbers masked unless the role
needs them) and access-logged. The request and response shapes are the API's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select

from datdai.access import purposes
from datdai.access.masking import mask_number
from datdai.apps.web.auth import Principal, log_access, require_commune
from datdai.apps.web.routing import (
    MAX_ID,
    calendar_of,
    full_numbers,
    mask_personal,
    personal_numbers_in,
    store_of,
    today_vn,
)
from datdai.db.schema import parcels
from datdai.dossiers import dossiers as ds
from datdai.dossiers import lifecycle as lc
from datdai.dossiers import model46
from datdai.dossiers.documents import dossier_documents_of
from datdai.dossiers.errors import InvalidInput, NotFound
from datdai.dossiers.lifecycle import Channel, Role, State, Step

PURPOSE = purposes.DOSSIERS
STAFF = (Role.ADMIN, Role.DATA_OFFICER, Role.CLERK, Role.MANAGER)
READERS = (*STAFF, "kiem_toan", Role.CITIZEN)
SUBMITTERS = (Role.ADMIN, Role.CLERK, Role.CITIZEN)
ACTORS = (*STAFF, Role.CITIZEN)
IDEMPOTENCY_KEY_MAX = 120


class ParcelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ma_xa: str = Field(description="mã xã (5 chữ số)", examples=["25216"])
    so_to: int = Field(description="số tờ bản đồ", ge=1, le=MAX_ID)
    so_thua: int = Field(description="số thửa", ge=1, le=MAX_ID)


class DossierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_code: str = Field(description="mã thủ tục (dịch vụ công), ví dụ CHUYEN_QUYEN, "
                              "THAY_DOI_THONG_TIN, THAY_DOI_NGHIA_VU_TAI_CHINH", min_length=1, max_length=60)
    applicant_name: str = Field(description="họ tên người nộp hồ sơ", min_length=1, max_length=200)
    applicant_personal_number: str | None = Field(
        None, description="số định danh cá nhân của người nộp (12 chữ số); công dân nộp trực tuyến "
        "chỉ nộp cho chính mình")
    channel: Channel | None = Field(None, description="kênh nộp: ONLINE (cổng dịch vụ công) hoặc TRUC_TIEP "
                                    "(bộ phận một cửa); mặc định ONLINE cho công dân, TRUC_TIEP cho cán bộ")
    parcel_id: int | None = Field(None, description="mã nội bộ của thửa đất liên quan", ge=1, le=MAX_ID)
    parcel: ParcelRef | None = Field(None, description="thửa đất liên quan theo mã xã, số tờ, số thửa "
                                     "(thay cho parcel_id)")
    applicant_party_id: int | None = Field(None, description="mã nội bộ của người sử dụng đất là người nộp", ge=1,
                                             le=MAX_ID)
    disadvantaged: bool = Field(False, description="xã miền núi, hải đảo, vùng khó khăn (thời hạn giải quyết "
                                "dài hơn theo quy định)")
    payload: dict[str, Any] | None = Field(None, description="nội dung của hồ sơ theo thủ tục, ví dụ "
                                           "new_holders (bên nhận chuyển quyền và tỷ lệ), full_name, address")


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_state: State = Field(description="trạng thái chuyển đến: " + ", ".join(
        f"{s} ({lc.STATE_LABELS[s]})" for s in State))
    step: str | None = Field(None, description="bước xử lý khi chuyển sang/tiếp trong DANG_XU_LY: "
                             "KIEM_TRA_DAN_CU (đối chiếu dân cư), KIEM_TRA_THUC_DIA (kiểm tra thực địa), "
                             "CHUYEN_THUE (chuyển thông tin sang cơ quan thuế: phiếu chuyển được đưa vào "
                             "hàng đợi gửi thuế), hoặc bước riêng của thủ tục", max_length=24)
    reason: str | None = Field(None, description="lý do (bắt buộc khi từ chối, yêu cầu bổ sung, trả lại "
                               "để xử lý lại)", max_length=2000)
    payload: dict[str, Any] | None = Field(None, description="bổ sung nội dung hồ sơ (ví dụ new_holders) "
                                           "trước khi phê duyệt")


class EventOut(BaseModel):
    from_state: str | None = Field(description="trạng thái trước")
    to_state: str = Field(description="trạng thái sau")
    step: str | None = Field(description="bước xử lý")
    actor: str = Field(description="người/hệ thống thực hiện")
    role: str = Field(description="vai trò khi thực hiện")
    at: dt.datetime = Field(description="thời điểm (UTC)")
    reason: str | None = Field(description="lý do / ghi chú")


class PauseOut(BaseModel):
    kind: str = Field(description="BO_SUNG (chờ bổ sung) hoặc CHO_THUE (chờ nộp nghĩa vụ tài chính)")
    paused_from: dt.date = Field(description="ngày dừng tính thời gian (vẫn được tính)")
    paused_to: dt.date | None = Field(description="ngày tính tiếp (không tính); trống khi đang tạm dừng")


class DocumentOut(BaseModel):
    id: int = Field(description="mã giấy tờ")
    component_code: str = Field(description="mã thành phần hồ sơ, hoặc KET_QUA (kết quả)")
    file_name: str = Field(description="tên tệp")
    sha256: str = Field(description="mã băm SHA-256 của nội dung")
    size: int = Field(description="kích thước (byte)")
    media_type: str | None = Field(description="kiểu nội dung")
    digitized: bool = Field(description="đã số hóa")
    uploaded_at: dt.datetime = Field(description="thời điểm tải lên (UTC)")
    reused_from_id: int | None = Field(description="dùng lại từ giấy tờ số hóa trước đây của người nộp")


class DossierSummary(BaseModel):
    id: int = Field(description="mã nội bộ")
    code: str = Field(description="mã hồ sơ")
    service_code: str = Field(description="mã thủ tục")
    channel: str = Field(description="kênh nộp: ONLINE / TRUC_TIEP")
    state: str = Field(description="trạng thái")
    state_label: str = Field(description="tên trạng thái")
    step: str | None = Field(description="bước xử lý hiện tại")
    applicant_name: str = Field(description="người nộp")
    applicant_personal_number: str | None = Field(
        description="số định danh cá nhân của người nộp (che bớt nếu vai trò không cần đầy đủ)")
    commune_code: str | None = Field(description="mã xã của thửa đất")
    parcel_id: int | None = Field(description="mã nội bộ của thửa đất")
    submitted_at: dt.datetime = Field(description="thời điểm nộp (UTC)")
    received_at: dt.datetime | None = Field(description="thời điểm tiếp nhận (UTC)")
    due_date: dt.date | None = Field(description="hạn giải quyết (ngày làm việc, đã trừ thời gian tạm dừng)")
    finished_at: dt.datetime | None = Field(description="thời điểm kết thúc (UTC)")
    timeliness: str | None = Field(description="khi đã kết thúc: SOM_HAN (trước hạn), DUNG_HAN, QUA_HAN")
    overdue_now: bool = Field(description="hồ sơ đang mở đã quá hạn (tính đến hôm nay)")
    notary_contract_no: str | None = Field(description="số hợp đồng công chứng (Mô hình 46)")


class DossierDetail(DossierSummary):
    disadvantaged: bool = Field(description="xã khó khăn (thời hạn dài hơn)")
    reject_reason: str | None = Field(description="lý do từ chối")
    result: str | None = Field(description="kết quả: DA_TRA_KET_QUA / TU_CHOI / RUT")
    payload: dict[str, Any] = Field(description="nội dung hồ sơ (số định danh che bớt nếu cần)")
    population_check: dict[str, Any] | None = Field(description="kết quả đối chiếu với cơ sở dữ liệu dân cư")
    events: list[EventOut] = Field(description="lịch sử xử lý")
    pauses: list[PauseOut] = Field(description="các lần tạm dừng tính thời gian")
    documents: list[DocumentOut] = Field(description="thành phần hồ sơ và kết quả đã lưu")


class DossierList(BaseModel):
    items: list[DossierSummary] = Field(description="hồ sơ, mới nhất trước")
    total: int = Field(description="tổng số hồ sơ thỏa điều kiện (trong phạm vi được xem)")
    limit: int = Field(description="số hồ sơ tối đa mỗi trang")
    offset: int = Field(description="vị trí bắt đầu")


# ---------------------------------------------------------------- helpers

def check_scope(principal: Principal, d: ds.Dossier) -> None:
    """403 unless the principal may see the dossier: a citizen their own, staff their communes."""
    if principal.role == Role.CITIZEN:
        if not principal.personal_number or principal.personal_number != d.applicant_personal_number:
            raise HTTPException(status_code=403, detail="công dân chỉ xem và thao tác hồ sơ của chính mình / "
                                                        "a citizen sees only their own dossiers")
        return
    if d.commune_code is not None:
        require_commune(principal, d.commune_code)


def summary(conn: Connection, d: ds.Dossier, principal: Principal, cal, today: dt.date) -> dict[str, Any]:
    number = d.applicant_personal_number
    return {
        "id": d.id, "code": d.code, "service_code": d.service_code, "channel": d.channel, "state": str(d.state),
        "state_label": lc.STATE_LABELS[d.state], "step": d.step, "applicant_name": d.applicant_name,
        "applicant_personal_number": number if full_numbers(principal) else mask_number(number),
        "commune_code": d.commune_code, "parcel_id": d.parcel_id, "submitted_at": d.submitted_at,
        "received_at": d.received_at, "due_date": d.due_date, "finished_at": d.finished_at,
        "timeliness": d.timeliness, "overdue_now": ds.is_overdue_now(conn, d, today, cal),
        "notary_contract_no": d.notary_contract_no,
    }


def detail(conn: Connection, d: ds.Dossier, principal: Principal, cal, today: dt.date) -> dict[str, Any]:
    out = summary(conn, d, principal, cal, today)
    out.update(
        disadvantaged=d.disadvantaged, reject_reason=d.reject_reason, result=d.result,
        payload=mask_personal(d.payload, principal), population_check=mask_personal(d.population_check, principal),
        events=[{"from_state": e.from_state, "to_state": e.to_state, "step": e.step, "actor": e.actor,
                 "role": e.role, "at": e.at, "reason": e.reason} for e in ds.events(conn, d.id)],
        pauses=[{"kind": k, "paused_from": f, "paused_to": t} for k, f, t in ds.pauses(conn, d.id)],
        documents=[{"id": doc.id, "component_code": doc.component_code, "file_name": doc.file_name,
                    "sha256": doc.sha256, "size": doc.size, "media_type": doc.media_type,
                    "digitized": doc.digitized, "uploaded_at": doc.uploaded_at,
                    "reused_from_id": doc.reused_from_id} for doc in dossier_documents_of(conn, d.id)],
    )
    return out


def subjects_of(d: ds.Dossier) -> list[str]:
    numbers = personal_numbers_in(d.payload) | personal_numbers_in(d.population_check)
    if d.applicant_personal_number:
        numbers.add(d.applicant_personal_number)
    return sorted(numbers)


def log_dossier(conn: Connection, principal: Principal, d: ds.Dossier, action: str) -> None:
    log_access(conn, principal, action=action, resource=f"dossier/{d.code}", purpose=PURPOSE,
               subjects=subjects_of(d))


def _parcel_commune(conn: Connection, body: DossierIn) -> tuple[int | None, str | None]:
    if body.parcel_id is not None and body.parcel is not None:
        raise InvalidInput("chỉ ghi một trong parcel_id hoặc parcel / give parcel_id or parcel, not both")
    if body.parcel is not None:
        p = body.parcel
        r = conn.execute(select(parcels.c.id, parcels.c.commune_code).where(
            (parcels.c.commune_code == p.ma_xa) & (parcels.c.sheet_no == p.so_to)
            & (parcels.c.parcel_no == p.so_thua)).order_by(parcels.c.id)).first()
        if r is None:
            raise NotFound(f"không có thửa đất xã {p.ma_xa}, tờ {p.so_to}, thửa {p.so_thua} / no such parcel")
        return r.id, r.commune_code
    if body.parcel_id is not None:
        commune = conn.execute(select(parcels.c.commune_code).where(parcels.c.id == body.parcel_id)).scalar()
        if commune is None:
            raise NotFound(f"không có thửa đất #{body.parcel_id} / no such parcel")
        return body.parcel_id, commune
    return None, None


def _ref(value: str) -> int | str:
    value = value.strip()
    if value.isascii() and value.isdigit():
        if len(value) > 10 or int(value) > MAX_ID:
            raise NotFound(f"không có hồ sơ {value} / no such dossier")
        return int(value)
    return value


# ---------------------------------------------------------------- what the API and the desk do


def file_dossier(request: Request, body: DossierIn, principal: Principal,
                 idempotency_key: str) -> tuple[dict[str, Any], bool]:
    """File a dossier (state DA_NOP) for ``principal`` — a citizen only for themself, staff within
    their communes; the same ``idempotency_key`` of the same account returns the dossier filed
    first. Returns (the dossier as :func:`detail` shows it, whether it was created now)."""
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(f"Idempotency-Key dài quá {IDEMPOTENCY_KEY_MAX} ký tự / key too long")
    # keys are per account: one caller's key never returns another caller's dossier
    key = f"api:{principal.username}:{idempotency_key.strip()}"
    is_citizen = principal.role == Role.CITIZEN
    channel = body.channel or (Channel.ONLINE if is_citizen else Channel.TRUC_TIEP)
    cal, today = calendar_of(request), today_vn()
    with store_of(request).transaction() as conn:
        parcel_id, commune = _parcel_commune(conn, body)
        if commune is not None and not is_citizen:
            require_commune(principal, commune)
        d, created = ds.create_dossier(
            conn, service_code=body.service_code, applicant_name=body.applicant_name, actor=principal.username,
            role=principal.role, channel=channel, applicant_personal_number=body.applicant_personal_number,
            applicant_party_id=body.applicant_party_id, parcel_id=parcel_id, disadvantaged=body.disadvantaged,
            payload=body.payload, idempotency_key=key, citizen_number=principal.personal_number)
        if not created:
            check_scope(principal, d)
        out = detail(conn, d, principal, cal, today)
        log_dossier(conn, principal, d, "nộp hồ sơ" if created else "xem hồ sơ (nộp lại cùng khóa)")
    return out, created


def read_dossier(request: Request, principal: Principal, dossier_id: str) -> dict[str, Any]:
    """One dossier (internal id or HS-… code) as :func:`detail` shows it; the read access-logged."""
    cal, today = calendar_of(request), today_vn()
    with store_of(request).transaction() as conn:
        d = ds.get_dossier(conn, _ref(dossier_id))
        check_scope(principal, d)
        out = detail(conn, d, principal, cal, today)
        log_dossier(conn, principal, d, "xem hồ sơ")
    return out


def move_dossier(request: Request, body: TransitionIn, principal: Principal,
                 dossier_id: str) -> dict[str, Any]:
    """Move a dossier on (the lifecycle decides whether this role may, from this state); the
    referral to tax (Model 46) queues its message in the same transaction."""
    cal, today = calendar_of(request), today_vn()
    with store_of(request).transaction() as conn:
        d = ds.get_dossier(conn, _ref(dossier_id))
        check_scope(principal, d)
        referral = (body.to_state == State.DANG_XU_LY and body.step == Step.CHUYEN_THUE
                    and d.state not in lc.PAUSE_STATES and d.step != Step.CHUYEN_THUE)
        if referral:  # Model 46: the step and the message to tax, in one transaction
            if body.payload:
                raise InvalidInput("khi chuyển thuế không gửi kèm payload; bổ sung nội dung hồ sơ trong một lần "
                                   "chuyển khác / no payload with the referral to tax")
            d, _ = model46.refer_to_tax(conn, d.id, actor=principal.username, role=principal.role, calendar=cal)
        else:
            d = ds.transition(conn, d.id, body.to_state, actor=principal.username, role=principal.role,
                              reason=body.reason, step=body.step, payload=body.payload,
                              citizen_number=principal.personal_number, calendar=cal)
        out = detail(conn, d, principal, cal, today)
        log_dossier(conn, principal, d, f"chuyển hồ sơ sang {d.state}")
    return out
