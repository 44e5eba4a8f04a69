"""What every page of the web app shares: templates, the signed-in officer, the layout's menu,
Vietnamese formatting, and the errors a page turns into a redirect or an HTML message.

A page depends on :func:`page_user` (any staff role) or :func:`page_role` (some roles). The
officer is the API's :class:`~datdai.access.principal.Principal`, authenticated by
``web/auth.py`` from the ``datdai_session`` cookie the login form set (``web/ui/session.py``):
the same roles, scopes and masking as the API. Without a valid session a page redirects to the
login form (:class:`LoginRequired`); a role or commune outside the account's rights gets a 403
page (:class:`PageForbidden`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates

from datdai.access.roles import CITIZEN, ROLES
from datdai.access.users import get_user
from datdai.apps.web.auth import Principal, authenticate
from datdai.apps.web.protection import csrf_token
from datdai.cleaning.findings import STATUS_LABELS as FINDING_STATUS_LABELS
from datdai.dossiers.lifecycle import VN_TZ
from datdai.kernel.text import vn_decimals_in, vn_int, vn_number, vn_percent
from datdai.land.places import unit_names
from datdai.matching.explain import FieldEvidence

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
LOGIN_PATH = "/ui/dang-nhap"
CITIZEN_HOME = "/ui/cong-dan"  # the citizens' pages (web/ui/citizens.py)
CITIZEN_LOGIN_PATH = "/ui/cong-dan/dang-nhap"

# The roles that work in the web app (system clients and citizens use the API / the portal).
STAFF_ROLES = ("admin", "can_bo_du_lieu", "mot_cua", "lanh_dao", "kiem_toan")
DATA_ROLES = ("admin", "can_bo_du_lieu")
DOSSIER_ROLES = ("admin", "can_bo_du_lieu", "mot_cua", "lanh_dao", "kiem_toan")
REPORT_ROLES = ("admin", "lanh_dao", "can_bo_du_lieu")  # as GET /api/v1/reports/{month}


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    label: str
    roles: tuple[str, ...]


NAV: tuple[NavItem, ...] = (
    NavItem("tong-quan", "/ui/tong-quan", "Tổng quan", STAFF_ROLES),
    NavItem("ban-do", "/ui/ban-do", "Bản đồ thửa đất", STAFF_ROLES),
    NavItem("loi", "/ui/loi-du-lieu", "Lỗi dữ liệu", DATA_ROLES),
    NavItem("doi-soat", "/ui/doi-soat", "Đối soát dân cư", DATA_ROLES),
    NavItem("dieu-tra", "/ui/dieu-tra", "Điều tra thực địa", DATA_ROLES),
    NavItem("ho-so", "/ui/ho-so", "Hồ sơ thủ tục", DOSSIER_ROLES),
    NavItem("tac-vu", "/ui/tac-vu", "Tác vụ dài", DATA_ROLES),
    NavItem("bao-cao", "/ui/bao-cao", "Báo cáo tháng", REPORT_ROLES),
    NavItem("tin-gui", "/ui/tin-gui", "Tin nhắn đối tác", ("admin",)),
)

# Where each role starts its day.
HOME_OF_ROLE = {
    "can_bo_du_lieu": "/ui/loi-du-lieu",
    "mot_cua": "/ui/ho-so",
}
DEFAULT_HOME = "/ui/tong-quan"


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form, then back."""

    def __init__(self, next_path: str, expired: bool = False, login_path: str = LOGIN_PATH) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired
        self.login_path = login_path


class PageForbidden(Exception):
    """The account may not open this page (role or commune): a 403 page with the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageNotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def role_label(role: str) -> str:
    return ROLES.get(role, role).split(" / ")[0]


def home_of(principal: Principal) -> str:
    if principal.role == CITIZEN:
        return CITIZEN_HOME
    return HOME_OF_ROLE.get(principal.role, DEFAULT_HOME)


def _next_path(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


async def page_user(request: Request) -> Principal:
    """The signed-in officer (any staff role)."""
    try:
        principal = await authenticate(request)
    except HTTPException as exc:
        if exc.status_code == 401:
            expired = bool(request.cookies.get("datdai_session"))
            raise LoginRequired(_next_path(request), expired=expired) from None
        raise
    if principal.role not in STAFF_ROLES:
        raise PageForbidden("Tài khoản này không dùng giao diện dành cho cán bộ.")
    request.state.principal = principal  # for the layout of an error page
    return principal


async def page_citizen(request: Request) -> Principal:
    """The signed-in citizen (role ``cong_dan``, with their personal number); without a session,
    the citizens' login page."""
    try:
        principal = await authenticate(request)
    except HTTPException as exc:
        if exc.status_code == 401:
            expired = bool(request.cookies.get("datdai_session"))
            raise LoginRequired(_next_path(request), expired=expired, login_path=CITIZEN_LOGIN_PATH) from None
        raise
    if principal.role != CITIZEN or not principal.personal_number:
        raise PageForbidden("Trang này dành cho công dân đăng nhập bằng tài khoản định danh.")
    request.state.principal = principal
    return principal


