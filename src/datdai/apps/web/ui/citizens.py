"""The citizens' pages (``/ui/cong-dan``, Vietnamese, mobile first): login through the configured
OpenID Connect provider (VNeID or another national-style login, ``auth/oidc.py``), their parcels
(map, certificate, rights, house), their dossiers with state and legal deadline, filing one of
the three essential procedures online with the catalog's documents — papers already digitized for
their personal number offered for reuse —, answering a request to supplement, and downloading
the result.

Scope: everything is the logged-in citizen's own. Parcels are those on which the citizen holds a
right through a verified link (``store/ownership.py``: one definition for the API, C06 and these
pages); dossiers those filed under their personal number. Another parcel or dossier answers 404,
as if it did not exist. Every page showing personal data writes an access-log row.

The login: ``GET /ui/cong-dan/dang-nhap/oidc`` sends the browser to the provider (authorization
code + PKCE, state and nonce kept in the short-lived HttpOnly cookie ``datdai_oidc``);
``GET /ui/cong-dan/dang-nhap/oidc/ve`` takes the code back, verifies the ID token, finds or
creates the citizen's account by the verified personal number (``auth/users.citizen_account``),
stores the e-mail and phone the provider vouched for (where notifications go) and issues the
ordinary session (``datdai_session``). Local citizen accounts (the demo) log in with the password
form. Forms that upload files are sent by ``static/upload.js`` with the CSRF header.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datdai.access import purposes
from datdai.access.oidc import OidcProvider, OidcSettings, PendingLogin
from datdai.access.tokens import issue_token
from datdai.access.users import citizen_account, get_user
from datdai.apps.web import dossier_actions as actions
from datdai.apps.web.auth import log_access, session_cookie_name
from datdai.apps.web.routing import calendar_of, today_vn
from datdai.apps.web.ui.common import (
    CITIZEN_HOME,
    CITIZEN_LOGIN_PATH,
    PageNotFound,
    Principal,
    page_citizen,
    render,
    store_of,
    unit_names,
)
from datdai.db import schema as s
from datdai.db.files import FileStore, default_root
from datdai.dossiers import dossiers as ds
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.catalog import ESSENTIAL_CODES
from datdai.dossiers.documents import (
    RESULT_COMPONENT,
    add_document,
    document,
    dossier_documents_of,
    reusable_documents,
    reuse_document,
)
from datdai.dossiers.lifecycle import Channel, Role, State
from datdai.dossiers.listing import DossierFilter, find_dossiers
from datdai.dossiers.registry import get_service
from datdai.kernel.errors import DatdaiError, InvalidInput
from datdai.land.ownership import citizen_parcels
from datdai.land.parcel_rights import attach_rights, certificates_and_assets, parcels_by_ids
from datdai.land.repository import find_parcel_key
from datdai.reporting.parcel_map import parcels_geojson

router = APIRouter(include_in_schema=False)
CITIZEN = Depends(page_citizen)
PENDING_COOKIE = "datdai_oidc"
OIDC_START = "/ui/cong-dan/dang-nhap/oidc"
OIDC_CALLBACK = "/ui/cong-dan/dang-nhap/oidc/ve"
PENDING_SECONDS = 600
MAX_FILE_BYTES = 900_000  # under the request limit of web/protection.py (1 MiB by default)
NOTICES = {"da-nop": "Đã nộp hồ sơ. Cơ quan giải quyết sẽ tiếp nhận và thông báo khi hồ sơ chuyển trạng thái.",
           "da-bo-sung": "Đã gửi bổ sung. Hồ sơ được tiếp tục xử lý."}
_P = s.parcels


def install_oidc(app: FastAPI) -> None:
    """The app's OpenID Connect provider from the environment (``DATDAI_OIDC_*``), unless startup
    code set ``app.state.oidc`` already; a wrong configuration stops the start with its reason."""
    if getattr(app.state, "oidc", None) is None:
        settings = OidcSettings.from_env()
        app.state.oidc = OidcProvider(settings) if settings is not None else None


def _oidc(request: Request) -> OidcProvider | None:
    return getattr(request.app.state, "oidc", None)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# ---------------------------------------------------------------- login

@router.get(CITIZEN_LOGIN_PATH)
def login_page(request: Request, loi: Annotated[str | None, Query(max_length=300)] = None, het_han: int = 0):
    provider = _oidc(request)
    info = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại." if het_han else None
    return render(request, "citizen_login.html", None, title="Công dân đăng nhập",
                  provider_name=provider.settings.name if provider else None, error=loi, info=info)


@router.get(OIDC_START)
def oidc_start(request: Request):
    provider = _oidc(request)
    if provider is None:
        return RedirectResponse(f"{CITIZEN_LOGIN_PATH}?loi=" + quote(
            "Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử (DATDAI_OIDC_ISSUER)."), status_code=303)
    try:
        url, pending = provider.begin(_redirect_uri(request))
    except DatdaiError as exc:
        return RedirectResponse(f"{CITIZEN_LOGIN_PATH}?loi=" + quote(str(exc).split(" / ")[0]), status_code=303)
    response = RedirectResponse(url, status_code=303)
    # SameSite=Lax: the cookie must come back on the provider's top-level redirect to us
    response.set_cookie(PENDING_COOKIE, pending.dumps(), max_age=PENDING_SECONDS, path=OIDC_CALLBACK,
                        httponly=True, samesite="lax", secure=_secure(request))
    return response


def _redirect_uri(request: Request) -> str:
    return str(request.base_url).rstrip("/") + OIDC_CALLBACK


@router.get(OIDC_CALLBACK)
async def oidc_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
):
    provider = _oidc(request)
    pending = PendingLogin.loads(request.cookies.get(PENDING_COOKIE))

    def refused(message: str, status: int = 401):
        response = render(request, "citizen_login.html", None, status_code=status, title="Công dân đăng nhập",
                          provider_name=provider.settings.name if provider else None, error=message, info=None)
        response.delete_cookie(PENDING_COOKIE, path=OIDC_CALLBACK)
        return response

    if provider is None:
        return refused("Chưa cấu hình đăng nhập bằng tài khoản định danh điện tử.", 503)
    if error:
        return refused(f"Nhà cung cấp định danh không xác thực được ({error}). Vui lòng thử lại.")
    if pending is None or not pending.matches(state):
        return refused("Phiên đăng nhập không hợp lệ hoặc đã quá 10 phút. Vui lòng đăng nhập lại.")
    try:
        identity = await run_in_threadpool(provider.complete, code or "", pending, _redirect_uri(request))
    except DatdaiError as exc:
        return refused(str(exc).split(" / ")[0], exc.http_status if exc.http_status == 503 else 401)
    store = store_of(request)

    def sign_in():
        with store.transaction() as conn:
            user = citizen_account(conn, identity.personal_number, display_name=identity.name,
                                   email=identity.email, phone=identity.phone,
                                   auto_create=provider.settings.auto_create, by=f"oidc {provider.settings.name}")
            if user is None:
                return None
            return issue_token(conn, user.username)

    issued = await run_in_threadpool(sign_in)
    if issued is None:
        return refused("Tài khoản công dân của số định danh này chưa được cấp hoặc đang bị khóa. "
                       "Vui lòng liên hệ Văn phòng đăng ký đất đai.", 403)
    # the session cookie is SameSite=Strict: a browser does not send it on the rest of a redirect
    # chain the provider started, so the way on is a navigation from this page of our own
    response = render(request, "citizen_signed_in.html", None, title="Đăng nhập thành công", target=CITIZEN_HOME)
    response.set_cookie(session_cookie_name(request.app), issued.token, max_age=issued.expires_in, path="/",
                        httponly=True, samesite="strict", secure=_secure(request))
    response.delete_cookie(PENDING_COOKIE, path=OIDC_CALLBACK)
    return response


# ---------------------------------------------------------------- reads scoped to the citizen

def my_parcel_ids(conn, principal: Principal) -> list[int]:
    """The parcels the citizen holds a right on, through a verified link (land/ownership.py)."""
    return citizen_parcels(conn, principal.personal_number)


def _my_parcels(conn, principal: Principal, ids: list[int]) -> tuple[list[dict[str, Any]], list[str]]:
    out = [{**p, "rights": []} for p in parcels_by_ids(conn, ids)]
    subjects = attach_rights(conn, out, principal)
    return out, subjects


def _my_dossiers(conn, principal: Principal, request: Request) -> list[dict[str, Any]]:
    cal, today = calendar_of(request), today_vn()
    _total, found = find_dossiers(conn, principal, DossierFilter(), limit=200)
    out = []
    for d in found:
        item = actions.summary(conn, d, principal, cal, today)
        item["service_name"] = _service_name(conn, d.service_code)
        out.append(item)
    return out


def _service_name(conn, code: str) -> str:
    try:
        return get_service(conn, code).name
    except DatdaiError:
        return code


def _own_dossier(conn, principal: Principal, dossier_id: int) -> ds.Dossier:
    try:
        d = ds.get_dossier(conn, dossier_id)
    except DatdaiError:
        d = None
    if d is None or d.applicant_personal_number != principal.personal_number:
        raise PageNotFound(f"Không có hồ sơ #{dossier_id} trong danh sách hồ sơ của bạn.")
    return d


@router.get(CITIZEN_HOME)
def home(request: Request, principal: Annotated[Principal, CITIZEN]):
    with store_of(request).transaction() as conn:
        ids = my_parcel_ids(conn, principal)
        parcels, subjects = _my_parcels(conn, principal, ids)
        features = parcels_geojson(conn, ids)
        dossiers = _my_dossiers(conn, principal, request)
        names = unit_names(conn, {p["commune_code"] for p in parcels})
        log_access(conn, principal, action="công dân xem thửa đất và hồ sơ của mình", resource="ui/cong-dan",
                   purpose=purposes.CITIZEN_SELF, subjects=sorted(set(subjects) | {principal.personal_number}))
    return render(request, "citizen_home.html", principal, title="Thửa đất và hồ sơ của tôi", parcels=parcels,
                  names=names, dossiers=dossiers, geojson=orjson.dumps(features).decode(),
                  state_labels={str(k): v for k, v in lc.STATE_LABELS.items()},
                  notice=NOTICES.get(request.query_params.get("tb", "")))


@router.get("/ui/cong-dan/thua-dat/{parcel_id}")
def my_parcel(request: Request, principal: Annotated[Principal, CITIZEN], parcel_id: int):
    with store_of(request).transaction() as conn:
        ids = my_parcel_ids(conn, principal)
        if parcel_id not in ids:
            raise PageNotFound(f"Không có thửa đất #{parcel_id} trong danh sách thửa đất của bạn.")
        parcels, subjects = _my_parcels(conn, principal, [parcel_id])
        p = parcels[0]
        certificates, assets = certificates_and_assets(conn, parcel_id)
        features = parcels_geojson(conn, [parcel_id])
        names = unit_names(conn, [p["commune_code"]])
        log_access(conn, principal, action="công dân xem thửa đất của mình", resource=f"ui/cong-dan/thua-dat/{parcel_id}",
                   purpose=purposes.CITIZEN_SELF, subjects=sorted(set(subjects) | {principal.personal_number}))
    return render(request, "citizen_parcel.html", principal, title=f"Thửa {p['parcel_no']}, tờ {p['sheet_no']}",
                  p=p, certificates=certificates, assets=assets, geojson=orjson.dumps(features).decode(),
                  commune_name=names.get(p["commune_code"], p["commune_code"]), essential=_essential())


SHORT_NAMES = {"CHUYEN_QUYEN": "Chuyển nhượng, tặng cho, thừa kế quyền sử dụng đất",
               "DK_BIEN_DONG_THONG_TIN": "Đăng ký thay đổi thông tin người sử dụng đất",
               "NGHIA_VU_TAI_CHINH": "Nghĩa vụ tài chính về đất đai"}


def _essential() -> list[tuple[str, str]]:
    """(code, short name) of the three essential procedures a citizen files online."""
    return [(code, SHORT_NAMES.get(code, code)) for code in ESSENTIAL_CODES]


# ---------------------------------------------------------------- filing online

def _form_context(conn, principal: Principal, service_code: str, parcel_id: int | None) -> dict[str, Any]:
    if service_code not in ESSENTIAL_CODES:
        service_code = ESSENTIAL_CODES[1]  # CHUYEN_QUYEN
    service = get_service(conn, service_code)
    ids = my_parcel_ids(conn, principal)
    parcels, _ = _my_parcels(conn, principal, ids)
    reusable: dict[str, list] = {}
    for doc in reusable_documents(conn, principal.personal_number):
        if doc.component_code in {x.code for x in service.documents}:
            reusable.setdefault(doc.component_code, []).append(doc)
    names = unit_names(conn, {p["commune_code"] for p in parcels})
    return {"service": service, "services": _essential(), "parcels": parcels, "parcel_id": parcel_id,
            "reusable": reusable, "names": names}


@router.get("/ui/cong-dan/nop-ho-so")
def new_dossier(request: Request, principal: Annotated[Principal, CITIZEN],
                dich_vu: Annotated[str, Query(max_length=60)] = "CHUYEN_QUYEN",
                thua: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None):
    with store_of(request).transaction() as conn:
        context = _form_context(conn, principal, dich_vu, thua)
        if context["reusable"]:
            log_access(conn, principal, action="công dân xem giấy tờ đã số hóa của mình", resource="ui/cong-dan/nop-ho-so",
                       purpose=purposes.CITIZEN_SELF, subjects=[principal.personal_number])
    return render(request, "citizen_file.html", principal, title="Nộp hồ sơ trực tuyến", form={},
                  nonce=secrets.token_urlsafe(16), **context)


def _payload(service_code: str, form) -> dict[str, Any]:
    """The procedure's content from the form (the shape services/apply_result.py reads)."""
    text = {k: str(form.get(k) or "").strip() for k in ("ben_nhan_ho_ten", "ben_nhan_so_dinh_danh", "ho_ten_moi",
                                                        "dia_chi_moi", "noi_dung")}
    if service_code == "CHUYEN_QUYEN":
        if not text["ben_nhan_ho_ten"] or not (len(text["ben_nhan_so_dinh_danh"]) == 12
                                                and text["ben_nhan_so_dinh_danh"].isdigit()):
            raise InvalidInput("Cần họ tên và số định danh cá nhân (12 chữ số) của bên nhận chuyển quyền.")
        return {"new_holders": [{"name": text["ben_nhan_ho_ten"], "personal_number": text["ben_nhan_so_dinh_danh"],
                                 "share": "1"}]}
    if service_code == "DK_BIEN_DONG_THONG_TIN":
        out = {k: v for k, v in (("full_name", text["ho_ten_moi"]), ("address", text["dia_chi_moi"])) if v}
        if not out:
            raise InvalidInput("Cần ghi thông tin thay đổi: họ tên mới hoặc địa chỉ mới.")
        return out
    if not text["noi_dung"]:
        raise InvalidInput("Cần ghi nội dung đề nghị về nghĩa vụ tài chính.")
    return {"request": text["noi_dung"]}


