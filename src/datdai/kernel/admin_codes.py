"""Administrative unit codes: the GSO statistics codes (REFERENCE.md §6).

Province 2 digits, district 3 digits, commune (xã, phường, thị trấn / đặc khu) 5 digits. Only the
format is checked here — the code lists of the old (63-province) and new (34-province) eras live
elsewhere. The 8-digit codes of the tax system are not commune codes and are rejected.
"""

from __future__ import annotations

from datdai.kernel.model import AdminLevel

CODE_LENGTH: dict[AdminLevel, int] = {
    AdminLevel.PROVINCE: 2,
    AdminLevel.DISTRICT: 3,
    AdminLevel.COMMUNE: 5,
}
_LEVEL_NAME = {AdminLevel.PROVINCE: "tỉnh", AdminLevel.DISTRICT: "huyện", AdminLevel.COMMUNE: "xã"}


def _digits(text: str) -> bool:
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def validate_admin_code(code: str, level: AdminLevel | str) -> str:
    """Return the code (surrounding spaces removed) if it is a well-formed code of ``level``.

    Raises ValueError with a Vietnamese message otherwise: wrong length, a non-digit, all zeros.
    A lost leading zero is not restored (``"4"`` is not commune ``"00004"``): fix it at import.
    """
    lvl = AdminLevel(level)
    n = CODE_LENGTH[lvl]
    what = _LEVEL_NAME[lvl]
    if not isinstance(code, str):
        raise ValueError(f"mã {what} phải là chuỗi {n} chữ số, nhận được {code!r}")
    text = code.strip()
    if not _digits(text):
        raise ValueError(f"mã {what} '{code}' phải gồm {n} chữ số (chỉ chữ số)")
    if len(text) != n:
        extra = ""
        if lvl is AdminLevel.COMMUNE and len(text) == 8:
            extra = " — mã 8 chữ số là mã của hệ thống thuế, không phải mã thống kê"
        raise ValueError(f"mã {what} '{code}' phải có {n} chữ số, nhận được {len(text)}{extra}")
    if text.strip("0") == "":
        raise ValueError(f"mã {what} '{code}' không hợp lệ (toàn số 0)")
    return text


def is_commune_code(text: object) -> bool:
    """True for a well-formed 5-digit commune code (surrounding spaces allowed)."""
    if not isinstance(text, str):
        return False
    try:
        validate_admin_code(text, AdminLevel.COMMUNE)
    except ValueError:
        return False
    return True
