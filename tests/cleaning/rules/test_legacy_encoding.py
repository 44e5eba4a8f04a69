"""LEGACY_ENCODING: names and addresses stored in TCVN3 or VNI (or UTF-8 read as cp1252);
``de_xuat`` holds the Unicode text, fixed automatically."""

from __future__ import annotations

import unicodedata

import pytest

from datdai.kernel.legacy import encode_tcvn3, encode_vni
from tests.cleaning.rules.builders import check, owner, parcel, square

RULE = "LEGACY_ENCODING"
NAME, ADDRESS, PLOT = "Trần Thị Bình", "Xã Tân Lập, huyện Đồng Phú", "Thôn 3, xã Tân Lập"


@pytest.fixture(scope="module")
def found(eng):
    ps = [parcel("1", square(0, 0), ten_chu=encode_tcvn3("Nguyễn Văn An")),
          parcel("2", square(20, 0), ten_chu=encode_vni("Nguyễn Văn An")),
          parcel("3", square(40, 0), ten_chu="Nguyễn Văn An")]
    os_ = [owner("1", ten_chu=encode_tcvn3(NAME), dia_chi_chu=encode_tcvn3(ADDRESS),
                 dia_chi_thua=encode_tcvn3(PLOT)),
           owner("2", ten_chu=encode_vni(NAME), dia_chi_chu=encode_vni(ADDRESS),
                 dia_chi_thua=encode_vni(PLOT)),
           owner("3", ten_chu=NAME, dia_chi_chu=ADDRESS, dia_chi_thua=PLOT),
           owner("4", ten_chu="Nguyễn Văn An".encode().decode("cp1252", errors="replace")),
           owner("5", ten_chu="Nguyen Van An", dia_chi_chu="Xa Tan Lap")]  # no diacritics: fine
    return {(f["so_thua"], f["nguon"], f["truong"]): f for f in check(eng, ps, os_, only=RULE)}


def test_only_the_legacy_values(found):
    assert sorted(found) == [
        ("1", "BAN_DO", "ten_chu"), ("1", "SO_DIA_CHINH", "dia_chi_chu"),
        ("1", "SO_DIA_CHINH", "dia_chi_thua"), ("1", "SO_DIA_CHINH", "ten_chu"),
        ("2", "BAN_DO", "ten_chu"), ("2", "SO_DIA_CHINH", "dia_chi_chu"),
        ("2", "SO_DIA_CHINH", "dia_chi_thua"), ("2", "SO_DIA_CHINH", "ten_chu"),
        ("4", "SO_DIA_CHINH", "ten_chu"),
    ]


@pytest.mark.parametrize("so_thua,encode,kind", [("1", encode_tcvn3, "TCVN3"),
                                                 ("2", encode_vni, "VNI")])
def test_proposal_is_the_unicode_text(found, so_thua, encode, kind):
    for field, text in (("ten_chu", NAME), ("dia_chi_chu", ADDRESS), ("dia_chi_thua", PLOT)):
        f = found[(so_thua, "SO_DIA_CHINH", field)]
        assert f["de_xuat"] == text
        assert unicodedata.is_normalized("NFC", f["de_xuat"])
        assert f["gia_tri_thuoc_tinh"] == encode(text)
        assert f["sua_tu_dong"] == "CO" and f["muc_do"] == "CANH_BAO"
        assert kind in f["mo_ta"] and text in f["mo_ta"]
    m = found[(so_thua, "BAN_DO", "ten_chu")]
    assert m["de_xuat"] == "Nguyễn Văn An" and m["gia_tri_ban_do"] == encode("Nguyễn Văn An")
    assert m["gia_tri_thuoc_tinh"] is None


def test_targets(found):
    assert found[("1", "SO_DIA_CHINH", "ten_chu")]["doi_tuong"] == "NGUOI_SU_DUNG"
    assert found[("1", "SO_DIA_CHINH", "dia_chi_chu")]["doi_tuong"] == "NGUOI_SU_DUNG"
    assert found[("1", "SO_DIA_CHINH", "dia_chi_thua")]["doi_tuong"] == "THUA_DAT"
    assert found[("1", "BAN_DO", "ten_chu")]["doi_tuong"] == "THUA_DAT"


def test_mojibake(found):
    f = found[("4", "SO_DIA_CHINH", "ten_chu")]
    assert f["de_xuat"] == "Nguyễn Văn An"


def test_register_name_proposal_is_tidied(eng):
    # a TCVN3 name in capitals comes back as a tidy name
    found = check(eng, [], [owner("1", ten_chu=encode_tcvn3("nguyễn văn an"))], only=RULE)
    assert [f["de_xuat"] for f in found] == ["Nguyễn Văn An"]


def test_clean_unicode_is_not_found(eng):
    texts = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Thị Ngọc Ánh", "Phạm Quốc Việt",
             "Đỗ Thị Thủy", "Huỳnh Văn Lũy", "Võ Thị Hạnh"]
    os_ = [owner(str(i + 1), ten_chu=t, dia_chi_chu="Phường 3, TP. Hồ Chí Minh",
                 dia_chi_thua="Số 12, đường Nguyễn Huệ") for i, t in enumerate(texts)]
    ps = [parcel(str(i + 1), square(i * 20, 0), ten_chu=t) for i, t in enumerate(texts)]
    assert check(eng, ps, os_, only=RULE) == []
