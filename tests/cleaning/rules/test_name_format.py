"""NAME_FORMAT: a person's name in capitals, lower case, mixed case or with extra spaces;
proposes each word capitalised, one space between words (automatic fix)."""

from __future__ import annotations

import pytest

from datdai.kernel.legacy import encode_tcvn3
from tests.cleaning.rules.builders import by_case, check, owner

RULE = "NAME_FORMAT"
ORG = dict(loai_giay_to="GPKD", so_giay_to="3700123456", gioi_tinh=None, nam_sinh=None)

BAD = [
    ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
    ("nguyễn văn an", "Nguyễn Văn An"),
    ("nGUYỄN vĂN aN", "Nguyễn Văn An"),
    ("NGUYỄN văn an", "Nguyễn Văn An"),
    ("Nguyễn  Văn An", "Nguyễn Văn An"),
    (" Nguyễn Văn An ", "Nguyễn Văn An"),
    ("Nguyễn Văn\tAn", "Nguyễn Văn An"),
    ("ĐỖ THỊ THỦY", "Đỗ Thị Thủy"),
    ("lê thị ngọc ánh", "Lê Thị Ngọc Ánh"),
]
GOOD = [
    dict(ten_chu="Nguyễn Văn An"),
    dict(ten_chu="Đỗ Thị Thủy", gioi_tinh="Nữ"),
    dict(ten_chu="Lê Thị Ngọc Ánh", gioi_tinh="Nữ"),
    dict(ten_chu="Công ty TNHH MINH PHÁT", **ORG),  # organisations keep their spelling
    dict(ten_chu="UBND xã Tân Lập", **ORG),
    dict(ten_chu=encode_tcvn3("Nguyễn Văn An")),  # legacy text: LEGACY_ENCODING proposes it
    dict(ten_chu=None),
]


@pytest.fixture(scope="module")
def found(eng):
    rows = [owner(str(i + 1), ten_chu=n) for i, (n, _) in enumerate(BAD)]
    rows += [owner(str(len(BAD) + i + 1), **kw) for i, kw in enumerate(GOOD)]
    return by_case(check(eng, [], rows, only=RULE))


@pytest.mark.parametrize("case", range(len(BAD)), ids=[n for n, _ in BAD])
def test_badly_written_name(found, case):
    raw, tidy = BAD[case]
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["de_xuat"] == tidy and f["sua_tu_dong"] == "CO" and f["muc_do"] == "CANH_BAO"
    assert f["gia_tri_thuoc_tinh"] == raw
    assert tidy in f["mo_ta"]
    assert f["doi_tuong"] == "NGUOI_SU_DUNG" and f["truong"] == "ten_chu"


@pytest.mark.parametrize("case", range(len(GOOD)), ids=[str(r["ten_chu"]) for r in GOOD])
def test_well_written_or_not_a_person(found, case):
    assert found.get(len(BAD) + case) is None
