"""Column names of a delivery: file headers → canonical names.

Headers are compared folded (NFC, no diacritics, lower case, letters and digits only), so
"Số thửa", "SO_THUA" and "sothua" all name ``so_thua``. DBF names are upper case and cut to 10
characters ("TY_LE_BAN_", "DIA_CHI_TH"): a folded header of at least 6 characters that is the
start of exactly one known name (or alias) matches it. A few common aliases are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.text import fold_key, nfc, strip_diacritics

MAP_FIELDS: tuple[str, ...] = ("ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu")
MAP_REQUIRED: tuple[str, ...] = ("ma_xa", "so_to", "so_thua")

REGISTER_COLUMNS: tuple[str, ...] = (
    "ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu", "gioi_tinh", "nam_sinh",
    "loai_giay_to", "so_giay_to", "dia_chi_chu", "so_seri_gcn", "dia_chi_thua", "ty_le_ban_do",
)  # fmt: skip
REGISTER_REQUIRED: tuple[str, ...] = (
    "ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu",
)  # fmt: skip

# Other spellings met in deliveries (folded when used).
ALIASES: dict[str, tuple[str, ...]] = {
    "ma_xa": ("maxaphuong", "madvhcxa", "maxaphuongthitran"),
    "so_to": ("shbando", "sohieuto", "sohieubando", "sotobando", "toso", "tobando"),
    "so_thua": ("shthua", "sohieuthua", "thuaso", "sothuadat"),
    "dien_tich": ("dt", "dientichphaply", "dientichm2"),
    "loai_dat": ("mdsd", "kyhieumdsd", "mucdichsudung", "loaidatsd", "kyhieuloaidat"),
    "ten_chu": ("chusudung", "tenchusudung", "tenchusd", "chusd", "hoten", "tennguoisudung"),
    "gioi_tinh": ("gt",),
    "nam_sinh": ("ngaysinh", "namsinhngaysinh"),
    "loai_giay_to": ("loaigt", "loaigiaytotuythan"),
    "so_giay_to": ("cccd", "cmnd", "socccd", "socmnd", "sogiaytotuythan", "socccdcmnd"),
    "dia_chi_chu": ("diachichusudung", "diachinguoisudung"),
    "so_seri_gcn": ("seri", "serigcn", "soseri", "soserigiaychungnhan", "sophathanh"),
    "dia_chi_thua": ("diachithuadat",),
    "ty_le_ban_do": ("tyle", "tylebando", "tyletobando"),
}

MIN_PREFIX = 6  # folded characters a truncated header needs to match by prefix


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=4096)
def fold_header(name: str) -> str:
    """"Số thửa" → "sothua" (:func:`datdai.kernel.text.fold_key`, ASCII letters and digits)."""
    return _NOT_ASCII_ALNUM.sub("", fold_key(str(name)))


def _header_forms(name: str) -> list[str]:
    """The folded header, then without parenthesised parts ("Diện tích (m²)" → "dientich")."""
    full = fold_header(name)
    core = fold_header(_PARENS.sub(" ", str(name)))
    return [full] if not core or core == full else [full, core]


def snake_header(name: str) -> str:
    """A header as an identifier: "Hình thức sử dụng" → "hinh_thuc_su_dung"."""
    text = strip_diacritics(nfc(str(name))).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _keys(canonical: str) -> tuple[str, ...]:
    return (fold_header(canonical), *(fold_header(a) for a in ALIASES.get(canonical, ())))


@dataclass
class ColumnMatch:
    """Which header (by position) holds each canonical column."""

    headers: list[str]
    columns: dict[str, int]  # canonical name -> position in headers
    extras: list[tuple[int, str]] = field(default_factory=list)  # (position, snake name)
    missing: list[str] = field(default_factory=list)  # canonical names not found
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # header -> candidates
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # canonical -> headers

    def header(self, canonical: str) -> str | None:
        i = self.columns.get(canonical)
        return None if i is None else self.headers[i]

    def has(self, names: Iterable[str]) -> bool:
        return all(n in self.columns for n in names)

    @property
    def clean(self) -> bool:
        return not self.ambiguous and not self.duplicates


def match_columns(headers: Sequence[object], canonical: Sequence[str]) -> ColumnMatch:
    """Match ``headers`` against ``canonical`` names; never raises (see :func:`require`)."""
    names = ["" if h is None else str(h) for h in headers]
    keys = {c: _keys(c) for c in canonical}
    hits: dict[str, list[int]] = {}
    ambiguous: dict[str, list[str]] = {}
    unmatched: list[int] = []
    for i, header in enumerate(names):
        forms = _header_forms(header)
        if not forms[0]:
            unmatched.append(i)
            continue
        found: list[str] = []
        for f in forms:
            found = found or [c for c, ks in keys.items() if f in ks]
        for f in forms:
            if not found and len(f) >= MIN_PREFIX:
                found = [c for c, ks in keys.items() if any(k.startswith(f) for k in ks)]
        if len(found) == 1:
            hits.setdefault(found[0], []).append(i)
        elif found:
            ambiguous[header] = found
        else:
            unmatched.append(i)
    columns = {c: idx[0] for c, idx in hits.items() if len(idx) == 1}
    duplicates = {c: [names[i] for i in idx] for c, idx in hits.items() if len(idx) > 1}
    taken = set(canonical)
    extras: list[tuple[int, str]] = []
    for i in unmatched:
        base = snake_header(names[i]) or f"cot_{i + 1}"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        extras.append((i, name))
    missing = [c for c in canonical if c not in hits]
    return ColumnMatch(names, columns, extras, missing, ambiguous, duplicates)


def require(
    match: ColumnMatch, required: Sequence[str], file: str | Path, *, what: str = "cột"
) -> ColumnMatch:
    """Raise a :class:`DeliveryError` for ambiguous, duplicate or missing required columns."""
    if match.ambiguous:
        detail = "; ".join(f"'{h}' → {', '.join(c)}" for h, c in match.ambiguous.items())
        raise DeliveryError(
            file, f"tên {what} không rõ nghĩa (khớp nhiều {what}): {detail} / ambiguous headers"
        )
    if match.duplicates:
        detail = "; ".join(f"{c}: {', '.join(repr(h) for h in hs)}" for c, hs in match.duplicates.items())
        raise DeliveryError(
            file, f"nhiều {what} cùng nghĩa: {detail} / several headers for one column"
        )
    missing = [c for c in required if c not in match.columns]
    if missing:
        found = ", ".join(repr(h) for h in match.headers) or "(không có)"
        raise DeliveryError(
            file,
            f"thiếu {what} bắt buộc: {', '.join(missing)}; {what} có trong tệp: {found}"
            f" / missing required columns",
        )
    return match
