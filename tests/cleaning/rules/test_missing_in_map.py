"""MISSING_IN_MAP: a register parcel with no map feature."""

from __future__ import annotations

from tests.cleaning.rules.builders import MA_XA, check, keys, owner, parcel, square

RULE = "MISSING_IN_MAP"


def test_register_parcel_without_feature(eng):
    ps = [parcel("1", square(0, 0))]
    os_ = [owner("1"), owner("2", dien_tich=55.0, loai_dat="CLN")]
    found = check(eng, ps, os_, only=RULE)
    assert keys(found) == [(MA_XA, "1", "2")]
    f = found[0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "SO_DIA_CHINH" and f["truong"] == "so_thua"
    assert f["dong"] == 3  # the register row (header on row 1)
    assert "55.0 m²" in f["mo_ta"] and f["gia_tri_thuoc_tinh"] == "CLN"


def test_one_finding_per_parcel_not_per_register_row(eng):
    os_ = [owner("2"), owner("2", ten_chu="Trần Thị Bình", so_giay_to="070185012346",
                            gioi_tinh="Nữ")]
    found = check(eng, [], os_, only=RULE)
    assert len(found) == 1 and found[0]["dong"] == 2


def test_key_must_match_on_commune_and_sheet(eng):
    ps = [parcel("1", square(0, 0))]
    os_ = [owner("1"), owner("1", so_to="2"), owner("1", ma_xa="25196")]
    assert keys(check(eng, ps, os_, only=RULE)) == [("25195", "2", "1"), ("25196", "1", "1")]


def test_a_feature_without_valid_geometry_is_not_missing(eng):
    # the parcel is on the map, its polygon is broken: GEOM_INVALID, not MISSING_IN_MAP
    assert check(eng, [parcel("1", None)], [owner("1")], only=RULE) == []


def test_every_register_parcel_on_the_map(eng):
    ps = [parcel("1", square(0, 0)), parcel("2", square(20, 0))]
    assert check(eng, ps, [owner("1"), owner("2")], only=RULE) == []
