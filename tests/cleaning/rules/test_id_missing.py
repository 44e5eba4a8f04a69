"""ID_MISSING: a person (not an organisation) with no identity document number."""

from __future__ import annotations

import pytest

from datdai.kernel.legacy import encode_tcvn3
from tests.cleaning.rules.builders import by_case, check, owner

RULE = "ID_MISSING"
ORG = dict(loai_giay_to=None, gioi_tinh=None, nam_sinh=None, so_giay_to=None)

MISSING = [  # persons without a number
    dict(so_giay_to=None),
    dict(so_giay_to="   "),
    dict(so_giay_to="không"),
    dict(so_giay_to="0"),
    dict(so_giay_to="000 000 000"),
    dict(so_giay_to="null"),
    dict(ten_chu="Trương Văn Bình", so_giay_to=None),  # Trương, not Trường (a school)
    dict(ten_chu="Đinh Thị Hoa", gioi_tinh="Nữ", so_giay_to=None),  # Đinh, not Đình
    dict(ten_chu="Trương Văn Bình", **ORG),  # a person even with nothing else recorded
    dict(ten_chu="Hộ ông Nguyễn Văn An", so_giay_to=None),
]
NOT_MISSING = [
    dict(),  # the default row has a CCCD
    dict(ten_chu="UBND xã Tân Lập", **ORG),
    dict(ten_chu="Ủy ban nhân dân xã Tân Lập", **ORG),
    dict(ten_chu="Công ty TNHH Minh Phát", **ORG),
    dict(ten_chu="CÔNG TY CỔ PHẦN CAO SU", **ORG),
    dict(ten_chu="Trường THCS Tân Lập", **ORG),
    dict(ten_chu="Đình làng Tân Lập", **ORG),
    dict(ten_chu="Hợp tác xã Tân Lập", **ORG),
    dict(ten_chu="Chùa Phước Hưng", **ORG),
    dict(ten_chu="Ông Ba Hùng", **{**ORG, "loai_giay_to": "GPKD"}),  # a business licence
    dict(ten_chu="Nguyễn Văn Cường", **{**ORG, "loai_giay_to": "KHAC"}),  # other, no facts
    dict(ten_chu=encode_tcvn3("Công ty TNHH Minh Phát"), **ORG),  # organisation in TCVN3
    dict(so_giay_to="12345"),  # a number, if an invalid one: ID_INVALID
]


@pytest.fixture(scope="module")
def found(eng):
    rows = [owner(str(i + 1), **kw) for i, kw in enumerate(MISSING + NOT_MISSING)]
    return by_case(check(eng, [], rows, only=RULE))


@pytest.mark.parametrize("case", range(len(MISSING)),
                         ids=[f"{c.get('ten_chu', '')}|{c.get('so_giay_to')}" for c in MISSING])
def test_person_without_number(found, case):
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "SO_DIA_CHINH" and f["truong"] == "so_giay_to"
    assert f["doi_tuong"] == "NGUOI_SU_DUNG"
    assert f["dong"] == case + 2
    name = MISSING[case].get("ten_chu", "Nguyễn Văn An")
    assert f["gia_tri_thuoc_tinh"] == name and name in f["mo_ta"]


@pytest.mark.parametrize("case", range(len(NOT_MISSING)),
                         ids=[f"{c.get('ten_chu', '')}|{c.get('so_giay_to')}" for c in NOT_MISSING])
def test_not_a_missing_person_number(found, case):
    assert found.get(len(MISSING) + case) is None
