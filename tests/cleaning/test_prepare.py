"""Preparing a delivery: folded names, name keys, tidy names, person or organisation, ID
classification, geometry facts, land use labels — all vectorised and batch-independent."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from datdai.cleaning.prepare import (
    LANDUSE_SCHEMA,
    MAP_EXTRA,
    REGISTER_EXTRA,
    _birth_year,
    _gender,
    _is_person,
    fold_column,
    landuse_labels,
    map_schema,
    name_key,
    prepare_map,
    prepare_register,
    register_schema,
    tidy_name,
)
from datdai.kernel.legacy import encode_tcvn3
from tests.cleaning.rules.builders import owner, parcel, parcels_table, register_table, square


def _s(values):
    return pa.array(values, pa.string())


# --- text ---------------------------------------------------------------------------------
def test_fold_column():
    got = fold_column(_s(["Nguyễn  Văn An", "ĐỖ THỊ THỦY", " Lê-Thị, Ánh ", "", None,
                          unicodedata.normalize("NFD", "Trần Thị Bình")])).to_pylist()
    assert got == ["nguyen van an", "do thi thuy", "le thi anh", "", None, "tran thi binh"]


@pytest.mark.parametrize("name", [
    "Nguyễn Văn An", "NGUYỄN VĂN AN", "nguyen van an", "  Nguyễn   Văn An ",
    "Ông Nguyễn Văn An", "Hộ ông Nguyễn Văn An", "HỘ GIA ĐÌNH Nguyễn Văn An",
    "Hộ gia đình ông Nguyễn Văn An", "Anh Nguyễn Văn An", "Cụ Nguyễn Văn An",
    unicodedata.normalize("NFD", "Nguyễn Văn An"),
])
def test_name_key_ignores_case_spacing_diacritics_and_prefixes(name):
    assert name_key(_s([name])).to_pylist() == ["nguyen van an"]


def test_name_key_keeps_word_boundaries():
    got = name_key(_s(["Nguyễn Văn An", "Nguyễn Văn Anh", "Nguyễn Văn An, Trần Thị Bình",
                       None])).to_pylist()
    assert got[0] != got[1]
    assert f" {got[0]} " in f" {got[2]} " and f" {got[0]} " not in f" {got[1]} "
    assert got[3] is None


def test_name_key_keeps_a_surname_that_looks_like_a_prefix_inside():
    # only a leading prefix is dropped
    assert name_key(_s(["Bùi Thị Bà"])).to_pylist() == ["bui thi ba"]


def test_tidy_name():
    got = tidy_name(_s(["  nGUYỄN   văn an ", "ĐỖ THỊ THỦY", "lê thị ngọc ánh",
                        unicodedata.normalize("NFD", "trần thị bình"), None])).to_pylist()
    assert got == ["Nguyễn Văn An", "Đỗ Thị Thủy", "Lê Thị Ngọc Ánh", "Trần Thị Bình", None]
    assert all(unicodedata.is_normalized("NFC", g) for g in got if g)


# --- person or organisation --------------------------------------------------------------
PERSONS = ["Nguyễn Văn An", "Trương Văn Bình", "Đinh Thị Hoa", "Hộ ông Lê Văn Cường",
           "Công Văn Tài"]  # the surname Công, not "công ty"
ORGS = ["UBND xã Tân Lập", "Ủy ban nhân dân xã Tân Lập", "Uỷ ban nhân dân phường 3",
        "Công ty TNHH Minh Phát", "CÔNG TY CỔ PHẦN CAO SU", "Cty TNHH An Phú",
        "Tổng công ty Cao su", "Trường Tiểu học Tân Lập", "Trạm y tế xã", "Hợp tác xã Tân Lập",
        "HTX Nông nghiệp", "Chùa Phước Hưng", "Nhà thờ Giáo xứ Tân Lập", "Đình làng Tân Lập",
        "Ngân hàng Nông nghiệp", "Cong ty TNHH A"]


def test_is_person_by_name():
    names = PERSONS + ORGS
    n = len(names)
    got = _is_person(_s([None] * n), _s(names), _s([None] * n),
                     pa.array([None] * n, pa.int32())).to_pylist()
    wrong = [nm for nm, g in zip(names, got) if g != (nm in PERSONS)]
    assert wrong == []


def test_is_person_by_document_type():
    got = _is_person(_s(["GPKD", "gpkd", "QD", "MST", "CCCD", "KHAC", "KHAC", None]),
                     _s(["Ông Ba"] * 8),
                     _s([None, None, None, None, None, None, "Nam", None]),
                     pa.array([None] * 8, pa.int32())).to_pylist()
    assert got == [False, False, False, False, True, False, True, True]


def test_is_person_with_an_unknown_document_but_a_birth_year():
    got = _is_person(_s(["KHAC"]), _s(["Nguyễn Văn An"]), _s([None]),
                     pa.array([1985], pa.int32())).to_pylist()
    assert got == [True]


def test_birth_year_and_gender():
    years = _birth_year(_s(["1985", "12/03/1985", "1985-03-12", "12031985", "19850312",
                            "20111985", "năm 1962", "85", "", None, "123456789"])).to_pylist()
    assert years == [1985, 1985, 1985, 1985, 1985, 1985, 1962, None, None, None, None]
    genders = _gender(_s(["Nam", "NAM", "nữ", "Nữ", "nu", "khác", None])).to_pylist()
    assert genders == ["Nam", "Nam", "Nữ", "Nữ", "Nữ", None, None]


# --- register rows ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reg():
    rows = [
        owner("1"),  # clean CCCD
        owner("2", so_giay_to="070 085 012 345"),
        owner("3", so_giay_to="70085012345"),  # lost zero, consistent
        owner("4", so_giay_to="099085012345"),  # bad province
        owner("5", so_giay_to=None),
        owner("6", so_giay_to="070185012345"),  # contradicts the gender
        owner("7", ten_chu="Công ty TNHH Minh Phát", loai_giay_to="GPKD",
              so_giay_to="3700123456", gioi_tinh=None, nam_sinh=None),
        owner("8", so_giay_to="123456789", loai_giay_to="CMND"),
        owner("9", ten_chu=encode_tcvn3("Trần Thị Bình"), gioi_tinh="Nữ",
              so_giay_to="070185012346"),
        owner("10", ten_chu="HỘ ÔNG nguyễn  văn AN", dia_chi_chu="  "),
    ]
    return prepare_register(register_table(rows)).to_pylist()


def test_register_columns(reg):
    t = register_table([owner("1")])
    out = prepare_register(t)
    assert out.schema == register_schema(t.schema)
    assert out.column_names == t.column_names + [n for n, _ in REGISTER_EXTRA]


def test_id_classification_columns(reg):
    got = [(r["id_loai"], r["id_so"]) for r in reg]
    assert got[0] == ("CCCD", "070085012345")
    assert got[1] == ("CCCD", "070085012345")
    assert got[2] == ("CCCD", "070085012345")
    assert got[3] == ("INVALID", None)
    assert got[4] == ("MISSING", None)
    assert got[5] == ("CCCD", "070185012345")
    assert got[6][0] == "KHONG_AP_DUNG"  # organisation: no identity rules
    assert got[7] == ("CMND", "123456789")
    assert reg[1]["id_sua"] == "REMOVED_SEPARATORS"
    assert "RESTORED_LEADING_ZERO" in reg[2]["id_sua"]
    assert reg[0]["id_sua"] is None
    assert "099" in reg[3]["id_ly_do"]
    assert reg[0]["id_mau_thuan"] is None
    assert reg[5]["id_mau_thuan"] == "giới tính theo số Nữ ≠ ghi nhận Nam"


def test_person_facts(reg):
    assert [r["la_nguoi"] for r in reg] == [True] * 6 + [False] + [True] * 3
    assert reg[0]["nam_sinh_nam"] == 1985 and reg[0]["gioi_tinh_chuan"] == "Nam"


def test_names(reg):
    tcvn = reg[8]
    assert tcvn["ten_chu_sua"] == "Trần Thị Bình" and tcvn["ten_chu_ma"] == "TCVN3"
    assert tcvn["ten_chu_khoa"] == "tran thi binh"
    hh = reg[9]
    assert hh["ten_chu_chuan"] == "Hộ ông Nguyễn Văn An"
    assert hh["ten_khong_danh_xung"] == "Nguyễn Văn An"
    assert hh["ten_chu_khoa"] == "nguyen van an"
    assert reg[0]["ten_khong_danh_xung"] is None
    org = reg[6]
    assert org["ten_chu_chuan"] == "Công ty TNHH Minh Phát"  # organisations are not re-cased


def test_blank_text_becomes_null(reg):
    assert reg[9]["dia_chi_chu_sua"] is None and reg[9]["dia_chi_chu_ma"] is None


def test_register_batches_are_independent():
    rows = [owner(str(i), so_giay_to=n) for i, n in enumerate(
        ["070085012345", "70085012345", None, "099085012345", "070 085 012 345"] * 3)]
    t = register_table(rows)
    whole = prepare_register(t)
    parts = pa.concat_tables([prepare_register(t.slice(i, 4)) for i in range(0, t.num_rows, 4)])
    assert parts.to_pylist() == whole.to_pylist()


def test_empty_register():
    t = register_table([])
    assert prepare_register(t).num_rows == 0


# --- map features -------------------------------------------------------------------------
def test_map_features():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    t = parcels_table([parcel("1", square(0, 0, 20), ten_chu=" "),
                       parcel("2", bowtie, ten_chu=encode_tcvn3("Nguyễn Văn An")),
                       parcel("3", Point(0, 0)), parcel("4", None),
                       parcel("5", box(0, 0, 3, 4), ten_chu="Ông Nguyễn Văn An")])
    out = prepare_map(t)
    assert out.schema == map_schema(t.schema)
    assert out.column_names == t.column_names + [n for n, _ in MAP_EXTRA]
    rows = out.to_pylist()
    assert [r["geom_loai"] for r in rows] == ["Polygon", "Polygon", "Point", None, "Polygon"]
    assert [r["geom_loi"] is None for r in rows] == [True, False, False, False, True]
    assert [r["dien_tich_tinh"] for r in rows] == [400.0, None, None, None, 12.0]
    assert rows[0]["ten_chu"] is None
    assert rows[1]["ten_chu_sua"] == "Nguyễn Văn An" and rows[1]["ten_chu_ma"] == "TCVN3"
    assert rows[4]["ten_chu_khoa"] == "nguyen van an"


def test_map_geometry_is_kept_as_is():
    g = square(5, 5)
    out = prepare_map(parcels_table([parcel("1", g)]))
    assert shapely.from_wkb(out["geometry"][0].as_py()).equals(g)


# --- land use labels ------------------------------------------------------------------------
def test_landuse_labels():
    t = landuse_labels(_s(["ODT+CLN", "BHK", None, "", "XYZ", "odt", "ODT+BHK"]),
                       _s(["CLN+ODT", "BHK", "NKH"]))
    assert t.schema == LANDUSE_SCHEMA
    by = {r["nhan"]: r for r in t.to_pylist()}
    assert sorted(by) == ["BHK", "CLN+ODT", "NKH", "ODT+BHK", "ODT+CLN", "XYZ", "odt"]
    assert by["ODT+CLN"]["chuan"] == by["CLN+ODT"]["chuan"] == "CLN+ODT"
    assert by["odt"]["chuan"] == "ODT"
    assert (by["BHK"]["chuan"], by["BHK"]["ma_cu"], by["BHK"]["de_xuat"]) == ("HNK", "BHK", "HNK")
    assert by["BHK"]["mot_mot"] is True
    assert by["ODT+BHK"]["de_xuat"] == "ODT+HNK" and by["ODT+BHK"]["chuan"] == "HNK+ODT"
    assert by["XYZ"]["ma_sai"] == "XYZ" and by["XYZ"]["de_xuat"] is None
    assert by["NKH"]["ma_cu"] == "" and by["NKH"]["ma_sai"] == ""  # NKH is still in force
    assert by["ODT+CLN"]["ma_cu"] == "" and by["ODT+CLN"]["de_xuat"] is None


def test_landuse_labels_of_nothing():
    assert landuse_labels(_s([None])).num_rows == 0
