"""The dossier desk: dossiers by state with their legal deadlines (overdue in red, due within one
working day in amber), one dossier with its documents, pauses and history, the transitions the
officer's role may make, and filing a new dossier at the one-stop desk.

Reads and writes go through the API's route functions (``web/api/dossiers.py``): the same scope
checks, lifecycle rules by role, masking of personal numbers, access log and Model 46 referral.
The open-dossier view, ordered by due date, reads the table the same way the API's list does and
turns each row into the API's summary.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datdai.apps.web import dossier_actions as actions
from datdai.apps.web.auth import log_access
from datdai.apps.web.routing import calendar_of, today_vn
from datdai.apps.web.ui.common import (
    DOSSIER_ROLES,
    PageForbidden,
    PageNotFound,
    Principal,
    check_commune,
    page_role,
    render,
    store_of,
)
from datdai.db.files import FileStore, default_root
from datdai.dossiers import dossiers as ds
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.documents import RESULT_COMPONENT, add_document, document
from datdai.dossiers.errors import DossierError, InvalidInput
from datdai.dossiers.lifecycle import Role, State, Step
from datdai.dossiers.listing import (
    OPEN,
    Deadline,
    DossierFilter,
    Order,
    count_by_state,
    find_dossiers,
)
from datdai.dossiers.registry import get_service, list_services
from datdai.dossiers.stats import month_bounds
from datdai.land.places import commune_choices, unit_names
from datdai.land.repository import find_parcel_key

router = APIRouter(include_in_schema=False)
READER = page_role(*DOSSIER_ROLES)
FILERS = page_role("admin", "mot_cua")
PAGE_SIZE = 50
ALL = "TAT_CA"
DEADLINE_FILTERS = {"qua-han": "Quá hạn (đã trả muộn hoặc đang quá hạn)", "dung-han": "Trả đúng hạn, trước hạn"}
STEP_LABELS = {Step.KIEM_TRA_DAN_CU: "Đối chiếu với CSDL quốc gia về dân cư",
               Step.KIEM_TRA_THUC_DIA: "Kiểm tra thực địa",
               Step.CHUYEN_THUE: "Chuyển thông tin sang cơ quan thuế (Mô hình 46)"}
NOTICES = {"da-chuyen": "Đã chuyển hồ sơ.", "da-nop": "Đã tiếp nhận hồ sơ mới.",
           "da-luu-ket-qua": "Đã lưu kết quả giải quyết; người nộp tải về được trên trang Công dân."}
RESULT_MAX_BYTES = 900_000  # under the request limit of web/protection.py (1 MiB by default)
CHANNELS = {"ONLINE": "Trực tuyến", "TRUC_TIEP": "Trực tiếp"}


def _deadline(item: dict[str, Any], soon: dt.date) -> str | None:
    """'overdue' (red), 'soon' (amber: due within one working day) or None."""
    if item["overdue_now"]:
        return "overdue"
    if item["due_date"] is not None and item["finished_at"] is None and item["state"] not in lc.FINAL_STATES \
            and item["due_date"] <= soon:
        return "soon"
    return None


@router.get("/ui/ho-so")
def desk(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    trang_thai: Annotated[str, Query(max_length=20)] = OPEN,
    dich_vu: Annotated[str | None, Query(max_length=60)] = None,
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    han: Annotated[str | None, Query(max_length=10)] = None,
    thang: Annotated[str | None, Query(max_length=7)] = None,
    kenh: Annotated[str | None, Query(max_length=10)] = None,
    trang: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    ma_xa = ma_xa or None
    dich_vu = dich_vu or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    states = {str(x) for x in State}
    if trang_thai not in states and trang_thai not in (OPEN, ALL):
        trang_thai = OPEN
    month_range = None
    if thang:
        try:
            month_range = month_bounds(thang)
        except DossierError:
            thang = None
    kenh = kenh if kenh in CHANNELS else None
    han = han if han in DEADLINE_FILTERS else None
    cal, today = calendar_of(request), today_vn()
    soon = cal.add_working_days(today, 1)
    flt = DossierFilter(
        state=None if trang_thai == ALL else trang_thai, service_code=dich_vu, commune_code=ma_xa, channel=kenh,
        received=month_range, deadline=Deadline(han) if han else None, today=today,
        order=Order.DUE if trang_thai == OPEN else Order.NEWEST)
    with store_of(request).transaction() as conn:
        counts = count_by_state(conn, principal)
        total, found = find_dossiers(conn, principal, flt, limit=PAGE_SIZE, offset=(trang - 1) * PAGE_SIZE)
        items = [actions.summary(conn, d, principal, cal, today) for d in found]
        if han == "qua-han":  # a paused dossier past its old due date is not overdue: the API's rule decides
            items = [x for x in items if x["overdue_now"] or x["timeliness"] == lc.Timeliness.QUA_HAN.value]
        for x in items:
            x["deadline"] = _deadline(x, soon)
            x["channel_label"] = CHANNELS.get(x["channel"], x["channel"])
        if found:
            log_access(conn, principal, action="xem danh sách hồ sơ", resource="ui/ho-so", purpose=actions.PURPOSE,
                       subjects=sorted({d.applicant_personal_number for d in found if d.applicant_personal_number}))
        catalog = list_services(conn)
        services = {x.code: x.name for x in catalog}
        step_names = {st.code: st.name for x in catalog for st in x.steps}
        step_names.update({str(k): v for k, v in STEP_LABELS.items()})
        communes = commune_choices(conn, principal)
        names = unit_names(conn, {x["commune_code"] for x in items})
    tabs = [(OPEN, "Đang giải quyết", sum(n for st, n in counts.items() if State(st) not in lc.FINAL_STATES)),
            (ALL, "Tất cả", sum(counts.values()))]
    tabs += [(str(st), lc.STATE_LABELS[st], counts.get(str(st), 0)) for st in State]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "dossiers.html", principal, active="ho-so", title="Hồ sơ thủ tục", items=items,
                  tabs=tabs, state=trang_thai, services=services, service=dich_vu or "", communes=communes,
                  commune=ma_xa or "", names=names, total=total, page=trang, pages=pages, han=han or "",
                  thang=thang or "", kenh=kenh or "", deadline_filters=DEADLINE_FILTERS, step_names=step_names,
                  can_file=principal.role in ("admin", "mot_cua"),
                  notice=NOTICES.get(request.query_params.get("tb", "")))


def _transitions(principal: Principal, d: dict[str, Any]) -> list[dict[str, Any]]:
    """The moves this role may make from the dossier's state (the lifecycle's table)."""
    try:
        role = Role(principal.role)
    except ValueError:
        return []
    state = State(d["state"])
    out = []
    for (src, dst), roles in lc.TRANSITIONS.items():
        if src != state or role not in roles:
            continue
        label = lc.STATE_LABELS[dst]
        if src == dst:
            label = "Chuyển bước xử lý tiếp theo"
        elif src in lc.PAUSE_STATES and dst == State.DANG_XU_LY:
            label = "Tiếp tục xử lý" + (" (đã bổ sung)" if src == State.YEU_CAU_BO_SUNG else " (đã nộp thuế)")
        elif src == State.CHO_PHE_DUYET and dst == State.DANG_XU_LY:
            label = "Trả lại để xử lý lại"
        out.append({"to": str(dst), "label": label, "reason_required": (src, dst) in lc.REASON_REQUIRED,
                    "danger": dst in (State.TU_CHOI, State.RUT), "needs_step": dst == State.DANG_XU_LY})
    return out


@router.get("/ui/ho-so/moi")
def new_form(request: Request, principal: Annotated[Principal, Depends(FILERS)]):
    with store_of(request).read() as conn:
        services = list_services(conn)
        communes = commune_choices(conn, principal)
    return render(request, "dossier_new.html", principal, active="ho-so", title="Tiếp nhận hồ sơ mới",
                  services=services, communes=communes, nonce=secrets.token_urlsafe(16), form={})


@router.post("/ui/ho-so/moi")
def file_dossier(
    request: Request,
    principal: Annotated[Principal, Depends(FILERS)],
    dich_vu: Annotated[str, Form(max_length=60)],
    ho_ten: Annotated[str, Form(max_length=200)] = "",
    so_dinh_danh: Annotated[str, Form(max_length=20)] = "",
    ma_xa: Annotated[str, Form(max_length=5)] = "",
    so_to: Annotated[str, Form(max_length=10)] = "",
    so_thua: Annotated[str, Form(max_length=10)] = "",
    kho_khan: Annotated[str, Form(max_length=5)] = "",
    ma_chong_trung: Annotated[str, Form(max_length=60)] = "",
):
    form = {"dich_vu": dich_vu, "ho_ten": ho_ten, "so_dinh_danh": so_dinh_danh, "ma_xa": ma_xa, "so_to": so_to,
            "so_thua": so_thua, "kho_khan": kho_khan}
    problem = None
    out = None
    try:
        parcel = None
        if so_to.strip() or so_thua.strip():
            parcel = {"ma_xa": ma_xa, "so_to": int(so_to), "so_thua": int(so_thua)}
        body = actions.DossierIn(service_code=dich_vu, applicant_name=ho_ten.strip(),
                             applicant_personal_number=so_dinh_danh.strip() or None, channel="TRUC_TIEP",
                             parcel=parcel, disadvantaged=bool(kho_khan))
        # the idempotency key of the form: a double click files one dossier, not two
        out, _ = actions.file_dossier(request, body, principal,
                                   idempotency_key=f"ui-{ma_chong_trung or secrets.token_urlsafe(12)}")
    except ValueError as exc:  # int() of the sheet or parcel number, pydantic's validation
        problem = _validation_text(exc)
    except DossierError as exc:
        problem = str(exc).split(" / ")[0]
    except HTTPException as exc:
        problem = str(exc.detail).split(" / ")[0]
    if problem is None and isinstance(out, dict):
        return RedirectResponse(f"/ui/ho-so/{out['id']}?tb=da-nop", status_code=303)
    if problem is None:  # the route answered with its own response (a missing key): should not happen
        problem = "Không tạo được hồ sơ."
    with store_of(request).read() as conn:
        services = list_services(conn)
        communes = commune_choices(conn, principal)
    return render(request, "dossier_new.html", principal, status_code=422, active="ho-so",
                  title="Tiếp nhận hồ sơ mới", services=services, communes=communes, nonce=ma_chong_trung,
                  form=form, problem=problem)


def _validation_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        fields = {".".join(str(p) for p in e["loc"]) for e in exc.errors()}
        names = {"applicant_name": "họ tên người nộp", "service_code": "thủ tục",
                 "applicant_personal_number": "số định danh", "parcel.ma_xa": "xã", "parcel.so_to": "số tờ",
                 "parcel.so_thua": "số thửa"}
        return "Thông tin chưa hợp lệ: " + ", ".join(sorted(names.get(f, f) for f in fields)) + "."
    return "Số tờ và số thửa phải là số nguyên dương."


@router.get("/ui/ho-so/{dossier_id}")
def dossier_page(request: Request, principal: Annotated[Principal, Depends(READER)], dossier_id: int):
    try:
        d = actions.read_dossier(request, principal, str(dossier_id))
    except DossierError as exc:
        raise PageNotFound(str(exc).split(" / ")[0]) from None
    except HTTPException as exc:
        raise PageForbidden(str(exc.detail).split(" / ")[0]) from None
    cal, today = calendar_of(request), today_vn()
    d["deadline"] = _deadline(d, cal.add_working_days(today, 1))
    with store_of(request).read() as conn:
        try:
            service = get_service(conn, d["service_code"])
        except DossierError:
            service = None
        parcel = None
        if d["parcel_id"] is not None:
            parcel = find_parcel_key(conn, parcel_id=d["parcel_id"])
        names = unit_names(conn, [d["commune_code"]])
    steps = [(str(x), label) for x, label in STEP_LABELS.items()]
    if service is not None:
        known = {c for c, _ in steps}
        steps += [(x.code, x.name) for x in service.steps if x.code not in known]
    components = {x.code: x.name for x in service.documents} if service is not None else {}
    return render(request, "dossier.html", principal, active="ho-so", title=f"Hồ sơ {d['code']}", d=d,
                  service=service, parcel=parcel, commune_name=names.get(d["commune_code"], d["commune_code"]),
                  transitions=_transitions(principal, d), steps=steps, components=components,
                  state_labels={str(k): v for k, v in lc.STATE_LABELS.items()}, channels=CHANNELS,
                  notice=NOTICES.get(request.query_params.get("tb", "")),
                  can_attach_result=principal.role in ("admin", "mot_cua")
                  and d["state"] in (State.DA_PHE_DUYET, State.DA_TRA_KET_QUA))


@router.post("/ui/ho-so/{dossier_id}/chuyen")
def move(
    request: Request,
    principal: Annotated[Principal, Depends(READER)],
    dossier_id: int,
    den: Annotated[str, Form(max_length=20)],
    ly_do: Annotated[str, Form(max_length=2000)] = "",
    buoc: Annotated[str, Form(max_length=24)] = "",
):
    problem = None
    try:
        body = actions.TransitionIn(to_state=den, reason=ly_do.strip() or None,
                                step=(buoc or None) if den == State.DANG_XU_LY else None)
        actions.move_dossier(request, body, principal, str(dossier_id))
    except ValidationError:
        problem = "Trạng thái chuyển đến không hợp lệ."
    except DossierError as exc:
        problem = str(exc).split(" / ")[0]
    except HTTPException as exc:
        problem = str(exc.detail).split(" / ")[0]
    if problem is None:
        return RedirectResponse(f"/ui/ho-so/{dossier_id}?tb=da-chuyen", status_code=303)
    page = dossier_page(request, principal, dossier_id)
    context = {k: v for k, v in page.context.items() if k not in ("request", "nav", "account", "csrf", "vendor_ok")}
    context["problem"] = f"Chưa chuyển được hồ sơ: {problem}"
    context["notice"] = None
    return render(request, "dossier.html", principal, status_code=422, **context)


@router.post("/ui/ho-so/{dossier_id}/ket-qua")
async def attach_result(request: Request, principal: Annotated[Principal, Depends(FILERS)], dossier_id: int):
    """The result (KET_QUA) of an approved dossier, stored for the applicant to download from
    their page (``/ui/cong-dan``); scope checked as the dossier's, the write access-logged."""
    form = await request.form()
    upload = form.get("tep_ket_qua")
    data = await upload.read(RESULT_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    store = store_of(request)

    def work():
        if not data:
            raise InvalidInput("Chọn tệp kết quả giải quyết.")
        if len(data) > RESULT_MAX_BYTES:
            raise InvalidInput(f"Tệp kết quả lớn hơn {RESULT_MAX_BYTES // 1000} KB.")
        with store.transaction() as conn:
            d = ds.get_dossier(conn, dossier_id)
            try:
                actions.check_scope(principal, d)
            except HTTPException as exc:
                raise PageForbidden(str(exc.detail).split(" / ")[0]) from None
            if d.state not in (State.DA_PHE_DUYET, State.DA_TRA_KET_QUA):
                raise InvalidInput("Chỉ lưu kết quả cho hồ sơ đã phê duyệt hoặc đã trả kết quả.")
            add_document(conn, FileStore(default_root(store.url)), d.id, component_code=RESULT_COMPONENT,
                         file_name=upload.filename or "ket_qua.pdf", data=data, by=principal.username,
                         media_type=upload.content_type)
            actions.log_dossier(conn, principal, d, "lưu kết quả giải quyết hồ sơ")

    await run_in_threadpool(work)  # a refusal: the error page with its status (web/ui/__init__.py)
    return RedirectResponse(f"/ui/ho-so/{dossier_id}?tb=da-luu-ket-qua", status_code=303)


@router.get("/ui/ho-so/{dossier_id}/giay-to/{document_id}")
def document_file(request: Request, principal: Annotated[Principal, Depends(READER)], dossier_id: int,
                  document_id: int):
    """A stored document of the dossier (scope checked as the dossier's; the read access-logged)."""
    from urllib.parse import quote


    store = store_of(request)
    with store.transaction() as conn:
        try:
            d = ds.get_dossier(conn, dossier_id)
            doc = document(conn, document_id)
        except DossierError as exc:
            raise PageNotFound(str(exc).split(" / ")[0]) from None
        if doc.dossier_id != d.id:
            raise PageNotFound(f"Giấy tờ #{document_id} không thuộc hồ sơ này.")
        try:
            actions.check_scope(principal, d)
        except HTTPException as exc:
            raise PageForbidden(str(exc.detail).split(" / ")[0]) from None
        try:
            data = FileStore(default_root(store.url)).get(doc.stored_path)
        except OSError:
            raise PageNotFound("Không tìm thấy tệp của giấy tờ trong kho lưu trữ.") from None
        actions.log_dossier(conn, principal, d, "xem giấy tờ hồ sơ")
    return Response(data, media_type=doc.media_type or "application/octet-stream", headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(doc.file_name)}", "Cache-Control": "no-store"})