async def _files(form, prefix: str) -> dict[str, tuple[str, bytes, str | None]]:
    """component code → (file name, content, media type) of the non-empty file fields ``<prefix><CODE>``."""
    out = {}
    for key, value in form.multi_items():
        if key.startswith(prefix) and isinstance(value, UploadFile):
            data = await value.read(MAX_FILE_BYTES + 1)
            if not data:
                continue
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput(f"Tệp {value.filename} lớn hơn {MAX_FILE_BYTES // 1000} KB.")
            out[key[len(prefix):]] = (value.filename or f"{key[len(prefix):].lower()}.pdf", data, value.content_type)
    return out


@router.post("/ui/cong-dan/nop-ho-so")
async def file_dossier(request: Request, principal: Annotated[Principal, CITIZEN]):
    form = await request.form()
    service_code = str(form.get("dich_vu") or "")
    try:
        parcel_id = int(str(form.get("thua") or "0"))
    except ValueError:
        parcel_id = 0
    nonce = str(form.get("ma_chong_trung") or secrets.token_urlsafe(12))[:60]
    try:
        uploads = await _files(form, "tep_")
    except InvalidInput as exc:
        uploads, early = {}, str(exc)
    else:
        early = None
    reuse = {k[len("dung_lai_"):]: str(v) for k, v in form.multi_items() if k.startswith("dung_lai_") and v}
    store = store_of(request)
    files = FileStore(default_root(store.url))

    def work():
        if early:
            raise InvalidInput(early)
        with store.transaction() as conn:
            if service_code not in ESSENTIAL_CODES:
                raise InvalidInput("Chọn một trong ba thủ tục trực tuyến.")
            if parcel_id not in my_parcel_ids(conn, principal):
                raise InvalidInput("Chọn một thửa đất của bạn.")
            service = get_service(conn, service_code)
            payload = _payload(service_code, form)
            missing = [x.name for x in service.required_documents if x.code not in uploads and x.code not in reuse]
            if missing:
                raise InvalidInput("Còn thiếu giấy tờ bắt buộc: " + "; ".join(missing) + ".")
            user = get_user(conn, principal.username)
            name = user.display_name if user is not None else None
            d, created = ds.create_dossier(
                conn, service_code=service_code, applicant_name=name or principal.username, actor=principal.username,
                role=Role.CITIZEN, channel=Channel.ONLINE, applicant_personal_number=principal.personal_number,
                parcel_id=parcel_id, payload=payload, idempotency_key=f"ui:{principal.username}:{nonce}",
                citizen_number=principal.personal_number)
            if created:
                known = {x.code for x in service.documents}
                for code, doc_id in reuse.items():
                    if code in known and code not in uploads:
                        reuse_document(conn, d.id, int(doc_id), by=principal.username, component_code=code)
                for code, (file_name, data, media) in uploads.items():
                    if code in known:
                        add_document(conn, files, d.id, component_code=code, file_name=file_name, data=data,
                                     by=principal.username, media_type=media)
            actions.log_dossier(conn, principal, d, "công dân nộp hồ sơ trực tuyến")
            return d.id

    try:
        dossier_id = await run_in_threadpool(work)
    except (DatdaiError, ValueError) as exc:
        with store.transaction() as conn:
            context = _form_context(conn, principal, service_code, parcel_id or None)
        return render(request, "citizen_file.html", principal, status_code=422, title="Nộp hồ sơ trực tuyến",
                      problem=str(exc).split(" / ")[0], nonce=nonce,
                      form={k: str(v) for k, v in form.multi_items() if isinstance(v, str)}, **context)
    return RedirectResponse(f"/ui/cong-dan/ho-so/{dossier_id}?tb=da-nop", status_code=303)


