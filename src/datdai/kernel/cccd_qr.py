"""The QR code of a chip-based CCCD card (REFERENCE.md §1). Pure: no I/O.

The QR holds UTF-8 text, fields separated by ``|``, read by position::

    CCCD|old CMND|full name|date of birth ddmmyyyy|gender|permanent address|issue date ddmmyyyy

- the old-CMND field may be empty (a 9- or 12-digit CMND otherwise);
- fields after the seventh are kept, unparsed, in :attr:`CccdQr.extra` (the layout of cards
  issued from 1 July 2024 is unconfirmed);
- the CCCD must be valid (:class:`datdai.kernel.ids.CitizenId`) and its century/gender digit
  and birth-year digits must agree with the QR's date of birth and gender.

This is the one source that ties an old CMND to its CCCD.

A scanner that decoded the bytes as latin-1/cp1252 instead of UTF-8 yields mojibake
(``Nguyá»…n``); it is repaired with :func:`datdai.kernel.legacy.repair_text` and noted in
:attr:`CccdQr.notes`. Letters a cp1252 decoder replaced with U+FFFD are lost: such a text is
rejected (scan again, reading UTF-8). Errors raise :class:`InvalidQr` with a Vietnamese
``reason`` and, where one field is at fault, its ``field`` (the attribute name).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from datdai.kernel.errors import InvalidInput
from datdai.kernel.ids import CitizenId, InvalidId, OldIdCard
from datdai.kernel.legacy import MOJIBAKE, repair_text
from datdai.kernel.model import Gender
from datdai.kernel.text import collapse_spaces, fold_key, nfc

SEPARATOR = "|"
N_FIELDS = 7

# Field names (attributes of CccdQr) and their Vietnamese labels, in QR order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("so_dinh_danh", "số định danh (CCCD)"),
    ("so_cmnd", "số CMND cũ"),
    ("ho_ten", "họ và tên"),
    ("ngay_sinh", "ngày sinh"),
    ("gioi_tinh", "giới tính"),
    ("dia_chi", "nơi thường trú"),
    ("ngay_cap", "ngày cấp"),
)
_LABEL = dict(FIELDS)

NOTE_MOJIBAKE = "đã sửa lỗi mã hoá: văn bản UTF-8 bị máy quét đọc thành latin-1/cp1252"

_DATE = re.compile(r"[0-9]{8}")
_GENDERS = {"nam": Gender.MALE, "nu": Gender.FEMALE}


class InvalidQr(InvalidInput, ValueError):
    """A text (or image) that is not a valid CCCD QR code; ``reason`` says why, in Vietnamese.

    ``field`` names the attribute of :class:`CccdQr` at fault, when there is one.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True, slots=True)
class CccdQr:
    """The content of a CCCD card's QR code."""

    so_dinh_danh: str  # the 12-digit CCCD / personal number
    so_cmnd: str | None  # the old CMND (9 or 12 digits), None when the field is empty
    ho_ten: str  # NFC, spaces collapsed, case as printed
    ngay_sinh: date
    gioi_tinh: str  # "Nam" or "Nữ"
    dia_chi: str  # permanent address (nơi thường trú), NFC, spaces collapsed
    ngay_cap: date
    extra: tuple[str, ...] = ()  # fields after the seventh, as found (stripped, NFC)
    notes: tuple[str, ...] = ()  # what was repaired (in Vietnamese)

    @property
    def citizen_id(self) -> CitizenId:
        return CitizenId(self.so_dinh_danh)

    @property
    def old_id_card(self) -> OldIdCard | None:
        return OldIdCard(self.so_cmnd) if self.so_cmnd else None

    @property
    def gender(self) -> Gender:
        return Gender(self.gioi_tinh)

    @property
    def repaired(self) -> bool:
        return bool(self.notes)

    def to_text(self) -> str:
        """The QR text of this record (UTF-8 when encoded); inverse of :func:`parse_cccd_qr`."""
        fields = [
            self.so_dinh_danh,
            self.so_cmnd or "",
            self.ho_ten,
            self.ngay_sinh.strftime("%d%m%Y"),
            self.gioi_tinh,
            self.dia_chi,
            self.ngay_cap.strftime("%d%m%Y"),
            *self.extra,
        ]
        return SEPARATOR.join(fields)


def _clean(text: str) -> str:
    return collapse_spaces(nfc(text)).strip()


def _parse_date(text: str, field: str) -> date:
    value = text.strip()
    label = _LABEL[field]
    if not value:
        raise InvalidQr(f"thiếu {label}", field)
    if not _DATE.fullmatch(value):
        raise InvalidQr(f"{label} '{value}' không hợp lệ (cần dạng ddmmyyyy)", field)
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        raise InvalidQr(f"{label} '{value}' không phải ngày có thật", field) from None


