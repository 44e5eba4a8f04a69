"""LANDUSE_MISMATCH: the land use code(s) of the register differ from the map label, after
normalising order and separators and converting old codes one-to-one."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import MA_XA, by_case, check, keys, owner, parcel, square

RULE = "LANDUSE_MISMATCH"


def _run(eng, pairs):
    ps = [parcel(str(i + 1), square(i * 30, 0), loai_dat=m) for i, (m, _) in enumerate(pairs)]
    os_ = [owner(str(i + 1), loai_dat=r) for i, (_, r) in enumerate(pairs)]
    return check(eng, ps, os_, only=RULE)


SAME = [
    ("ODT+CLN", "CLN+ODT"),  # order
    ("odt, cln", "CLN+ODT"),  # case and separator
    ("ODT", "ODT"),
    ("BHK", "HNK"),  # old code converted one-to-one
    ("HNK", "NHK"),
    ("BHK", "NHK"),  # both old, both → HNK
    ("ODT+BHK", "HNK+ODT"),
    ("ODT", None),  # nothing to compare
    (None, "ODT"),
]
DIFFERENT = [
    ("ODT", "ONT"),
    ("ODT+CLN", "ODT"),  # a code missing
    ("ODT", "ODT+CLN"),
    ("CLN", "HNK"),
    ("NKH", "CNT"),  # NKH does not convert one-to-one
]


@pytest.fixture(scope="module")
def found(eng):
    """One delivery: the SAME cases as parcels 1.., then the DIFFERENT ones."""
    return by_case(_run(eng, SAME + DIFFERENT))


@pytest.mark.parametrize("case", range(len(SAME)), ids=[f"{a}~{b}" for a, b in SAME])
def test_no_finding(found, case):
    assert found.get(case) is None


@pytest.mark.parametrize("case", range(len(DIFFERENT)), ids=[f"{a}~{b}" for a, b in DIFFERENT])
def test_finding(found, case):
    map_label, reg_label = DIFFERENT[case]
    fs = found.get(len(SAME) + case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["gia_tri_ban_do"] == map_label and f["gia_tri_thuoc_tinh"] == reg_label
    assert map_label in f["mo_ta"] and reg_label in f["mo_ta"]
    assert f["muc_do"] == "LOI" and f["truong"] == "loai_dat" and f["dong"] == len(SAME) + case + 1


def test_only_the_mismatching_parcels(eng):
    found = _run(eng, [("ODT", "ODT"), ("ODT", "ONT"), ("ODT+CLN", "CLN+ODT"), ("LUC", "LUK")])
    assert keys(found) == [(MA_XA, "1", "2"), (MA_XA, "1", "4")]


def test_one_matching_register_row_is_enough(eng):
    ps = [parcel("1", square(0, 0), loai_dat="ODT")]
    os_ = [owner("1", loai_dat="CLN"), owner("1", loai_dat="ODT")]
    assert check(eng, ps, os_, only=RULE) == []


def test_every_register_label_is_named(eng):
    ps = [parcel("1", square(0, 0), loai_dat="ONT")]
    os_ = [owner("1", loai_dat="CLN"), owner("1", loai_dat="ODT")]
    found = check(eng, ps, os_, only=RULE)
    assert len(found) == 1
    assert "CLN" in found[0]["gia_tri_thuoc_tinh"] and "ODT" in found[0]["gia_tri_thuoc_tinh"]


def test_parcel_missing_on_one_side_is_not_a_mismatch(eng):
    ps = [parcel("1", square(0, 0), loai_dat="ODT")]
    os_ = [owner("2", loai_dat="CLN")]
    assert check(eng, ps, os_, only=RULE) == []