# ---------------------------------------------------------------- one dossier

@router.get("/ui/cong-dan/ho-so/{dossier_id}")
def my_dossier(request: Request, principal: Annotated[Principal, CITIZEN], dossier_id: int):
    cal, today = calendar_of(request), today_vn()
    with store_of(request).transaction() as conn:
        d = _own_dossier(conn, principal, dossier_id)
        item = actions.detail(conn, d, principal, cal, today)
        service = get_service(conn, d.service_code)
        documents = dossier_documents_of(conn, d.id)
        parcel = find_parcel_key(conn, parcel_id=d.parcel_id) if d.parcel_id else None
        actions.log_dossier(conn, principal, d, "công dân xem hồ sơ của mình")
    supplement = None
    if d.state == State.YEU_CAU_BO_SUNG:
        asked = [e for e in item["events"] if e["to_state"] == State.YEU_CAU_BO_SUNG]
        supplement = asked[-1]["reason"] if asked else None
    components = {x.code: x.name for x in service.documents}
    components[RESULT_COMPONENT] = "Kết quả giải quyết"
    return render(request, "citizen_dossier.html", principal, title=f"Hồ sơ {d.code}", d=item, service=service,
                  parcel=parcel, documents=documents, components=components, supplement=supplement,
                  results=[x for x in documents if x.component_code == RESULT_COMPONENT],
                  can_withdraw=(d.state, State.RUT) in lc.TRANSITIONS,
                  state_labels={str(k): v for k, v in lc.STATE_LABELS.items()},
                  notice=NOTICES.get(request.query_params.get("tb", "")))


