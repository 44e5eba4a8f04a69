"""The land domain model (ISO 19152 LADM, named in plain English). Pure: no I/O.

Parties hold rights on holdings (the basic administrative unit a certificate covers);
a holding covers one or more parcels and the assets on them. Citizens are records of the
population register: evidence, never edited, kept apart from parties.

Map-side values (labels printed on the cadastral map) and register-side values (the
cadastral book, sổ địa chính) are both kept on the parcel, because cleaning compares them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class PartyKind(StrEnum):
    PERSON = "CA_NHAN"  # cá nhân
    HOUSEHOLD = "HO_GIA_DINH"  # hộ gia đình
    ORGANISATION = "TO_CHUC"  # tổ chức
    GROUP = "NHOM"  # nhóm người sử dụng đất / đồng sở hữu
    COUPLE = "VO_CHONG"  # cặp vợ chồng


class Gender(StrEnum):
    MALE = "Nam"
    FEMALE = "Nữ"


class DocumentType(StrEnum):
    CCCD = "CCCD"  # căn cước công dân / căn cước (12 digits, the personal number)
    CMND = "CMND"  # chứng minh nhân dân (9 or 12 digits)
    PASSPORT = "HC"  # hộ chiếu
    BUSINESS = "GPKD"  # giấy chứng nhận đăng ký doanh nghiệp
    OTHER = "KHAC"


class RightKind(StrEnum):
    LAND_USE = "SU_DUNG_DAT"  # quyền sử dụng đất
    HOUSE_OWNERSHIP = "SO_HUU_NHA"  # quyền sở hữu nhà ở
    ASSET_OWNERSHIP = "SO_HUU_TAI_SAN"  # quyền sở hữu tài sản khác gắn liền với đất


class AssetKind(StrEnum):
    HOUSE = "NHA_O"  # nhà ở riêng lẻ
    APARTMENT = "CAN_HO"  # căn hộ chung cư
    CONSTRUCTION = "CONG_TRINH"  # công trình xây dựng khác
    PERENNIAL_TREES = "CAY_LAU_NAM"  # cây lâu năm
    PLANTED_FOREST = "RUNG_TRONG"  # rừng sản xuất là rừng trồng


class CertificateForm(StrEnum):
    OLD = "CU"  # 2 letters + 6 digits
    NEW = "MOI"  # from 1 August 2024 (Circular 10/2024): 2 letters + 8 digits, QR code


class AdminLevel(StrEnum):
    PROVINCE = "TINH"
    DISTRICT = "HUYEN"  # abolished on 1 July 2025
    COMMUNE = "XA"


class AdminEra(StrEnum):
    OLD = "CU"  # the 63 provinces, with districts, before 1 July 2025
    NEW = "MOI"  # the 34 provinces, no district level, from 1 July 2025


@dataclass(slots=True)
class IdentityDocument:
    doc_type: DocumentType | None
    number: str  # as recorded (may carry spaces, dots, a lost leading zero)
    issue_date: date | None = None
    issue_place: str | None = None


@dataclass(slots=True)
class PartyMember:
    member_id: str  # party_id of the member (a person)
    share: Decimal | None = None  # fraction of the group's right, 0..1
    role: str | None = None  # chu_ho, vo, chong, con, thanh_vien


@dataclass(slots=True)
class Party:
    party_id: str
    kind: PartyKind
    full_name: str  # as recorded, possibly with a prefix or in a legacy encoding
    gender: Gender | None = None
    birth_date: date | None = None
    birth_year: int | None = None  # registers often keep the year only
    documents: list[IdentityDocument] = field(default_factory=list)
    address: str | None = None
    nationality: str | None = "Việt Nam"
    ethnicity: str | None = None
    tax_code: str | None = None
    personal_number: str | None = None  # số định danh cá nhân, once confirmed
    members: list[PartyMember] = field(default_factory=list)


@dataclass(slots=True)
class Parcel:
    commune_code: str  # 5-digit statistics code (mã xã)
    sheet_no: int  # số tờ bản đồ
    parcel_no: int  # số thửa
    geometry_wkb: bytes | None = None  # polygon in the zone's VN-2000 TM-3 CRS
    srid: int | None = None
    legal_area: float | None = None  # register (sổ địa chính), m²
    land_use_codes: tuple[str, ...] = ()  # register, e.g. ("ODT", "CLN")
    address: str | None = None
    map_scale: int | None = None  # tỷ lệ bản đồ, denominator
    map_area_label: float | None = None  # label printed on the map
    map_land_use_label: str | None = None  # e.g. "ODT+CLN"
    map_owner_label: str | None = None
    identifier: str | None = None  # 12-character parcel identifier (from 2025; format unconfirmed)
    old_sheet_no: int | None = None
    old_parcel_no: int | None = None

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.commune_code, self.sheet_no, self.parcel_no)


@dataclass(slots=True)
class Holding:
    """Basic administrative unit (LADM BAUnit): what one certificate covers."""

    holding_id: str
    parcel_keys: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Right:
    right_id: str
    holding_id: str
    party_id: str
    kind: RightKind
    share: Decimal | None = None  # 0..1; None for a sole holder
    purpose_codes: tuple[str, ...] = ()  # mục đích sử dụng
    term: str | None = None  # thời hạn: "Lâu dài" or "đến dd/mm/yyyy"
    term_end: date | None = None
    origin: str | None = None  # nguồn gốc sử dụng
    form_of_use: str | None = None  # hình thức sử dụng: riêng / chung
    asset_id: str | None = None  # for ownership of a house or other asset


@dataclass(slots=True)
class Asset:
    asset_id: str
    holding_id: str
    parcel_key: tuple[str, int, int] | None
    kind: AssetKind
    house_type: str | None = None  # loại nhà ở
    building_name: str | None = None  # tên nhà chung cư
    apartment_no: str | None = None
    floor_area: float | None = None  # diện tích sàn, m²
    construction_area: float | None = None  # diện tích xây dựng, m²
    floors: int | None = None
    grade: str | None = None  # cấp (hạng) nhà / công trình
    ownership_form: str | None = None  # hình thức sở hữu
    ownership_term: str | None = None  # thời hạn sở hữu
    shared_parts: str | None = None  # phần sở hữu chung ngoài căn hộ


@dataclass(slots=True)
class Certificate:
    serial: str  # số phát hành (seri)
    form: CertificateForm
    holding_id: str
    issue_date: date | None = None
    issuer: str | None = None
    register_entry: str | None = None  # số vào sổ cấp GCN


@dataclass(slots=True)
class SourceDocument:
    source_id: str
    kind: str  # e.g. "HOP_DONG_CHUYEN_NHUONG", "GIAY_TO_NGUON_GOC"
    title: str
    holding_id: str | None = None
    party_id: str | None = None
    doc_date: date | None = None
    reference: str | None = None  # number / storage reference
    digitized: bool = False
    content_hash: str | None = None


@dataclass(slots=True)
class AdminUnit:
    code: str  # 2-digit province, 3-digit district, 5-digit commune (GSO)
    name: str
    level: AdminLevel
    era: AdminEra
    parent_code: str | None = None
    successor_code: str | None = None  # the 2025 unit this old unit became part of (main one)


@dataclass(slots=True, frozen=True)
class Citizen:
    """One record of the population register extract: the 19 shared fields. Never edited."""

    so_dinh_danh: str
    so_cmnd: str | None
    ho_ten: str
    gioi_tinh: str
    dan_toc: str | None
    ton_giao: str | None
    tinh_trang_hon_nhan: str | None
    ngay_sinh: str  # dd/mm/yyyy or yyyy, as the register gives it
    noi_dang_ky_khai_sinh: str | None
    quoc_tich: str | None
    que_quan: str | None
    thuong_tru: str | None
    noi_o_hien_tai: str | None
    cha: str | None
    me: str | None
    vo_chong: str | None
    nguoi_dai_dien: str | None
    chu_ho: str | None
    so_so_ho_khau: str | None


CITIZEN_FIELDS: tuple[str, ...] = tuple(Citizen.__dataclass_fields__)


@dataclass(slots=True)
class LandDataset:
    """A set of land records to load into the store together (one delivery, one synthetic province)."""

    admin_units: list[AdminUnit] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    rights: list[Right] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    sources: list[SourceDocument] = field(default_factory=list)
