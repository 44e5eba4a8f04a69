"""Administrative units, old and new, and the old → new address key (datdai.kernel.admin_units).

Data facts checked here (vietnamadminunits 1.0.4): Bình Phước had 111 communes (86 xã, 20
phường, 5 thị trấn) in 11 districts; all went into 40 communes of the new Đồng Nai (95 communes).
Nationwide: 63 → 34 provinces, 10,035 old communes (696 districts) → 3,321 new, 471 old
communes split between several new ones.
"""

from __future__ import annotations

from collections import Counter

import pytest

from datdai.kernel.admin_units import (
    AddressKey,
    NewCommune,
    OldCommune,
    address_key,
    admin_units_for_province,
    new_commune,
    new_communes,
    old_commune,
    old_communes,
)
from datdai.kernel.admin_units_data import split_targets, tables
from datdai.kernel.model import AdminEra, AdminLevel

BINH_PHUOC_COMMUNES = 111


# ----- old communes -----------------------------------------------------------------------


def test_binh_phuoc_commune_count_matches_the_dataset():
    from vietnamadminunits.database import query  # the package's own public API, independent

    rows = query(
        "SELECT COUNT(DISTINCT wardCode) AS n FROM admin_units_legacy"
        " WHERE provinceCode = '70' AND wardCode IS NOT NULL"
    )
    communes = old_communes("70")
    assert len(communes) == rows[0]["n"] == BINH_PHUOC_COMMUNES
    assert Counter(c.kind for c in communes) == {"Xã": 86, "Phường": 20, "Thị trấn": 5}
    assert len({c.district_code for c in communes}) == 11


@pytest.mark.parametrize("spelling", ["70", "070", "Bình Phước", "Tỉnh Bình Phước", "binh phuoc",
                                      "  TỈNH BÌNH PHƯỚC "])
def test_province_spellings_give_the_same_communes(spelling):
    assert old_communes(spelling) == old_communes("70")


def test_unknown_province_is_a_vietnamese_value_error():
    with pytest.raises(ValueError, match="Không tìm thấy tỉnh"):
        old_communes("Tỉnh Atlantis")
    with pytest.raises(ValueError, match="Không tìm thấy tỉnh"):
        old_communes("99")
    with pytest.raises(ValueError, match="Đồng Nai"):
        new_communes("Bình Phước")  # no longer a province: the message names its successor


def test_old_commune_codes_are_gso_codes_sorted():
    communes = old_communes("Bình Phước")
    codes = [c.code for c in communes]
    assert all(len(c) == 5 and c.isdigit() for c in codes)
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert all(len(c.district_code) == 3 and c.district_code.isdigit() for c in communes)
    assert {(c.province_code, c.province_name) for c in communes} == {("70", "Tỉnh Bình Phước")}


def test_every_binh_phuoc_commune_maps_into_new_dong_nai():
    new_codes = {c.code for c in new_communes("Đồng Nai")}
    assert len(new_codes) == 95
    communes = old_communes("70")
    successors = {(c.new_province_code, c.new_province_name) for c in communes}
    assert successors == {("75", "Tỉnh Đồng Nai")}
    assert all(c.new_code in new_codes for c in communes)
    assert len({c.new_code for c in communes}) == 40
    assert not any(c.is_split for c in communes)


def test_one_old_commune_in_full():
    c = old_commune("25345")
    assert c == OldCommune(
        code="25345", name="Xã Tân Hưng", short_name="Tân Hưng", kind="Xã",
        district_code="694", district_name="Huyện Hớn Quản",
        province_code="70", province_name="Tỉnh Bình Phước",
        lat=c.lat, lon=c.lon, bounds=c.bounds,
        new_code="25345", new_name="Xã Tân Hưng",
        new_province_code="75", new_province_name="Tỉnh Đồng Nai", is_urban=False,
    )
    min_lat, min_lon, max_lat, max_lon = c.bounds
    assert min_lat <= c.lat <= max_lat and min_lon <= c.lon <= max_lon
    assert 11 < c.lat < 12.5 and 106 < c.lon < 107.5
    assert old_commune("25432").kind == "Phường" and old_commune("25432").is_urban
    assert old_commune("541") == old_commune("00541") and old_commune("00541") is not None
    assert old_commune("99999") is None and old_commune("12345678") is None


def test_is_urban_follows_the_kind():
    for c in old_communes("70"):
        assert c.is_urban == (c.kind in ("Phường", "Thị trấn"))


def test_mapping_agrees_with_the_package_converter(monkeypatch):
    """The package's public convert_address, for every Bình Phước and Hà Nam commune."""
    import vietnamadminunits.converter.converter_2025 as converter
    from vietnamadminunits import convert_address

    def no_network(*args, **kwargs):
        raise AssertionError("convert_address tried to geocode over the network")

    monkeypatch.setattr(converter, "get_geo_location", no_network)
    for c in old_communes("70") + old_communes("35"):
        unit = convert_address(f"{c.name}, {c.district_name}, {c.province_name}")
        assert (unit.province_code, unit.ward_code) == (c.new_province_code, c.new_code), c