@router.post("/ui/cong-dan/ho-so/{dossier_id}/bo-sung")
async def supplement(request: Request, principal: Annotated[Principal, CITIZEN], dossier_id: int):
    """Answer a request to supplement: the papers asked for, then the dossier goes on (the clock restarts)."""
    form = await request.form()
    note = str(form.get("ghi_chu") or "").strip()[:2000]
    try:
        uploads = await _files(form, "tep_")
    except InvalidInput as exc:
        return _dossier_problem(request, principal, dossier_id, str(exc))
    store = store_of(request)
    files = FileStore(default_root(store.url))

    def work():
        with store.transaction() as conn:
            d = _own_dossier(conn, principal, dossier_id)
            if d.state != State.YEU_CAU_BO_SUNG:
                raise InvalidInput("Hồ sơ không ở trạng thái yêu cầu bổ sung.")
            if not uploads:
                raise InvalidInput("Chọn ít nhất một tệp giấy tờ bổ sung.")
            known = {x.code for x in get_service(conn, d.service_code).documents}
            for code, (file_name, data, media) in uploads.items():
                if code in known:
                    add_document(conn, files, d.id, component_code=code, file_name=file_name, data=data,
                                 by=principal.username, media_type=media)
            d = ds.transition(conn, d.id, State.DANG_XU_LY, actor=principal.username, role=Role.CITIZEN,
                              reason=f"công dân bổ sung hồ sơ{': ' + note if note else ''}",
                              citizen_number=principal.personal_number, calendar=calendar_of(request))
            actions.log_dossier(conn, principal, d, "công dân bổ sung hồ sơ")

    try:
        await run_in_threadpool(work)
    except DatdaiError as exc:
        return _dossier_problem(request, principal, dossier_id, str(exc).split(" / ")[0])
    return RedirectResponse(f"/ui/cong-dan/ho-so/{dossier_id}?tb=da-bo-sung", status_code=303)


