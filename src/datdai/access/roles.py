"""Roles and what each may see.

Staff roles are scoped by commune (5-digit code) and/or province (2-digit code); an empty scope
means the whole store and is allowed only for the roles of :data:`UNSCOPED_ROLES`.

Personal data (personal numbers, birth dates) is shown unmasked only to the roles of
:data:`FULL_PERSONAL_DATA_ROLES`, the ones whose work needs it (Decree 13/2023, minimisation):
the data officer who reconciles owners, the one-stop clerk who checks an applicant's identity,
and the partner systems whose procedures are keyed on the number (C06 residence, notary, tax).
A manager (``lanh_dao``), an auditor (``kiem_toan``) and the administrator (``admin``, who runs
the system, not the procedures) see masked numbers and birth years only; a citizen sees their
own data through ownership checks, not through this flag.
"""

from __future__ import annotations

from datdai.kernel.errors import InvalidInput

ADMIN = "admin"
DATA_OFFICER = "can_bo_du_lieu"
ONE_STOP_CLERK = "mot_cua"
MANAGER = "lanh_dao"
AUDITOR = "kiem_toan"
CITIZEN = "cong_dan"
SYSTEM_C06 = "he_thong_c06"
SYSTEM_NOTARY = "he_thong_cong_chung"
SYSTEM_TAX = "he_thong_thue"

ROLES: dict[str, str] = {
    ADMIN: "Quản trị hệ thống / administrator",
    DATA_OFFICER: "Cán bộ dữ liệu / data officer",
    ONE_STOP_CLERK: "Cán bộ một cửa / one-stop clerk",
    MANAGER: "Lãnh đạo / manager",
    AUDITOR: "Kiểm toán, thanh tra / auditor",
    CITIZEN: "Công dân / citizen",
    SYSTEM_C06: "Hệ thống C06 (Bộ Công an) / C06 system client",
    SYSTEM_NOTARY: "Hệ thống công chứng / notary system client",
    SYSTEM_TAX: "Hệ thống thuế / tax system client",
}

SYSTEM_ROLES = frozenset({SYSTEM_C06, SYSTEM_NOTARY, SYSTEM_TAX})
STAFF_ROLES = frozenset({DATA_OFFICER, ONE_STOP_CLERK, MANAGER})
UNSCOPED_ROLES = frozenset({ADMIN, MANAGER, AUDITOR}) | SYSTEM_ROLES
FULL_PERSONAL_DATA_ROLES = frozenset({DATA_OFFICER, ONE_STOP_CLERK}) | SYSTEM_ROLES


class RoleError(InvalidInput, ValueError):
    """An unknown role or a scope the role may not have (message in Vietnamese)."""


def check_role(role: str) -> str:
    role = (role or "").strip()
    if role not in ROLES:
        raise RoleError(f"vai trò không hợp lệ '{role}' (hợp lệ: {', '.join(ROLES)}) / unknown role")
    return role


def normalize_scopes(role: str, scopes) -> list[str]:
    """Validated, sorted scope codes: 2-digit province or 5-digit commune codes.

    A staff role (data officer, clerk) needs at least one; a citizen has none (ownership decides).
    """
    out: set[str] = set()
    for raw in scopes or ():
        code = str(raw).strip()
        if not code:
            continue
        if not code.isascii() or not code.isdigit() or len(code) not in (2, 5):
            raise RoleError(f"phạm vi không hợp lệ '{code}': mã tỉnh 2 chữ số hoặc mã xã 5 chữ số / "
                            "a scope is a 2-digit province or 5-digit commune code")
        out.add(code)
    if role == CITIZEN and out:
        raise RoleError("tài khoản công dân không có phạm vi địa bàn / a citizen has no scope")
    if not out and role not in UNSCOPED_ROLES and role != CITIZEN:
        raise RoleError(f"vai trò '{role}' cần phạm vi (--scope MA_XA hoặc MA_TINH) / "
                        "this role needs a scope")
    return sorted(out)
