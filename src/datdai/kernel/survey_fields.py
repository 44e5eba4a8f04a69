"""The field survey form (phiếu điều tra, thu thập thông tin thửa đất): its fields, what each
corrects in the land store, and the value lists the surveyor picks from. Pure: no I/O.

The 18 land fields are those the land register shares with the population register (seed 000,
footnote 28): land user; sheet; parcel; address; area; form of use; purpose; term; origin; house
type; apartment building; floor area; ownership form; grade; ownership term; shared parts;
construction grade; construction area. Then the land user's identity (name, birth date, gender,
personal number and the CCCD chip QR read with the barcode widget) and the address parts (house
number, street or hamlet).

Each field has a ``target``: the table and column of the store it proposes to change
(``parcels``, ``rights`` — the parcel's land-use rights —, ``assets`` — the house or building on
the parcel —, ``parties`` — the main land user). A field the surveyor leaves empty proposes
nothing: "unchanged". The XLSForm (``exchange/survey_form.py``), the GeoPackage for QField, the
readers of what comes back and the proposals all use this one list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from datdai.kernel.errors import InvalidInput
from datdai.kernel.landuse import catalog, parse_codes
from datdai.kernel.model import Gender, PartyKind
from datdai.kernel.text import collapse_spaces, nfc


@dataclass(frozen=True, slots=True)
class SurveyField:
    name: str  # the XLSForm name, the GeoPackage column, the proposal's field
    label: str  # Vietnamese, shown to the surveyor and the reviewer
    kind: str  # text / integer / decimal / date / select_one / select_multiple
    target: str  # "table.column" in the store
    choices: str | None = None  # the value list's name (VALUE_LISTS)
    hint: str | None = None


# --- value lists (name → [(value, label)]) -------------------------------------------------------

FORMS_OF_USE = (("Sử dụng riêng", "Sử dụng riêng"), ("Sử dụng chung", "Sử dụng chung"))
TERMS = (("Lâu dài", "Lâu dài"), ("Có thời hạn", "Có thời hạn (ghi năm hết hạn ở ghi chú)"))
ORIGINS = (
    "Công nhận QSDĐ như giao đất có thu tiền sử dụng đất",
    "Công nhận QSDĐ như giao đất không thu tiền sử dụng đất",
    "Nhà nước giao đất có thu tiền sử dụng đất",
    "Nhà nước giao đất không thu tiền sử dụng đất",
    "Nhà nước cho thuê đất trả tiền hằng năm",
    "Nhà nước cho thuê đất trả tiền một lần cho cả thời gian thuê",
    "Nhận chuyển nhượng",
    "Nhận thừa kế",
    "Nhận tặng cho",
)
HOUSE_TYPES = ("Nhà ở riêng lẻ", "Căn hộ chung cư", "Nhà biệt thự", "Nhà tạm", "Công trình khác")
OWNERSHIP_FORMS = ("Sở hữu riêng", "Sở hữu chung")
GRADES = ("Cấp đặc biệt", "Cấp I", "Cấp II", "Cấp III", "Cấp IV")
PAPER_KINDS = (
    ("GCN", "Giấy chứng nhận (sổ đỏ, sổ hồng)"),
    ("CCCD", "Thẻ căn cước / CCCD"),
    ("GIAY_TO_NGUON_GOC", "Giấy tờ về nguồn gốc đất"),
    ("HOP_DONG", "Hợp đồng chuyển nhượng, tặng cho"),
    ("KHAC", "Giấy tờ khác"),
)


def _same(values) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


def landuse_choices() -> tuple[tuple[str, str], ...]:
    """The land use codes in force (``domain/data/landuse_2024.csv``): ``(code, "CODE — name")``."""
    cat = catalog()
    return tuple((c, f"{c} — {cat.name(c)}") for c in cat.codes())


def value_lists() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every value list of the form, by name: ``[(value, label)]``. XLSForm choice names must be
    XML names, so the form writes an index (``v1``, ``v2`` …) as the choice name and the value as
    its label where they differ (:func:`choice_name`); readers map back with :func:`choice_value`."""
    return {
        "loai_dat": landuse_choices(),
        "hinh_thuc_su_dung": FORMS_OF_USE,
        "thoi_han": TERMS,
        "nguon_goc": _same(ORIGINS),
        "loai_nha": _same(HOUSE_TYPES),
        "hinh_thuc_so_huu": _same(OWNERSHIP_FORMS),
        "cap_hang": _same(GRADES),
        "nguoi_su_dung": ((PartyKind.PERSON.value, "Cá nhân"), (PartyKind.HOUSEHOLD.value, "Hộ gia đình"),
                          (PartyKind.COUPLE.value, "Vợ chồng"), (PartyKind.GROUP.value, "Nhóm người sử dụng đất"),
                          (PartyKind.ORGANISATION.value, "Tổ chức")),
        "gioi_tinh": ((Gender.MALE.value, "Nam"), (Gender.FEMALE.value, "Nữ")),
        "loai_giay_to": PAPER_KINDS,
        "xac_nhan": (("DUNG", "Thông tin đúng, không cần sửa"), ("SUA", "Có thông tin cần sửa, bổ sung"),
                     ("KHONG_TIM_THAY", "Không tìm thấy thửa ngoài thực địa")),
    }