def page_role(*roles: str):
    """A dependency: the officer, when their role is one of ``roles``."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        principal = await page_user(request)
        if principal.role not in allowed:
            raise PageForbidden(f"Vai trò “{role_label(principal.role)}” không dùng chức năng này.")
        return principal

    dependency.__name__ = f"page_role_{'_'.join(roles)}"
    return dependency


def check_commune(principal: Principal, commune_code: str) -> None:
    if not principal.can_see_commune(commune_code):
        raise PageForbidden(f"Xã {commune_code} nằm ngoài phạm vi được giao của tài khoản.")


# ---------------------------------------------------------------- names of places and people

_ACCOUNT_CACHE_SECONDS = 60.0


def store_of(request: Request):
    return request.app.state.store


def _account(request: Request, principal: Principal) -> dict[str, Any]:
    cache = getattr(request.app.state, "ui_accounts", None)
    if cache is None:
        cache = request.app.state.ui_accounts = {}
    key = (principal.username, principal.role, principal.scopes)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        return hit[0]
    with store_of(request).read() as conn:
        user = get_user(conn, principal.username)
        display = user.display_name if user is not None else None
        names = unit_names(conn, principal.scopes)
    if principal.role == CITIZEN:
        scope = "Thửa đất và hồ sơ của chính mình"
    elif principal.scopes:
        scope = ", ".join(names.get(c, c) for c in sorted(principal.scopes))
    else:
        scope = "Toàn bộ cơ sở dữ liệu"
    info = {"username": principal.username, "display_name": display or principal.username,
            "role": principal.role, "role_label": role_label(principal.role), "scope": scope}
    if len(cache) > 1000:
        cache.clear()
    cache[key] = (info, now + _ACCOUNT_CACHE_SECONDS)
    return info


# ---------------------------------------------------------------- formatting

def local(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(VN_TZ)


def fmt_date(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return local(value).strftime("%d/%m/%Y %H:%M")


def fmt_int(value) -> str:
    return "—" if value is None else vn_int(int(value))


def fmt_area(value) -> str:
    return "—" if value is None else f"{vn_number(float(value), 1)} m²"


def fmt_percent(value) -> str:
    return vn_percent(value)


def fmt_number(value, digits: int = 1) -> str:
    return "—" if value is None else vn_number(float(value), digits)


def fmt_signed_bits(value) -> str:
    """A field's contribution in bits, signed the Vietnamese way: "+11,7", "−2,9", "0"."""

    return "—" if value is None else FieldEvidence("", "", float(value)).bits_text


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(vn_text=vn_decimals_in, date=fmt_date, datetime=fmt_datetime, int=fmt_int, area=fmt_area,
                             percent=fmt_percent, number=fmt_number, signed_bits=fmt_signed_bits)
templates.env.globals.update(
    quote=quote,
    kind_labels={"CA_NHAN": "cá nhân", "HO_GIA_DINH": "hộ gia đình", "TO_CHUC": "tổ chức",
                 "NHOM": "nhóm người sử dụng đất", "VO_CHONG": "vợ chồng"},
    right_labels={"SU_DUNG_DAT": "Quyền sử dụng đất", "SO_HUU_NHA": "Quyền sở hữu nhà ở",
                  "SO_HUU_TAI_SAN": "Quyền sở hữu tài sản"},
    asset_labels={"NHA_O": "Nhà ở riêng lẻ", "CAN_HO": "Căn hộ chung cư", "CONG_TRINH": "Công trình xây dựng",
                  "CAY_LAU_NAM": "Cây lâu năm", "RUNG_TRONG": "Rừng trồng"},
    finding_status_labels={str(k): v for k, v in FINDING_STATUS_LABELS.items()},
    severity_labels={"LOI": "Lỗi", "CANH_BAO": "Cảnh báo"},
    side_labels={"BAN_DO": "Bản đồ", "SO_DIA_CHINH": "Sổ địa chính"},
    action_labels={"insert": "Tạo mới", "update": "Cập nhật", "delete": "Xóa"},
    field_labels={"commune_code": "Mã xã", "sheet_no": "Số tờ", "parcel_no": "Số thửa",
                  "legal_area": "Diện tích pháp lý", "computed_area": "Diện tích tính toán",
                  "land_use_codes": "Loại đất", "address": "Địa chỉ", "map_scale": "Tỷ lệ bản đồ",
                  "map_area_label": "Nhãn diện tích", "map_land_use_label": "Nhãn loại đất",
                  "map_owner_label": "Nhãn chủ sử dụng", "identifier": "Mã thửa", "srid": "Hệ tọa độ",
                  "min_x": "Khung bao", "min_y": "Khung bao", "max_x": "Khung bao", "max_y": "Khung bao"},
)


def render(request: Request, template: str, principal: Principal | None, status_code: int = 200,
           **context: Any):
    """A page in the layout (header with the officer, menu by role)."""
    nav = []
    account = None
    if principal is not None:
        nav = [item for item in NAV if principal.role in item.roles]
        account = _account(request, principal)
    return templates.TemplateResponse(request, template, status_code=status_code, context={
        "nav": nav, "account": account, "csrf": csrf_token(request) or "",
        "vendor_ok": (VENDOR_DIR / "leaflet" / "leaflet.js").is_file(), **context})
