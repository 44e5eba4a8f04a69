"""ID_INVALID: a number that fits no document format; a lost leading zero is proposed (and
fixed automatically) only when the reading is unique, valid and consistent."""

from __future__ import annotations

import pytest

from tests.cleaning.rules.builders import by_case, check, owner

RULE = "ID_INVALID"

INVALID = [  # (row, what the message must say)
    (dict(so_giay_to="099085012345"), "mã tỉnh 099"),  # no province 099
    (dict(so_giay_to="003085012345"), "mã tỉnh 003"),  # 003 is not a province code
    (dict(so_giay_to="12345"), "5 chữ số"),
    (dict(so_giay_to="07008501234A"), "không phải chữ số"),
    (dict(so_giay_to="0700850123456"), "13 chữ số"),
    (dict(so_giay_to="111111111", loai_giay_to="CMND"), "giả định"),  # placeholder CMND
    # 11 digits whose restoration contradicts the recorded birth year: no proposal
    (dict(so_giay_to="70085012345", nam_sinh="1986"), "mâu thuẫn"),
    # 11 digits starting with 0: a digit lost elsewhere, cannot be guessed
    (dict(so_giay_to="01085012345"), "không đoán được"),
    # 10 digits without a birth year: may be a tax code, not restored
    (dict(so_giay_to="1085012345", nam_sinh=None), "cần năm sinh"),
]
RESTORED = [  # (row, proposal)
    (dict(so_giay_to="70085012345"), "070085012345"),  # consistent with 1985, male
    (dict(so_giay_to="70085012345", nam_sinh=None, gioi_tinh=None), "070085012345"),
    (dict(so_giay_to="1085012345", nam_sinh="1985"), "001085012345"),
    (dict(so_giay_to="23456789", loai_giay_to="CMND"), "023456789"),
]
VALID = [
    dict(),  # CCCD 070085012345
    dict(so_giay_to="123456789", loai_giay_to="CMND"),
    dict(so_giay_to="B1234567", loai_giay_to="HC"),
    dict(so_giay_to="070 085 012 345"),  # badly written: ID_FORMAT
    dict(so_giay_to=None),  # missing: ID_MISSING
    dict(ten_chu="Công ty TNHH Minh Phát", loai_giay_to="GPKD", so_giay_to="3700123456",
         gioi_tinh=None, nam_sinh=None),  # an organisation's number is not checked
    dict(so_giay_to="070185012345"),  # contradicts the gender: ID_BIRTH_MISMATCH, not invalid
]
CASES = [r for r, _ in INVALID] + [r for r, _ in RESTORED] + VALID


@pytest.fixture(scope="module")
def found(eng):
    return by_case(check(eng, [], [owner(str(i + 1), **kw) for i, kw in enumerate(CASES)],
                         only=RULE))


@pytest.mark.parametrize("case", range(len(INVALID)), ids=[r["so_giay_to"] for r, _ in INVALID])
def test_invalid_number(found, case):
    row, says = INVALID[case]
    fs = found.get(case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["muc_do"] == "LOI" and f["doi_tuong"] == "GIAY_TO" and f["truong"] == "so_giay_to"
    assert f["gia_tri_thuoc_tinh"] == row["so_giay_to"]
    assert row["so_giay_to"] in f["mo_ta"] and says in f["mo_ta"], f["mo_ta"]
    assert f["de_xuat"] is None and f["sua_tu_dong"] is None
    assert f["dong"] == case + 2


@pytest.mark.parametrize("case", range(len(RESTORED)), ids=[r["so_giay_to"] for r, _ in RESTORED])
def test_lost_leading_zero_restored(found, case):
    row, proposal = RESTORED[case]
    fs = found.get(len(INVALID) + case, [])
    assert len(fs) == 1
    f = fs[0]
    assert f["de_xuat"] == proposal and f["sua_tu_dong"] == "CO"
    assert proposal in f["mo_ta"] and "mất số 0" in f["mo_ta"]
    assert f["gia_tri_thuoc_tinh"] == row["so_giay_to"]


@pytest.mark.parametrize("case", range(len(VALID)), ids=[str(r.get("so_giay_to", "default"))
                                                         for r in VALID])
def test_not_invalid(found, case):
    assert found.get(len(INVALID) + len(RESTORED) + case) is None
