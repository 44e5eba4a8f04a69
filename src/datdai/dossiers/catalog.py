"""The catalog of land procedures (danh mục thủ tục hành chính) — kept as data.

``data/catalog.toml`` lists each service with its time limit in working days (and the limit for
mountainous, island or disadvantaged communes), its legal source, the documents an applicant
files and the internal steps with their share of the limit and the role doing them. A province
may load its own file with :func:`load_catalog`; every file is validated on load and an error
names the file and the entry.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from datdai.dossiers.data_files import read_toml
from datdai.kernel.errors import InvalidInput

__all__ = [
    "ESSENTIAL_CODES",
    "ROLES",
    "CatalogError",
    "DocumentDef",
    "ServiceDef",
    "StepDef",
    "default_catalog",
    "load_catalog",
    "service_limit",
]

# The services every office must offer online (issue 5); the dossier workflow relies on them.
ESSENTIAL_CODES = ("DK_BIEN_DONG_THONG_TIN", "CHUYEN_QUYEN", "NGHIA_VU_TAI_CHINH")

# Who does a step.
ROLES: Mapping[str, str] = MappingProxyType({
    "mot_cua": "Bộ phận Một cửa / one-stop desk",
    "can_bo_dang_ky": "Văn phòng (Chi nhánh) đăng ký đất đai / land registration office",
    "lanh_dao": "Lãnh đạo có thẩm quyền ký / signing authority",
    "can_bo_du_lieu": "Cán bộ cơ sở dữ liệu đất đai / land database officer",
    "he_thong_thue": "Cơ quan thuế / tax authority",
    "ubnd_xa": "UBND cấp xã / commune People's Committee",
    "cong_dan": "Người nộp hồ sơ / applicant",
})

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_GROUP = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


class CatalogError(InvalidInput, ValueError):
    """The catalog file is missing, not TOML, or has an invalid entry."""


@dataclass(frozen=True, slots=True)
class DocumentDef:
    code: str
    name: str
    required: bool


@dataclass(frozen=True, slots=True)
class StepDef:
    code: str
    name: str
    limit_days: float
    role: str
    clock_stops: bool = False


@dataclass(frozen=True, slots=True)
class ServiceDef:
    code: str
    name: str
    group: str
    limit_days: int
    limit_days_disadvantaged: int | None
    legal_source: str
    documents: tuple[DocumentDef, ...]
    steps: tuple[StepDef, ...]
    essential: bool
    limit_confirmed: bool = True  # False: the limit is a placeholder awaiting the legal text
    note: str = ""
    # True: the office has integrated the service with the National Public Service Portal (Cổng
    # Dịch vụ công quốc gia); the monthly report's appendix shows it. An office's own fact, kept as
    # data (catalog file or register_service), not inferred from dossiers.
    portal_connected: bool = False
    # True: a citizen may file it online for a parcel on which they hold no verified right (a first
    # registration: nobody holds the land in the store yet). False: only for their own parcels.
    non_holders_may_file: bool = False

    @property
    def required_documents(self) -> tuple[DocumentDef, ...]:
        return tuple(d for d in self.documents if d.required)

    def step(self, code: str) -> StepDef:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(f"{self.code}: không có bước '{code}' / no such step")


def service_limit(service: ServiceDef, disadvantaged: bool) -> int:
    """The time limit in working days; ``disadvantaged``: mountainous, island or disadvantaged
    commune (the normal limit when the catalog gives no separate one)."""
    if disadvantaged and service.limit_days_disadvantaged is not None:
        return service.limit_days_disadvantaged
    return service.limit_days


# ---------------------------------------------------------------------------------------------
# loading and validation

_SERVICE_KEYS = {"code", "name", "group", "limit_days", "limit_days_disadvantaged",
                 "limit_confirmed", "legal_source", "essential", "note", "portal_connected",
                 "non_holders_may_file", "document", "step"}
_SERVICE_REQUIRED = ("code", "name", "group", "limit_days", "legal_source", "essential",
                     "document", "step")
_DOCUMENT_KEYS = {"code", "name", "required"}
_STEP_KEYS = {"code", "name", "limit_days", "role", "clock_stops"}


class _Bad(Exception):
    """An invalid value; the loader adds where it is."""


def _nfc(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"'{key}' phải là chuỗi không rỗng / must be a non-empty string")
    return unicodedata.normalize("NFC", value.strip())


def _code(value: Any, key: str = "code") -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise _Bad(f"'{key}' phải dạng CHU_HOA_GACH_DUOI, nhận được {value!r} / "
                   "must be UPPER_SNAKE_CASE")
    return value


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"'{key}' phải là true/false, nhận được {value!r}")
    return value


def _int_days(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Bad(f"'{key}' phải là số nguyên dương (ngày làm việc), nhận được {value!r} / "
                   "must be a positive integer")
    return value


def _check_keys(table: Any, allowed: set[str], required: tuple[str, ...], what: str) -> dict:
    if not isinstance(table, dict):
        raise _Bad(f"{what} phải là một bảng / must be a table")
    unknown = set(table) - allowed
    if unknown:
        raise _Bad(f"khóa không hợp lệ / unknown keys: {', '.join(sorted(unknown))} "
                   f"(có: {', '.join(sorted(allowed))})")
    missing = [k for k in required if k not in table]
    if missing:
        raise _Bad(f"thiếu / missing: {', '.join(missing)}")
    return table


def _document(raw: Any) -> DocumentDef:
    t = _check_keys(raw, _DOCUMENT_KEYS, ("code", "name", "required"), "[[service.document]]")
    return DocumentDef(_code(t["code"]), _nfc(t["name"], "name"), _bool(t["required"], "required"))


def _step(raw: Any) -> StepDef:
    t = _check_keys(raw, _STEP_KEYS, ("code", "name", "limit_days", "role"), "[[service.step]]")
    limit = t["limit_days"]
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit) \
            or limit < 0:
        raise _Bad(f"'limit_days' phải là số ≥ 0, nhận được {limit!r} / must be a number >= 0")
    role = t["role"]
    if role not in ROLES:
        raise _Bad(f"'role' không hợp lệ: {role!r} (có: {', '.join(ROLES)}) / unknown role")
    clock_stops = _bool(t.get("clock_stops", False), "clock_stops")
    if clock_stops and limit != 0:
        raise _Bad("bước dừng tính thời hạn (clock_stops) phải có limit_days = 0 / "
                   "a clock-stopping step must have limit_days = 0")
    return StepDef(_code(t["code"]), _nfc(t["name"], "name"), float(limit), role, clock_stops)


def _unique(items: list, what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.code in seen:
            raise _Bad(f"{what} '{item.code}' bị khai trùng / duplicate code")
        seen.add(item.code)


def _service(raw: Any) -> ServiceDef:
    t = _check_keys(raw, _SERVICE_KEYS, _SERVICE_REQUIRED, "[[service]]")
    code = _code(t["code"])
    if not isinstance(t["group"], str) or not _GROUP.fullmatch(t["group"]):
        raise _Bad(f"'group' phải dạng chu_thuong_gach_duoi, nhận được {t['group']!r}")
    limit = _int_days(t["limit_days"], "limit_days")
    limit_dis = t.get("limit_days_disadvantaged")
    if limit_dis is not None:
        limit_dis = _int_days(limit_dis, "limit_days_disadvantaged")
        if limit_dis < limit:
            raise _Bad(f"limit_days_disadvantaged ({limit_dis}) nhỏ hơn limit_days ({limit}) / "
                       "must not be shorter than the normal limit")
    note = t.get("note", "")
    if not isinstance(note, str):
        raise _Bad("'note' phải là chuỗi / must be a string")
    for key in ("document", "step"):
        if not isinstance(t[key], list) or not t[key]:
            raise _Bad(f"cần ít nhất một [[service.{key}]] / at least one {key} needed")
    documents, steps = [], []
    for kind, items, build, out in (("document", t["document"], _document, documents),
                                    ("step", t["step"], _step, steps)):
        for i, item in enumerate(items, start=1):
            try:
                out.append(build(item))
            except _Bad as exc:
                label = item.get("code", f"#{i}") if isinstance(item, dict) else f"#{i}"
                raise _Bad(f"[[service.{kind}]] {label}: {exc}") from None
    _unique(documents, "giấy tờ / document")
    _unique(steps, "bước / step")
    total = sum(s.limit_days for s in steps)
    if total > limit + 1e-9:
        raise _Bad(f"tổng thời hạn các bước ({total:g} ngày) vượt thời hạn thủ tục ({limit} ngày) / "
                   "step limits exceed the service limit")
    return ServiceDef(
        code=code, name=_nfc(t["name"], "name"), group=t["group"], limit_days=limit,
        limit_days_disadvantaged=limit_dis, legal_source=_nfc(t["legal_source"], "legal_source"),
        documents=tuple(documents), steps=tuple(steps), essential=_bool(t["essential"], "essential"),
        limit_confirmed=_bool(t.get("limit_confirmed", True), "limit_confirmed"),
        note=unicodedata.normalize("NFC", note.strip()),
        portal_connected=_bool(t.get("portal_connected", False), "portal_connected"),
        non_holders_may_file=_bool(t.get("non_holders_may_file", False), "non_holders_may_file"),
    )


def load_catalog(path: str | Path | None = None) -> dict[str, ServiceDef]:
    """Read and validate a catalog file (None → the bundled one): services by code."""
    data, name = read_toml(path, "catalog.toml", CatalogError)
    unknown = set(data) - {"service"}
    if unknown:
        raise CatalogError(f"{name}: khóa không hợp lệ / unknown keys: {', '.join(sorted(unknown))}"
                           " (chỉ có [[service]])")
    raw = data.get("service")
    if not isinstance(raw, list) or not raw:
        raise CatalogError(f"{name}: cần ít nhất một [[service]] / no services")
    services: dict[str, ServiceDef] = {}
    for i, item in enumerate(raw, start=1):
        label = item.get("code") if isinstance(item, dict) and isinstance(item.get("code"), str) \
            else f"mục thứ {i} / entry {i}"
        where = f"{name}: [[service]] {label}"
        try:
            service = _service(item)
        except _Bad as exc:
            raise CatalogError(f"{where}: {exc}") from None
        if service.code in services:
            raise CatalogError(f"{where}: mã thủ tục bị khai trùng / duplicate service code")
        services[service.code] = service
    for code in ESSENTIAL_CODES:
        if code not in services:
            raise CatalogError(f"{name}: thiếu thủ tục thiết yếu / missing essential service "
                               f"{code}")
        if not services[code].essential:
            raise CatalogError(f"{name}: [[service]] {code}: phải có essential = true / "
                               "must be marked essential")
    return services


@functools.cache
def default_catalog() -> Mapping[str, ServiceDef]:
    """The bundled catalog (validated once, cached, read-only)."""
    return MappingProxyType(load_catalog())
