"""ID_FORMAT: a valid number written with separators, a spreadsheet's '.0' or lower case;
proposes the clean number (automatic fix)."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import by_case, check, owner

RULE = "ID_FORMAT"

BADLY_WRITTEN = [
    ("070 085 012 345", "070085012345"),
    ("070.085.012.345", "070085012345"),
    ("070-085-012-345", "070085012345"),
    ("070085012345.0", "070085012345"),
    ("123 456 789", "123456789"),
    ("b1234567", "B1234567"),
]
CLEAN = [
    "070085012345",
    "123456789",
    "B1234567",
    "70085012345",  # lost zero: ID_INVALID's proposal, not a format finding
    "099 085 012 345",  # separators but invalid anyway: ID_INVALID
    None,
]


@pytest.fixture(scope="module")
def found(eng):
    rows = [owner(str(i + 1), so_giay_to=n) for i, (n, _) in enumerate(BADLY_WRITTEN)]
    rows += [owner(str(len(rows) + i + 1), so_giay_to=n) for i, n in enumerate(CLEAN)]
    # an organisation's badly written number is not a person's document
    rows.append(owner(str(len(rows) + 1), ten_chu="Công ty TNHH Minh Phát", loai_giay_to="GPKD",
                      so_giay_to="3700 123 456", gioi_tinh=None, nam_sinh=None))
    return by_case(check(eng, [], rows, only=RULE))


@pytest.mark.parametrize("case", range(len(BADLY_WRITTEN)), ids=[n for n, _ in BADLY_WRITTEN])
def test_badly_written_number(found, case):
    raw, clean = BADLY_WRITTEN[case]
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["muc_do"] == "CANH_BAO"
    assert f["de_xuat"] == clean and f["sua_tu_dong"] == "CO"
    assert f["gia_tri_thuoc_tinh"] == raw
    assert raw in f["mo_ta"] and clean in f["mo_ta"]


@pytest.mark.parametrize("case", range(len(CLEAN) + 1), ids=[str(n) for n in CLEAN] + ["org"])
def test_no_format_finding(found, case):
    assert found.get(len(BADLY_WRITTEN) + case) is None
