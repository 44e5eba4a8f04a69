"""A small hand-made land dataset touching every entity and field the store keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import shapely

from datdai.kernel.model import (
    AdminEra,
    AdminLevel,
    AdminUnit,
    Asset,
    AssetKind,
    Certificate,
    CertificateForm,
    Citizen,
    DocumentType,
    Gender,
    Holding,
    IdentityDocument,
    LandDataset,
    Parcel,
    Party,
    PartyKind,
    PartyMember,
    Right,
    RightKind,
    SourceDocument,
)

SRID = 9212


def square(x: float, y: float, size: float) -> bytes:
    return shapely.to_wkb(shapely.box(x, y, x + size, y + size))


def small_dataset() -> LandDataset:
    husband = Party("P1", PartyKind.PERSON, "Nguyễn Văn An", Gender.MALE, dt.date(1965, 3, 2), 1965,
                    [IdentityDocument(DocumentType.CCCD, "070065001234", dt.date(2021, 5, 1), "Cục CS QLHC về TTXH"),
                     IdentityDocument(DocumentType.CMND, "285123456")],
                    "Ấp 3, Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Bình Phước", ethnicity="Kinh")
    wife = Party("P2", PartyKind.PERSON, "Trần Thị Bình", Gender.FEMALE, None, 1968,
                 [IdentityDocument(DocumentType.CCCD, "070168009876")], "Xã Tân Hưng, Tỉnh Đồng Nai")
    household = Party("H1", PartyKind.HOUSEHOLD, "Hộ ông Nguyễn Văn An", members=[
        PartyMember("P1", Decimal("0.5"), "chu_ho"), PartyMember("P2", Decimal("0.5"), "vo")])
    org = Party("O1", PartyKind.ORGANISATION, "UBND xã Tân Hưng", nationality=None,
                documents=[IdentityDocument(DocumentType.BUSINESS, "3800123456")], tax_code="3800123456")
    parcels = [
        Parcel("25216", 12, 1, square(560000, 1300000, 20), SRID, 400.0, ("ONT", "CLN"), "Ấp 3, xã Tân Hưng",
               2000, 401.5, "ONT+CLN", "Nguyễn Văn An", "70250120001", 5, 101),
        Parcel("25216", 12, 2, square(560020, 1300000, 20), SRID, 395.0, ("DGD",), None, 2000, 400.0, "DGD"),
        Parcel("25216", 12, 3, None, None, 120.0, ("BHK",)),  # in the register only
    ]
    holdings = [Holding("B1", [("25216", 12, 1)]), Holding("B2", [("25216", 12, 2), ("25216", 12, 3)])]
    assets = [
        Asset("A1", "B1", ("25216", 12, 1), AssetKind.HOUSE, "Nhà ở riêng lẻ", None, None, 120.5, 80.0, 2,
              "Cấp 4", "Sở hữu chung hợp nhất", "Lâu dài", None),
        Asset("A2", "B2", None, AssetKind.APARTMENT, None, "Chung cư Phước Bình", "A-1203", 68.2, None, None,
              "Cấp 2", "Sở hữu riêng", "50 năm", "Hành lang, cầu thang, thang máy"),
    ]
    rights = [
        Right("R1", "B1", "H1", RightKind.LAND_USE, None, ("ONT", "CLN"), "Lâu dài", None,
              "Công nhận QSDĐ như giao đất có thu tiền sử dụng đất", "Sử dụng riêng"),
        Right("R2", "B1", "H1", RightKind.HOUSE_OWNERSHIP, None, (), None, None, None, None, "A1"),
        Right("R3", "B2", "O1", RightKind.LAND_USE, Decimal("0.75"), ("DGD",), "đến 15/10/2064",
              dt.date(2064, 10, 15), "Nhà nước giao đất không thu tiền", "Sử dụng chung"),
        Right("R4", "B2", "P2", RightKind.LAND_USE, Decimal("0.25"), ("DGD",)),
    ]
    certs = [Certificate("BV 123456", CertificateForm.OLD, "B1", dt.date(2014, 6, 30), "UBND huyện Hớn Quản", "CH01234"),
             Certificate("AA 01234567", CertificateForm.NEW, "B2", dt.date(2024, 9, 3), "Sở TN&MT Bình Phước")]
    sources = [SourceDocument("S1", "GIAY_TO_NGUON_GOC", "Quyết định giao đất", "B2", "O1", dt.date(2004, 1, 5),
                              "123/QĐ-UBND", True, "ab" * 32)]
    admin = [AdminUnit("70", "Tỉnh Bình Phước", AdminLevel.PROVINCE, AdminEra.OLD, None, "75"),
             AdminUnit("25216", "Phường Thác Mơ", AdminLevel.COMMUNE, AdminEra.OLD, "688", "25217"),
             AdminUnit("75", "Tỉnh Đồng Nai", AdminLevel.PROVINCE, AdminEra.NEW)]
    return LandDataset(admin, [husband, wife, household, org], parcels, holdings, rights, assets, certs, sources)


def citizens() -> list[Citizen]:
    return [
        Citizen("070065001234", "285123456", "Nguyễn Văn An", "Nam", "Kinh", "Không", "Đã kết hôn", "02/03/1965",
                "Bình Phước", "Việt Nam", "Nghệ An", "Xã Tân Hưng, Tỉnh Đồng Nai", "Xã Tân Hưng, Tỉnh Đồng Nai",
                "Nguyễn Văn Ba", "Lê Thị Tư", "Trần Thị Bình", None, "Nguyễn Văn An", None),
        Citizen("070168009876", None, "Trần Thị Bình", "Nữ", "Kinh", None, None, "1968", None, "Việt Nam",
                None, None, None, None, None, "Nguyễn Văn An", None, "Nguyễn Văn An", "123456"),
    ]
