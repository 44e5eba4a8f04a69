"""LANDUSE_CODE_INVALID: a code in neither list (error), or an old code to convert (warning,
with the new code proposed and fixed automatically when the conversion is one-to-one)."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import by_case, check, owner, parcel, square

RULE = "LANDUSE_CODE_INVALID"


@pytest.fixture
def both_sides(eng):
    """Findings for one label written on the map and in the register of one parcel."""
    def run(label):
        found = check(eng, [parcel("1", square(0, 0), loai_dat=label)],
                      [owner("1", loai_dat=label)], only=RULE)
        return {f["nguon"]: f for f in found}, found
    return run


def test_unknown_code_is_an_error_on_each_side(both_sides):
    by_side, found = both_sides("XYZ")
    assert len(found) == 2 and set(by_side) == {"BAN_DO", "SO_DIA_CHINH"}
    m, r = by_side["BAN_DO"], by_side["SO_DIA_CHINH"]
    assert m["muc_do"] == r["muc_do"] == "LOI"
    assert m["gia_tri_ban_do"] == "XYZ" and m["gia_tri_thuoc_tinh"] is None
    assert r["gia_tri_thuoc_tinh"] == "XYZ" and r["gia_tri_ban_do"] is None
    assert "XYZ" in m["mo_ta"]
    assert m["de_xuat"] is None and m["sua_tu_dong"] is None
    assert m["dong"] == 1 and r["dong"] == 2


def test_old_code_is_a_warning_with_its_conversion(both_sides):
    by_side, found = both_sides("BHK")
    assert len(found) == 2
    for f in found:
        assert f["muc_do"] == "CANH_BAO"
        assert f["de_xuat"] == "HNK" and f["sua_tu_dong"] == "CO"
        assert "BHK" in f["mo_ta"] and "HNK" in f["mo_ta"]


def test_old_code_in_a_combined_label(both_sides):
    by_side, _ = both_sides("ODT+BHK")
    assert by_side["BAN_DO"]["de_xuat"] == "ODT+HNK"
    assert by_side["BAN_DO"]["muc_do"] == "CANH_BAO"


def test_one_unknown_code_in_a_combined_label_is_an_error(both_sides):
    by_side, _ = both_sides("ODT+XYZ")
    f = by_side["BAN_DO"]
    assert f["muc_do"] == "LOI" and f["gia_tri_ban_do"] == "ODT+XYZ"
    assert "Mã loại đất XYZ không có" in f["mo_ta"]  # names the bad code, not the good one
    assert f["de_xuat"] is None


def test_old_code_in_lower_case(both_sides):
    by_side, _ = both_sides("bhk")
    assert by_side["BAN_DO"]["de_xuat"] == "HNK"


VALID = ["ODT", "ONT", "CLN", "HNK", "CNT", "LUC", "ODT+CLN", "NKH", "odt", None]


@pytest.fixture(scope="module")
def valid_found(eng):
    ps = [parcel(str(i + 1), square(i * 30, 0), loai_dat=c) for i, c in enumerate(VALID)]
    os_ = [owner(str(i + 1), loai_dat=c) for i, c in enumerate(VALID)]
    return by_case(check(eng, ps, os_, only=RULE))


@pytest.mark.parametrize("case", range(len(VALID)), ids=[str(c) for c in VALID])
def test_valid_codes_are_not_found(valid_found, case):
    assert valid_found.get(case) is None


def test_only_the_side_with_the_bad_code(eng):
    found = check(eng, [parcel("1", square(0, 0), loai_dat="ODT")],
                  [owner("1", loai_dat="XYZ")], only=RULE)
    assert [(f["nguon"], f["gia_tri_thuoc_tinh"]) for f in found] == [("SO_DIA_CHINH", "XYZ")]


def test_one_finding_per_parcel_and_label(eng):
    os_ = [owner("1", loai_dat="BHK"), owner("1", loai_dat="BHK", ten_chu="Trần Thị Bình"),
           owner("2", loai_dat="BHK")]
    found = check(eng, [], os_, only=RULE)
    assert sorted((f["so_thua"], f["dong"]) for f in found) == [("1", 2), ("2", 4)]
