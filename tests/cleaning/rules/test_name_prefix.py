"""NAME_PREFIX: a land user's name written with a courtesy or household prefix; proposes the
name without it, but not as an automatic fix (a household may be meant)."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import by_case, check, owner

RULE = "NAME_PREFIX"

WITH_PREFIX = [
    ("Ông Nguyễn Văn An", "Nguyễn Văn An"),
    ("Bà Trần Thị Bình", "Trần Thị Bình"),
    ("Hộ ông Nguyễn Văn An", "Nguyễn Văn An"),
    ("Hộ bà Trần Thị Bình", "Trần Thị Bình"),
    ("Hộ gia đình Nguyễn Văn An", "Nguyễn Văn An"),
    ("Hộ gia đình ông Nguyễn Văn An", "Nguyễn Văn An"),
    ("HỘ ÔNG NGUYỄN VĂN AN", "Nguyễn Văn An"),
    ("ông nguyễn văn an", "Nguyễn Văn An"),
]
WITHOUT = [
    dict(ten_chu="Nguyễn Văn An"),
    dict(ten_chu="Ông An"),  # too short to be prefix + full name
    dict(ten_chu="Bùi Thị Bà"),  # the word elsewhere than at the start
    dict(ten_chu="Hoàng Văn Hộ"),
    dict(ten_chu="Công ty TNHH Bà Rịa", loai_giay_to="GPKD", so_giay_to="3700123456",
         gioi_tinh=None, nam_sinh=None),
    dict(ten_chu=None),
]


@pytest.fixture(scope="module")
def found(eng):
    rows = [owner(str(i + 1), ten_chu=n) for i, (n, _) in enumerate(WITH_PREFIX)]
    rows += [owner(str(len(WITH_PREFIX) + i + 1), **kw) for i, kw in enumerate(WITHOUT)]
    return by_case(check(eng, [], rows, only=RULE))


@pytest.mark.parametrize("case", range(len(WITH_PREFIX)), ids=[n for n, _ in WITH_PREFIX])
def test_prefix_found(found, case):
    raw, name = WITH_PREFIX[case]
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["de_xuat"] == name and f["gia_tri_thuoc_tinh"] == raw
    assert f["sua_tu_dong"] is None and f["muc_do"] == "CANH_BAO"
    assert name in f["mo_ta"]


@pytest.mark.parametrize("case", range(len(WITHOUT)), ids=[str(r["ten_chu"]) for r in WITHOUT])
def test_no_prefix(found, case):
    assert found.get(len(WITH_PREFIX) + case) is None