_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def choice_name(value: str, index: int) -> str:
    """The XLSForm choice name of ``value`` (1-based ``index`` in its list): the value itself when
    it is an XML name (land use codes, CCCD), else ``v<index>``."""
    return value if _XML_NAME.match(value) else f"v{index}"


def choice_value(list_name: str, name: str) -> str | None:
    """The value behind a submitted choice name (see :func:`choice_name`); None if unknown."""
    for i, (value, _label) in enumerate(value_lists()[list_name], start=1):
        if name in (value, choice_name(value, i)):
            return value
    return None


# --- the fields ---------------------------------------------------------------------------------

LAND_FIELDS: tuple[SurveyField, ...] = (
    SurveyField("nguoi_su_dung", "Người sử dụng đất là", "select_one", "parties.kind", "nguoi_su_dung",
                hint="Cá nhân, hộ gia đình, tổ chức…; họ tên và giấy tờ ở phần người sử dụng đất"),
    SurveyField("so_to", "Số tờ bản đồ", "integer", "parcels.sheet_no"),
    SurveyField("so_thua", "Số thửa", "integer", "parcels.parcel_no"),
    SurveyField("dia_chi", "Địa chỉ thửa đất", "text", "parcels.address"),
    SurveyField("dien_tich", "Diện tích (m²)", "decimal", "parcels.legal_area"),
    SurveyField("hinh_thuc_su_dung", "Hình thức sử dụng", "select_one", "rights.form_of_use",
                "hinh_thuc_su_dung"),
    SurveyField("muc_dich", "Mục đích sử dụng (loại đất)", "select_multiple", "parcels.land_use_codes",
                "loai_dat"),
    SurveyField("thoi_han", "Thời hạn sử dụng", "select_one", "rights.term", "thoi_han"),
    SurveyField("nguon_goc", "Nguồn gốc sử dụng", "select_one", "rights.origin", "nguon_goc"),
    SurveyField("loai_nha", "Loại nhà ở", "select_one", "assets.house_type", "loai_nha"),
    SurveyField("nha_chung_cu", "Tên nhà chung cư (nếu là căn hộ)", "text", "assets.building_name"),
    SurveyField("dien_tich_san", "Diện tích sàn (m²)", "decimal", "assets.floor_area"),
    SurveyField("hinh_thuc_so_huu", "Hình thức sở hữu nhà", "select_one", "assets.ownership_form",
                "hinh_thuc_so_huu"),
    SurveyField("cap_hang", "Cấp (hạng) nhà", "select_one", "assets.grade", "cap_hang"),
    SurveyField("thoi_han_so_huu", "Thời hạn sở hữu", "text", "assets.ownership_term"),
    SurveyField("phan_so_huu_chung", "Phần sở hữu chung", "text", "assets.shared_parts"),
    SurveyField("cap_cong_trinh", "Cấp công trình xây dựng", "select_one", "assets[CONG_TRINH].grade",
                "cap_hang"),
    SurveyField("dien_tich_xay_dung", "Diện tích xây dựng (m²)", "decimal", "assets.construction_area"),
)

