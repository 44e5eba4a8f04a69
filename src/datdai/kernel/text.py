"""Small pure text helpers shared by the domain: NFC, diacritic folding, match keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """"Nguyễn Đức" → "Nguyen Duc" (đ/Đ folded to d/D, which NFD does not do)."""
    decomposed = unicodedata.normalize("NFD", text)
    base = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return base.replace("đ", "d").replace("Đ", "D")


# bidirectional overrides and isolates: they make a text read differently from what it holds
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` (C0/C1 controls — tab, line breaks, NUL… — and the
    bidirectional overrides), as ``U+XXXX``; none belongs in a person's name."""
    return [f"U+{ord(ch):04X}" for ch in text
            if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS]


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def fold_key(text: str) -> str:
    """A key for loose comparison: lower case, no diacritics, letters and digits only."""
    folded = strip_diacritics(nfc(text)).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def vn_int(n: int) -> str:
    """A whole number the Vietnamese way: 5615 → "5.615"."""
    return f"{n:,}".replace(",", ".")


def vn_percent(value: float | None, digits: int = 1) -> str:
    """A percentage the Vietnamese way: 95.23 → "95,2%"; None → "—"."""
    return "—" if value is None else f"{value:.{digits}f}%".replace(".", ",")


def vn_number(value: float | None, digits: int = 1) -> str:
    """A decimal number the Vietnamese way: 1234.56 → "1.234,6"; None → "—"."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_date(day) -> str:
    """A date as dd/mm/yyyy."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def vn_document_date(day, place: str = "") -> str:
    """The place and date line of an administrative document (Decree 30/2020/NĐ-CP, appendix I):
    "Đồng Nai, ngày 05 tháng 02 năm 2025" — a 0 before days under 10 and months under 3."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year:04d}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


_DECIMAL_IN_TEXT = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d.,])")


def vn_decimals_in(text: str | None) -> str | None:
    """The decimal numbers a stored text writes with a dot ("chênh 2799.7 m²"), shown the
    Vietnamese way ("chênh 2.799,7 m²"); other text (codes "25243/2/12", dates) is left as it is."""
    if not text:
        return text

    def one(m: re.Match) -> str:
        return vn_number(float(f"{m.group(1)}.{m.group(2)}"), len(m.group(2)))

    return _DECIMAL_IN_TEXT.sub(one, text)