def _dossier_problem(request: Request, principal: Principal, dossier_id: int, problem: str):
    page = my_dossier(request, principal, dossier_id)
    context = {k: v for k, v in page.context.items() if k not in ("request", "nav", "account", "csrf", "vendor_ok")}
    context.update(problem=problem, notice=None)
    return render(request, "citizen_dossier.html", principal, status_code=422, **context)


@router.get("/ui/cong-dan/ho-so/{dossier_id}/giay-to/{document_id}")
def my_document(request: Request, principal: Annotated[Principal, CITIZEN], dossier_id: int, document_id: int):
    """A paper or the result of the citizen's own dossier (the read access-logged)."""
    store = store_of(request)
    with store.transaction() as conn:
        d = _own_dossier(conn, principal, dossier_id)
        try:
            doc = document(conn, document_id)
        except DatdaiError:
            doc = None
        if doc is None or doc.dossier_id != d.id:
            raise PageNotFound(f"Không có giấy tờ #{document_id} trong hồ sơ này.")
        try:
            data = FileStore(default_root(store.url)).get(doc.stored_path)
        except OSError:
            raise PageNotFound("Không tìm thấy tệp của giấy tờ trong kho lưu trữ.") from None
        actions.log_dossier(conn, principal, d, "công dân tải giấy tờ, kết quả hồ sơ")
    return Response(data, media_type=doc.media_type or "application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.file_name)}", "Cache-Control": "no-store"})


__all__ = ["install_oidc", "router"]
