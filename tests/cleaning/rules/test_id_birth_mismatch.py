"""ID_BIRTH_MISMATCH: a CCCD whose century/gender digit (4th) or birth-year digits (5th–6th)
contradict the recorded birth year or gender."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import by_case, check, owner

RULE = "ID_BIRTH_MISMATCH"

# The default register row: Nguyễn Văn An, Nam, 1985, CCCD 070 0 85 012345 (0 = 1900s male).
MISMATCH = [  # (row, what the message must say)
    (dict(so_giay_to="070185012345"), "giới tính theo số Nữ"),  # 1 = 1900s female
    (dict(gioi_tinh="Nữ"), "giới tính theo số Nam"),
    (dict(gioi_tinh="nu"), "giới tính theo số Nam"),
    (dict(so_giay_to="070086012345"), "năm sinh theo số 1986"),
    (dict(so_giay_to="070086012345", nam_sinh="12/03/1985"), "1986 ≠ ghi nhận 1985"),
    (dict(so_giay_to="070084012345", nam_sinh="1985-03-12"), "1984 ≠ ghi nhận 1985"),
    (dict(so_giay_to="070284012345", nam_sinh="12031985"), "2084 ≠ ghi nhận 1985"),
    (dict(so_giay_to="070285012345"), "năm sinh theo số 2085"),  # 2 = 2000s male
    (dict(so_giay_to="070305012345", nam_sinh="2005"), "giới tính theo số Nữ"),  # 3 = 2000s F
    (dict(so_giay_to="070186012345"), "năm sinh theo số 1986 ≠ ghi nhận 1985; giới tính"),
    (dict(so_giay_to="070 086 012 345"), "năm sinh theo số 1986"),  # after cleaning
]
CONSISTENT = [
    dict(),
    dict(nam_sinh="12/03/1985"),
    dict(nam_sinh="1985-03-12"),
    dict(nam_sinh="12031985"),  # ddmmyyyy: 1985 (not 2031)
    dict(nam_sinh="20111985"),  # ddmmyyyy: 1985 (not 2011)
    dict(gioi_tinh="NAM"),
    dict(so_giay_to="070185012345", gioi_tinh="Nữ"),
    dict(so_giay_to="070205012345", nam_sinh="2005"),
    dict(so_giay_to="070305012345", nam_sinh="2005", gioi_tinh="Nữ"),
    dict(so_giay_to="079199012345", nam_sinh="1999", gioi_tinh="nữ"),
    dict(nam_sinh=None),  # no birth year: nothing to contradict
    dict(nam_sinh=None, gioi_tinh=None, so_giay_to="070186012345"),
    dict(nam_sinh="85"),  # not a readable year
    dict(gioi_tinh=None, so_giay_to="070185012345"),  # no gender recorded
    dict(so_giay_to="123456789", loai_giay_to="CMND", nam_sinh="1999"),  # CMND: no digits to read
    dict(ten_chu="Công ty TNHH Minh Phát", loai_giay_to="GPKD", gioi_tinh=None,
         nam_sinh=None),
]
CASES = [r for r, _ in MISMATCH] + CONSISTENT


@pytest.fixture(scope="module")
def found(eng):
    return by_case(check(eng, [], [owner(str(i + 1), **kw) for i, kw in enumerate(CASES)],
                         only=RULE))


@pytest.mark.parametrize("case", range(len(MISMATCH)), ids=[str(r) for r, _ in MISMATCH])
def test_contradiction(found, case):
    row, says = MISMATCH[case]
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert says in f["mo_ta"], f["mo_ta"]
    assert f["muc_do"] == "LOI" and f["doi_tuong"] == "GIAY_TO" and f["truong"] == "so_giay_to"
    assert f["de_xuat"] is None and f["sua_tu_dong"] is None
    number = row.get("so_giay_to", "070085012345").replace(" ", "")
    assert f["gia_tri_thuoc_tinh"].startswith(number)
    assert f["dong"] == case + 2


@pytest.mark.parametrize("case", range(len(CONSISTENT)), ids=[str(r) for r in CONSISTENT])
def test_no_contradiction(found, case):
    assert found.get(len(MISMATCH) + case) is None