IDENTITY_FIELDS: tuple[SurveyField, ...] = (
    SurveyField("ho_ten", "Họ và tên người sử dụng đất", "text", "parties.full_name"),
    SurveyField("ngay_sinh", "Ngày sinh", "date", "parties.birth_date"),
    SurveyField("gioi_tinh", "Giới tính", "select_one", "parties.gender", "gioi_tinh"),
    SurveyField("so_dinh_danh", "Số định danh cá nhân (CCCD, 12 số)", "text", "parties.personal_number",
                hint="Gõ đủ 12 số; nếu quét được mã QR trên thẻ, số trong mã QR được đối chiếu"),
)

ADDRESS_FIELDS: tuple[SurveyField, ...] = (
    SurveyField("so_nha", "Số nhà", "text", "parcel_addresses.house_number"),
    SurveyField("duong_thon", "Đường, phố hoặc thôn, xóm, ấp", "text", "parcel_addresses.street"),
)

FIELDS: tuple[SurveyField, ...] = LAND_FIELDS + IDENTITY_FIELDS + ADDRESS_FIELDS
BY_NAME: dict[str, SurveyField] = {f.name: f for f in FIELDS}


class BadValue(InvalidInput, ValueError):
    """A submitted value that does not fit its field (a letter in an area, an unknown code)."""


def normalise_value(field: SurveyField, raw: str | None) -> str | None:
    """The submitted ``raw`` text of ``field`` as the canonical text a proposal stores (None: the
    surveyor left it empty). Numbers use a dot; dates are ``yyyy-mm-dd``; land use codes are
    joined by ``+``; choice names become their values. Raises :class:`BadValue`."""
    if raw is None:
        return None
    text = collapse_spaces(nfc(str(raw)))
    if text == "":
        return None
    if field.kind == "integer":
        if not re.fullmatch(r"[0-9]+", text):
            raise BadValue(f"'{text}' không phải số nguyên")
        return str(int(text))
    if field.kind == "decimal":
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise BadValue(f"'{text}' không phải số") from None
        if value < 0:
            raise BadValue(f"'{text}' âm")
        return format(round(value, 2), "g") if value != int(value) else str(int(value))
    if field.kind == "date":
        for fmt in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{2})/(\d{2})/(\d{4})"):
            m = re.fullmatch(fmt, text[:10])
            if m:
                parts = m.groups()
                y, mo, d = (parts if len(parts[0]) == 4 else parts[::-1])
                try:
                    return date(int(y), int(mo), int(d)).isoformat()
                except ValueError:
                    break
        raise BadValue(f"'{text}' không phải ngày")
    if field.kind == "select_one":
        value = choice_value(field.choices or "", text)
        if value is None:
            raise BadValue(f"'{text}' không có trong danh mục {field.choices}")
        return value
    if field.kind == "select_multiple":
        codes = []
        for part in text.split(" ") if field.choices != "loai_dat" else parse_codes(text):
            value = choice_value(field.choices or "", part)
            if value is None:
                raise BadValue(f"'{part}' không có trong danh mục {field.choices}")
            codes.append(value)
        return "+".join(dict.fromkeys(codes))
    if field.name == "so_dinh_danh":
        digits = re.sub(r"[\s.\-]", "", text)
        if not re.fullmatch(r"[0-9]{12}", digits):
            raise BadValue(f"'{text}' không phải số định danh 12 chữ số")
        return digits
    return text


# --- what comes back from the field (read by ingest/survey_odk.py, ingest/survey_gpkg.py) -------

@dataclass
class Photo:
    kind: str | None  # a PAPER_KINDS value
    file: str  # name as submitted
    size: int | None  # None: the file is missing from the export
    read: Callable[[], bytes]


@dataclass
class Submission:
    instance_id: str
    row: int  # row of the main table (1 = first data row), for messages
    entity_key: str | None  # commune-sheet-parcel
    values: dict[str, str | None]  # survey field name → raw text
    confirmation: str | None = None  # DUNG / SUA / KHONG_TIM_THAY
    surveyor: str | None = None
    surveyed_on: dt.date | None = None
    submitted_at: dt.datetime | None = None
    qr_payload: str | None = None
    refused: str | None = None  # refused by the server (Central review state "rejected")
    photos: list[Photo] = field(default_factory=list)