def test_split_commune_keeps_the_default_new_ward():
    c = old_commune("13285")  # Phường Quang Trung, TP Phủ Lý, Hà Nam: divided in 2025
    assert (c.name, c.province_name) == ("Phường Quang Trung", "Tỉnh Hà Nam")
    assert c.is_split and set(split_targets()["13285"]) == {"13366", "13285"}
    assert (c.new_code, c.new_name, c.new_province_code) == ("13366", "Phường Hà Nam", "37")
    old_name = "Phường Quang Trung, Thành phố Phủ Lý, Tỉnh Hà Nam"
    assert address_key(old_name) == AddressKey("37", None)


def test_nationwide_counts():
    t = tables()
    assert (len(t.old_provinces), len(t.new_provinces)) == (63, 34)
    assert (len(t.old_communes), len(t.new_communes)) == (10035, 3321)
    assert len(t.old_districts) == 696 and len(t.split) == 471
    assert sum(len(new_communes(p)) for p in t.new_provinces) == 3321


# ----- new communes -----------------------------------------------------------------------


def test_new_communes_of_dong_nai():
    communes = new_communes("75")
    assert communes == new_communes("Tỉnh Đồng Nai") == new_communes("dong nai")
    assert all(isinstance(c, NewCommune) and c.province_code == "75" for c in communes)
    assert [c.code for c in communes] == sorted(c.code for c in communes)
    tan_hung = new_commune("25345")
    assert (tan_hung.name, tan_hung.short_name, tan_hung.kind) == ("Xã Tân Hưng", "Tân Hưng", "Xã")
    assert tan_hung.province_name == "Tỉnh Đồng Nai" and tan_hung.area_km2 > 0
    assert {c.kind for c in new_communes("Quảng Ninh")} >= {"Đặc khu"}


# ----- AdminUnit rows ---------------------------------------------------------------------


def test_admin_units_for_binh_phuoc():
    units = admin_units_for_province("Bình Phước")
    by = Counter((u.era, u.level) for u in units)
    assert by == {
        (AdminEra.OLD, AdminLevel.PROVINCE): 1,
        (AdminEra.OLD, AdminLevel.DISTRICT): 11,
        (AdminEra.OLD, AdminLevel.COMMUNE): BINH_PHUOC_COMMUNES,
        (AdminEra.NEW, AdminLevel.PROVINCE): 1,
        (AdminEra.NEW, AdminLevel.COMMUNE): 40,
    }
    assert len({(u.code, u.era) for u in units}) == len(units)
    # GSO kept some codes: old and new Xã Tân Hưng are both 25345, told apart by era only
    tan_hung = [u for u in units if u.code == "25345"]
    assert {u.era for u in tan_hung} == {AdminEra.OLD, AdminEra.NEW}
    old = {u.code: u for u in units if u.era == AdminEra.OLD}
    new = {u.code: u for u in units if u.era == AdminEra.NEW}
    assert old["70"].successor_code == "75" and new["75"].name == "Tỉnh Đồng Nai"
    for u in old.values():
        if u.level == AdminLevel.COMMUNE:
            assert old[u.parent_code].level == AdminLevel.DISTRICT
            assert new[u.successor_code].level == AdminLevel.COMMUNE
        elif u.level == AdminLevel.DISTRICT:
            assert u.parent_code == "70" and u.successor_code == "75"
    assert all(u.parent_code == "75" for u in new.values() if u.level == AdminLevel.COMMUNE)


def test_admin_units_same_province_code_in_both_eras():
    units = admin_units_for_province("Quảng Bình")  # old 44 → new Quảng Trị, also 44
    provinces = {(u.code, u.era): u for u in units if u.level == AdminLevel.PROVINCE}
    assert provinces[("44", AdminEra.OLD)].name == "Tỉnh Quảng Bình"
    assert provinces[("44", AdminEra.NEW)].name == "Tỉnh Quảng Trị"
    assert provinces[("44", AdminEra.OLD)].successor_code == "44"


# ----- address keys -----------------------------------------------------------------------

