"""POST /api/v1/auth/token, GET /api/v1/auth/me, GET /api/v1/access-log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from pydantic import BaseModel, Field

from datdai.access import purposes
from datdai.access.access_log import query_access_log
from datdai.access.masking import mask_number
from datdai.access.providers import IdentityProvider, LocalProvider
from datdai.access.roles import ADMIN, AUDITOR, ROLES
from datdai.access.tokens import issue_token
from datdai.apps.web.auth import Principal, current_principal, log_access, password_login, require
from datdai.apps.web.protection import remember_credential
from datdai.kernel.dates import DateOutOfRange, check_date

router = APIRouter(tags=["xác thực / authentication"])

MAX_PAGE_SIZE = 500


class Token(BaseModel):
    access_token: str = Field(description="mã truy cập, gửi trong tiêu đề `Authorization: Bearer …`")
    token_type: str = Field(description="luôn là `bearer`")
    expires_in: int = Field(description="thời hạn của mã, tính bằng giây")


class Me(BaseModel):
    username: str = Field(description="tên đăng nhập hoặc tên hệ thống kết nối")
    role: str = Field(description="vai trò: " + ", ".join(ROLES))
    role_name: str = Field(description="tên vai trò")
    scopes: list[str] = Field(description="phạm vi địa bàn: mã tỉnh (2 chữ số), mã xã (5 chữ số); "
                              "rỗng là toàn bộ cơ sở dữ liệu (chỉ một số vai trò)")
    is_system: bool = Field(description="là hệ thống kết nối (C06, công chứng, thuế)")
    full_personal_data: bool = Field(description="được xem đầy đủ số định danh, ngày sinh "
                                     "(nếu không: che bớt)")
    personal_number: str | None = Field(description="số định danh của công dân (tài khoản công dân)")


class AccessLogEntry(BaseModel):
    id: int = Field(description="số thứ tự bản ghi")
    at: dt.datetime = Field(description="thời điểm truy cập (UTC)")
    username: str = Field(description="người hoặc hệ thống truy cập")
    role: str = Field(description="vai trò lúc truy cập")
    action: str = Field(description="hành động")
    resource: str = Field(description="tài nguyên được truy cập")
    purpose: str = Field(description="mục đích xử lý dữ liệu cá nhân")
    client_ip: str | None = Field(description="địa chỉ IP của bên truy cập, nếu biết")
    subjects: list[str] = Field(description="số định danh / mã chủ thể dữ liệu bị truy cập "
                                "(che bớt theo vai trò người xem)")


class AccessLogPage(BaseModel):
    total: int = Field(description="tổng số bản ghi khớp bộ lọc")
    page: int = Field(description="trang hiện tại, từ 1")
    page_size: int = Field(description="số bản ghi mỗi trang")
    items: list[AccessLogEntry] = Field(description="các bản ghi, mới nhất trước")


def _provider(request: Request) -> IdentityProvider:
    provider = getattr(request.app.state, "identity_provider", None)
    return provider or LocalProvider(request.app.state.store.engine)


@router.post(
    "/auth/token", response_model=Token,
    summary="Đăng nhập, cấp mã truy cập / log in (OAuth2 password flow)",
    description="Biểu mẫu `application/x-www-form-urlencoded` với `username`, `password`. Sai tên "
    "hoặc mật khẩu, tài khoản bị khóa hay ngừng hoạt động đều trả 401 như nhau (không tiết lộ tài "
    "khoản có tồn tại hay không). Sau 3 lần sai của một tài khoản, hay 20 lần sai từ một địa chỉ, lần "
    "thử kế tiếp phải chờ (1, 2, 4 … giây, tối đa 5 phút cho tài khoản, 1 phút cho địa chỉ): trả 429 với "
    "`Retry-After`. Sau 5 lần sai liên tiếp tài khoản bị khóa 15 phút.",
    responses={401: {"description": "đăng nhập không thành công"},
               429: {"description": "đăng nhập sai quá nhiều lần: chờ số giây của `Retry-After`"}},
)
async def token(
    request: Request,
    username: Annotated[str, Form(description="tên đăng nhập", max_length=200)],
    password: Annotated[str, Form(description="mật khẩu", max_length=1024)],
) -> Token:
    identity = await password_login(request, _provider(request), username, password)
    if identity is None:
        raise HTTPException(status_code=401,
                            detail="Sai tên đăng nhập hoặc mật khẩu / wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    store = request.app.state.store
    try:
        with store.transaction() as conn:
            issued = issue_token(conn, identity.username)
    except LookupError:  # an outside identity with no active local account
        raise HTTPException(status_code=401,
                            detail="Sai tên đăng nhập hoặc mật khẩu / wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"}) from None
    remember_credential(request.app, issued.token)  # a new session is not held up by others' failures
    return Token(access_token=issued.token, token_type="bearer", expires_in=issued.expires_in)


@router.get("/auth/me", response_model=Me, summary="Tài khoản đang đăng nhập / who am I",
            responses={401: {"description": "chưa xác thực"}})
async def me(principal: Annotated[Principal, Depends(current_principal)]) -> Me:
    return Me(username=principal.username, role=principal.role, role_name=ROLES[principal.role],
              scopes=sorted(principal.scopes), is_system=principal.is_system,
              full_personal_data=principal.needs_full_personal_data(),
              personal_number=principal.personal_number)


def _date(value: str | None, name: str) -> dt.datetime | None:
    if value is None or not value.strip():
        return None
    try:
        day = check_date(dt.date.fromisoformat(value.strip()), f"Tham số '{name}'", name)
    except ValueError as exc:
        detail = str(exc) if isinstance(exc, DateOutOfRange) else (
            f"Tham số '{name}' phải là ngày dạng YYYY-MM-DD / must be a date YYYY-MM-DD")
        raise HTTPException(status_code=422, detail=detail) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@router.get(
    "/access-log", response_model=AccessLogPage, tags=["nhật ký truy cập / access log"],
    summary="Nhật ký truy cập dữ liệu cá nhân / the personal data access log",
    description="Chỉ dành cho kiểm toán (`kiem_toan`) và quản trị (`admin`). Lọc theo người, vai "
    "trò, hành động, chủ thể dữ liệu (số định danh) và khoảng ngày (UTC). Bản thân việc xem nhật "
    "ký cũng được ghi vào nhật ký.",
    responses={401: {"description": "chưa xác thực"}, 403: {"description": "vai trò không được phép"},
               422: {"description": "tham số không hợp lệ"}},
)
async def access_log(
    request: Request,
    principal: Annotated[Principal, Depends(require(AUDITOR, ADMIN))],
    username: Annotated[str | None, Query(description="tên đăng nhập / hệ thống", max_length=64)] = None,
    role: Annotated[str | None, Query(description="vai trò", max_length=32)] = None,
    action: Annotated[str | None, Query(description="hành động", max_length=60)] = None,
    subject: Annotated[str | None, Query(description="số định danh hoặc mã chủ thể bị truy cập",
                                         max_length=40)] = None,
    since: Annotated[str | None, Query(description="từ ngày (YYYY-MM-DD, UTC), tính cả ngày đó")] = None,
    until: Annotated[str | None, Query(description="đến ngày (YYYY-MM-DD, UTC), tính cả ngày đó")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="trang, từ 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="số bản ghi mỗi trang")] = 50,
) -> AccessLogPage:
    start = _date(since, "since")
    end = _date(until, "until")
    if end is not None:
        end += dt.timedelta(days=1)
    store = request.app.state.store
    with store.transaction() as conn:
        total, rows = query_access_log(conn, username=username, role=role, action=action,
                                       subject=subject and subject.strip(), since=start, until=end,
                                       limit=page_size, offset=(page - 1) * page_size)
        log_access(conn, principal, action="xem_nhat_ky_truy_cap", resource=str(request.url.path),
                   purpose=purposes.AUDIT,
                   subjects=[subject.strip()] if subject and subject.strip() else ())
    full = principal.needs_full_personal_data()
    return AccessLogPage(total=total, page=page, page_size=page_size, items=[
        AccessLogEntry(id=r.id, at=r.at, username=r.username, role=r.role, action=r.action,
                       resource=r.resource, purpose=r.purpose, client_ip=r.client_ip,
                       subjects=[s if full else mask_number(s) for s in r.subjects])
        for r in rows
    ])
