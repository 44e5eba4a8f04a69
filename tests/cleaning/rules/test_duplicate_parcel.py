"""DUPLICATE_PARCEL: the same (ma_xa, so_to, so_thua) more than once on the map."""

from __future__ import annotations

from tests.cleaning.rules.builders import MA_XA, check, keys, parcel, square

RULE = "DUPLICATE_PARCEL"


def test_a_number_twice_on_one_sheet(eng):
    ps = [parcel("1", square(0, 0)), parcel("2", square(20, 0)), parcel("1", square(40, 0))]
    found = check(eng, ps, [], only=RULE)
    assert keys(found) == [(MA_XA, "1", "1")]
    f = found[0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "BAN_DO" and f["truong"] == "so_thua"
    assert f["gia_tri_ban_do"] == "2"
    assert f["dong"] == 1  # the first feature
    assert "2 lần" in f["mo_ta"] and "1, 3" in f["mo_ta"]  # names the features


def test_three_times_is_one_finding_naming_all(eng):
    ps = [parcel("5", square(0, 0)), parcel("5", square(20, 0)), parcel("5", square(40, 0))]
    found = check(eng, ps, [], only=RULE)
    assert len(found) == 1
    assert found[0]["gia_tri_ban_do"] == "3" and "1, 2, 3" in found[0]["mo_ta"]


def test_identical_geometries_are_still_a_duplicate(eng):
    ps = [parcel("1", square(0, 0)), parcel("1", square(0, 0))]
    assert keys(check(eng, ps, [], only=RULE)) == [(MA_XA, "1", "1")]


def test_same_number_on_other_sheet_or_commune_is_not_a_duplicate(eng):
    ps = [parcel("1", square(0, 0)), parcel("1", square(20, 0), so_to="2"),
          parcel("1", square(40, 0), ma_xa="25196")]
    assert check(eng, ps, [], only=RULE) == []


def test_features_without_a_number_are_not_duplicates(eng):
    # unnumbered features are MISSING_IN_REGISTER's business, not duplicates of each other
    ps = [parcel(None, square(0, 0)), parcel(None, square(20, 0)), parcel("1", square(40, 0))]
    assert check(eng, ps, [], only=RULE) == []


def test_duplicates_without_geometry_count_too(eng):
    ps = [parcel("1", square(0, 0)), parcel("1", None)]
    assert keys(check(eng, ps, [], only=RULE)) == [(MA_XA, "1", "1")]


def test_register_rows_do_not_make_duplicates(eng):
    from tests.cleaning.rules.builders import owner

    ps = [parcel("1", square(0, 0))]
    os_ = [owner("1"), owner("1", ten_chu="Trần Thị Bình", so_giay_to="070185012346",
                            gioi_tinh="Nữ")]
    assert check(eng, ps, os_, only=RULE) == []
