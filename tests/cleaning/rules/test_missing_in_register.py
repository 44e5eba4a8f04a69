"""MISSING_IN_REGISTER: a map feature with no register row (also one without a number)."""

from __future__ import annotations

from tests.cleaning.rules.builders import MA_XA, check, keys, owner, parcel, square

RULE = "MISSING_IN_REGISTER"


def test_feature_without_register_row(eng):
    ps = [parcel("1", square(0, 0)), parcel("2", square(20, 0), loai_dat="CLN")]
    found = check(eng, ps, [owner("1")], only=RULE)
    assert keys(found) == [(MA_XA, "1", "2")]
    f = found[0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "BAN_DO" and f["dong"] == 2
    assert f["gia_tri_ban_do"] == "CLN"
    assert "100.0 m²" in f["mo_ta"]  # the computed area of the 10 × 10 square


def test_message_uses_the_label_when_the_polygon_is_broken(eng):
    found = check(eng, [parcel("2", None, dien_tich=77.0)], [], only=RULE)
    assert len(found) == 1 and "77.0 m²" in found[0]["mo_ta"]


def test_feature_without_a_number(eng):
    found = check(eng, [parcel(None, square(0, 0)), parcel("1", square(20, 0))],
                  [owner("1")], only=RULE)
    assert len(found) == 1
    assert found[0]["so_thua"] is None and found[0]["dong"] == 1


def test_each_unnumbered_feature_is_reported(eng):
    # two different polygons, neither numbered: each needs its register row
    ps = [parcel(None, square(0, 0)), parcel(None, square(20, 0))]
    found = check(eng, ps, [], only=RULE)
    assert sorted(f["dong"] for f in found) == [1, 2]


def test_duplicate_features_of_one_missing_parcel_give_one_finding(eng):
    ps = [parcel("3", square(0, 0)), parcel("3", square(20, 0))]
    assert len(check(eng, ps, [], only=RULE)) == 1


def test_key_must_match_on_commune_and_sheet(eng):
    ps = [parcel("1", square(0, 0)), parcel("1", square(20, 0), so_to="2"),
          parcel("1", square(40, 0), ma_xa="25196")]
    assert keys(check(eng, ps, [owner("1")], only=RULE)) == [("25195", "2", "1"),
                                                             ("25196", "1", "1")]