def _parse_gender(text: str) -> Gender:
    value = _clean(text)
    gender = _GENDERS.get(fold_key(value)) if value else None
    if gender is None:
        label = _LABEL["gioi_tinh"]
        if not value:
            raise InvalidQr(f"thiếu {label}", "gioi_tinh")
        raise InvalidQr(f"{label} '{value}' không hợp lệ (cần 'Nam' hoặc 'Nữ')", "gioi_tinh")
    return gender


def _repair(text: str) -> tuple[str, tuple[str, ...]]:
    """NFC text, with UTF-8-read-as-cp1252 mojibake undone; (text, notes)."""
    text = nfc(text)
    notes: tuple[str, ...] = ()
    fixed, kind = repair_text(text)
    # A QR is UTF-8 by definition: only mojibake is repaired, never a guessed TCVN3/VNI.
    if kind == MOJIBAKE and fixed != text:
        text, notes = fixed, (NOTE_MOJIBAKE,)
    return text, notes


def parse_cccd_qr(text: str) -> CccdQr:
    """Parse the text of a CCCD card's QR code; raises :class:`InvalidQr`.

    Surrounding whitespace, a byte-order mark and a final newline are ignored; each field is
    stripped. Names and addresses are NFC with inner spaces collapsed.
    """
    if not isinstance(text, str):
        raise InvalidQr(f"mã QR phải là văn bản, nhận được {type(text).__name__}")
    # Repair first: latin-1 mojibake holds C1 controls (U+0085 is whitespace to str.strip).
    text, notes = _repair(text)
    text = text.strip().lstrip("\ufeff").strip()
    if not text:
        raise InvalidQr("mã QR rỗng")

    parts = text.split(SEPARATOR)
    if len(parts) < N_FIELDS:
        raise InvalidQr(
            f"mã QR CCCD cần ít nhất {N_FIELDS} trường ngăn bởi '{SEPARATOR}', "
            f"nhận được {len(parts)}"
        )
    for (field, label), value in zip(FIELDS, parts):
        if "\ufffd" in value:
            raise InvalidQr(
                f"{label} có ký tự bị mất khi quét (U+FFFD): hãy quét lại, đọc mã QR "
                "dưới dạng UTF-8",
                field,
            )
    raw_id, raw_cmnd, raw_name, raw_birth, raw_gender, raw_address, raw_issue = (
        p.strip() for p in parts[:N_FIELDS]
    )

    if not raw_id:
        raise InvalidQr(f"thiếu {_LABEL['so_dinh_danh']}", "so_dinh_danh")
    try:
        citizen_id = CitizenId(raw_id)
    except InvalidId as exc:
        raise InvalidQr(f"{_LABEL['so_dinh_danh']}: {exc}", "so_dinh_danh") from None

    so_cmnd: str | None = None
    if raw_cmnd:
        try:
            so_cmnd = OldIdCard(raw_cmnd).value
        except InvalidId as exc:
            raise InvalidQr(f"{_LABEL['so_cmnd']}: {exc}", "so_cmnd") from None

    ho_ten = _clean(raw_name)
    if not ho_ten:
        raise InvalidQr(f"thiếu {_LABEL['ho_ten']}", "ho_ten")
    if any(unicodedata.category(ch)[0] == "N" for ch in ho_ten):
        raise InvalidQr(f"{_LABEL['ho_ten']} '{ho_ten}' chứa chữ số", "ho_ten")

    ngay_sinh = _parse_date(raw_birth, "ngay_sinh")
    gender = _parse_gender(raw_gender)

    dia_chi = _clean(raw_address)
    if not dia_chi:
        raise InvalidQr(f"thiếu {_LABEL['dia_chi']}", "dia_chi")

    ngay_cap = _parse_date(raw_issue, "ngay_cap")
    if ngay_cap < ngay_sinh:
        raise InvalidQr(
            f"ngày cấp {ngay_cap:%d/%m/%Y} trước ngày sinh {ngay_sinh:%d/%m/%Y}", "ngay_cap"
        )

    # Digit 4 (century and gender) and digits 5–6 (birth year) against the QR's own fields.
    if citizen_id.birth_year != ngay_sinh.year:
        raise InvalidQr(
            f"số CCCD {citizen_id} mã hoá năm sinh {citizen_id.birth_year} nhưng ngày sinh "
            f"trong mã QR là {ngay_sinh:%d/%m/%Y}",
            "so_dinh_danh",
        )
    if citizen_id.gender is not gender:
        raise InvalidQr(
            f"số CCCD {citizen_id} mã hoá giới tính {citizen_id.gender.value} nhưng mã QR "
            f"ghi '{gender.value}'",
            "so_dinh_danh",
        )

    extra = tuple(nfc(p).strip() for p in parts[N_FIELDS:])
    return CccdQr(
        so_dinh_danh=citizen_id.value,
        so_cmnd=so_cmnd,
        ho_ten=ho_ten,
        ngay_sinh=ngay_sinh,
        gioi_tinh=gender.value,
        dia_chi=dia_chi,
        ngay_cap=ngay_cap,
        extra=extra,
        notes=notes,
    )