SAME_PLACE = [
    # (expected key, old-name spellings, new-name spellings)
    (AddressKey("75", "25345"), [
        "Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Bình Phước",
        "ấp 3, xã Tân Hưng, H. Hớn Quản, Bình Phước",
        "xa Tan Hung huyen Hon Quan tinh Binh Phuoc",
        "Xã An Khương, Huyện Hớn Quản, Tỉnh Bình Phước",  # merged into Tân Hưng
        "ấp Tân Hưng, xã An Khương, huyện Hớn Quản, tỉnh Bình Phước",  # hamlet name ignored
    ], [
        "Xã Tân Hưng, Tỉnh Đồng Nai",
        "ấp 3, xã Tân Hưng, Đồng Nai",
        "xa tan hung tinh dong nai",
        "Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Đồng Nai",  # mixed: new province, old district
    ]),
    (AddressKey("75", "25195"), [
        "Phường Tân Xuân, Thành phố Đồng Xoài, Tỉnh Bình Phước",
        "Tổ 5, KP. Tân Trà, P. Tân Xuân, TP. Đồng Xoài, T. Bình Phước",
        "phuong tan xuan thanh pho dong xoai tinh binh phuoc, Việt Nam",
        "Số 12, tổ 3, khu phố 2, P. Tân Bình, TP Đồng Xoài, tỉnh Bình Phước",
    ], [
        "Phường Bình Phước, Tỉnh Đồng Nai",
        "phuong binh phuoc dong nai",
    ]),
    (AddressKey("75", "25396"), [
        "Thị trấn Đức Phong, Huyện Bù Đăng, Tỉnh Bình Phước",
        "TT. Đức Phong, H. Bù Đăng, Bình Phước",
        "thi tran duc phong huyen bu dang binh phuoc",
    ], [
        "Xã Bù Đăng, Tỉnh Đồng Nai",
        "xa bu dang, dong nai",
    ]),
    (AddressKey("75", "25402"), [
        "Xã Đồng Nai, Huyện Bù Đăng, Tỉnh Bình Phước",  # a commune named like the new province
    ], [
        "Xã Thọ Sơn, Tỉnh Đồng Nai",
    ]),
    (AddressKey("37", "13456"), [
        "Xã Liêm Phong, Huyện Thanh Liêm, Tỉnh Hà Nam",
        "thôn 2, X. Liêm Phong, H. Thanh Liêm, Hà Nam",
        "xa liem phong huyen thanh liem tinh ha nam",
    ], [
        "Xã Liêm Hà, Tỉnh Ninh Bình",
        "xa liem ha ninh binh",
    ]),
    (AddressKey("37", "13396"), [
        "Phường Tượng Lĩnh, Thị xã Kim Bảng, Tỉnh Hà Nam",
        "P. Tượng Lĩnh, TX. Kim Bảng, Hà Nam",
        "phuong tuong linh thi xa kim bang ha nam",
    ], [
        "Phường Nguyễn Úy, Tỉnh Ninh Bình",
        "Phường Nguyễn Uý, Ninh Bình",  # old-style tone placement
        "phuong nguyen uy tinh ninh binh",
    ]),
    (AddressKey("37", "13501"), [
        "Thị trấn Bình Mỹ, Huyện Bình Lục, Tỉnh Hà Nam",
        "TT. Bình Mỹ, H. Bình Lục, Hà Nam",
    ], [
        "Xã Bình Mỹ, Tỉnh Ninh Bình",
    ]),
]


@pytest.mark.parametrize(("expected", "old_names", "new_names"), SAME_PLACE,
                         ids=[e.new_commune_code for e, _, _ in SAME_PLACE])
def test_old_and_new_spellings_give_the_same_key(expected, old_names, new_names):
    for text in old_names + new_names:
        assert address_key(text) == expected, text


def test_the_key_is_the_old_communes_successor():
    for c in old_communes("70") + old_communes("Hà Nam"):
        expected = AddressKey(c.new_province_code, None if c.is_split else c.new_code)
        assert address_key(f"{c.name}, {c.district_name}, {c.province_name}") == expected, c
    for c in new_communes("Đồng Nai") + new_communes("Ninh Bình"):
        assert address_key(f"{c.name}, {c.province_name}") == AddressKey(c.province_code, c.code)


@pytest.mark.parametrize("text", [
    "Xã Tân Hưng, Tỉnh Bình Phước",  # Tân Hưng: Hớn Quản and Đồng Phú
    "Tân Hưng, Bình Phước",
    "ấp 2, xã Tân Phú, tỉnh Bình Phước",  # Phường Tân Phú (Đồng Xoài), TT Tân Phú (Đồng Phú)
    "Xã Minh Hưng, Bình Phước",  # Xã Minh Hưng (Bù Đăng) and former Xã Minh Hưng (Chơn Thành)
    "xa loc thanh tinh dong nai",  # Lộc Thạnh / Lộc Thành, told apart by diacritics only
    "Huyện Hớn Quản, Tỉnh Bình Phước",  # no commune at all
    "ấp Tân Hưng, Bình Phước",  # a hamlet, not a commune
])
def test_ambiguous_or_missing_commune_keeps_the_province(text):
    assert address_key(text) == AddressKey("75", None)


def test_homonyms_apart_with_diacritics():
    assert address_key("Xã Lộc Thạnh, Tỉnh Đồng Nai") == AddressKey("75", "25280")
    assert address_key("Xã Lộc Thành, Tỉnh Đồng Nai") == AddressKey("75", "25294")
    tan_hung = [c for c in old_communes("70") if c.short_name == "Tân Hưng"]
    assert len({c.district_code for c in tan_hung}) == 2
    assert len({c.new_code for c in tan_hung}) == 2


@pytest.mark.parametrize("text", [
    "", "   ", "hello world", "123 Main Street, Springfield", "Xã Tân Hưng", "không rõ địa chỉ",
])
def test_unknown_text_gives_none(text):
    assert address_key(text) is None
