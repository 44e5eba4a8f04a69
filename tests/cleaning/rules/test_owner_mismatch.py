"""OWNER_MISMATCH: the owner label of the map matches no land user of the parcel in the
register, after normalising case, spacing, diacritics, legacy encodings and prefixes."""

from __future__ import annotations

import pytest

from datdai.kernel.legacy import encode_tcvn3, encode_vni
from tests.cleaning.rules.builders import MA_XA, by_case, check, keys, owner, parcel, square

RULE = "OWNER_MISMATCH"


def _run(eng, map_name, *reg_names):
    ps = [parcel("1", square(0, 0), ten_chu=map_name)]
    os_ = [owner("1", ten_chu=n) for n in reg_names]
    return check(eng, ps, os_, only=RULE)


SAME = [
    ("Hộ ông Nguyễn Văn An", "NGUYỄN VĂN AN"),
    ("Nguyễn Văn An", "Hộ ông Nguyễn Văn An"),
    ("Hộ gia đình Nguyễn Văn An", "Nguyễn Văn An"),
    ("Ông Nguyễn Văn An", "Nguyễn Văn An"),
    (encode_tcvn3("Nguyễn Văn An"), "Nguyễn Văn An"),
    ("Nguyễn Văn An", encode_tcvn3("Nguyễn Văn An")),
    (encode_vni("Nguyễn Văn An"), "Nguyễn Văn An"),
    ("Nguyen Van An", "Nguyễn Văn An"),
    ("Nguyễn  Văn   An", " nguyễn văn an "),
    ("Nguyễn Văn An, Trần Thị Bình", "Nguyễn Văn An"),
    ("Nguyễn Văn An và Trần Thị Bình", "Trần Thị Bình"),
    ("Ông Nguyễn Văn An; bà Trần Thị Bình", "Trần Thị Bình"),
    ("", "Nguyễn Văn An"),  # no label on the map: nothing to compare
    (None, "Nguyễn Văn An"),
    ("Nguyễn Văn An", None),  # no name in the register
]
DIFFERENT = [
    ("Trần Thị Bình", "Nguyễn Văn An"),
    ("Nguyễn Văn Anh", "Nguyễn Văn An"),  # the register name is the start of the label's
    ("Nguyễn Văn An", "Nguyễn Văn Anh"),
    ("Lê Thị Nam", "Lê Thị Na"),
    ("Trần Văn Bình", "Trần Văn Bính Nguyễn"),
    ("Nguyễn Văn Anh, Trần Thị Bình", "Nguyễn Văn An"),
    ("Ông Nguyễn Văn An", "Bà Nguyễn Thị An"),
]


@pytest.fixture(scope="module")
def found(eng):
    """One delivery: the SAME cases as parcels 1.., then the DIFFERENT ones."""
    cases = SAME + DIFFERENT
    ps = [parcel(str(i + 1), square(i * 30, 0), ten_chu=m) for i, (m, _) in enumerate(cases)]
    os_ = [owner(str(i + 1), ten_chu=r) for i, (_, r) in enumerate(cases)]
    return by_case(check(eng, ps, os_, only=RULE))


@pytest.mark.parametrize("case", range(len(SAME)), ids=[f"{a}~{b}" for a, b in SAME])
def test_same_owner(found, case):
    assert found.get(case) is None


@pytest.mark.parametrize("case", range(len(DIFFERENT)), ids=[f"{a}~{b}" for a, b in DIFFERENT])
def test_different_owner(found, case):
    fs = found.get(len(SAME) + case, [])
    assert len(fs) == 1


def test_different_person_names_both_values(eng):
    found = _run(eng, "Trần Thị Bình", "Nguyễn Văn An")
    assert keys(found) == [(MA_XA, "1", "1")]
    f = found[0]
    assert f["gia_tri_ban_do"] == "Trần Thị Bình" and f["gia_tri_thuoc_tinh"] == "Nguyễn Văn An"
    assert "Trần Thị Bình" in f["mo_ta"] and "Nguyễn Văn An" in f["mo_ta"]
    assert f["muc_do"] == "LOI" and f["nguon"] == "BAN_DO" and f["truong"] == "ten_chu"
    assert f["dong"] == 1


def test_legacy_label_is_shown_repaired(eng):
    found = _run(eng, encode_tcvn3("Trần Thị Bình"), "Nguyễn Văn An")
    assert len(found) == 1 and found[0]["gia_tri_ban_do"] == "Trần Thị Bình"


def test_any_land_user_of_the_parcel_matches(eng):
    assert _run(eng, "Trần Thị Bình", "Nguyễn Văn An", "Trần Thị Bình") == []
    found = _run(eng, "Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình")
    assert len(found) == 1
    assert found[0]["gia_tri_thuoc_tinh"] == "Nguyễn Văn An; Trần Thị Bình"


def test_names_of_other_parcels_do_not_count(eng):
    ps = [parcel("1", square(0, 0), ten_chu="Trần Thị Bình"),
          parcel("2", square(20, 0), ten_chu="Nguyễn Văn An")]
    os_ = [owner("1", ten_chu="Nguyễn Văn An"), owner("2", ten_chu="Trần Thị Bình")]
    assert keys(check(eng, ps, os_, only=RULE)) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")]


def test_parcel_missing_in_register_is_not_an_owner_mismatch(eng):
    ps = [parcel("1", square(0, 0), ten_chu="Trần Thị Bình")]
    assert check(eng, ps, [owner("2")], only=RULE) == []
