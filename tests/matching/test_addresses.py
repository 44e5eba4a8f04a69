"""Addresses as keys: the admin tail parsed once per distinct tail (old or new names, commas or
dashes), the local words as a signature, foreign addresses compared by their words only."""

from __future__ import annotations

import pyarrow as pa

from datdai.matching.addresses import address_keys, address_keys_of


def _keys(*addresses):
    return address_keys(pa.array(list(addresses), pa.string()), "dc").to_pylist()


def test_old_and_new_names_dashes_and_abbreviations_give_one_commune():
    old, new, dashes, short = _keys(
        "Số nhà 6, Thôn 7, Xã Nam Hà, Huyện Tiền Hải, Tỉnh Thái Bình",
        "Số nhà 6, Thôn 7, Xã Nam Tiền Hải, Tỉnh Hưng Yên",
        "Số nhà 6 - Thôn 7 - Nam Hà - Tiền Hải - Thái Bình",
        "so nha 6, thon 7, X. Nam Ha, H. Tien Hai, T. Thai Binh")
    assert {(k["dc_tinh"], k["dc_xa"]) for k in (old, new, dashes)} == {("33", "13063")}
    assert short["dc_tinh"] == "33"
    # the local words: house and hamlet numbers, generic words (số nhà, thôn) left out
    assert {k["dc_bits"] for k in (old, new, dashes, short)} == {old["dc_bits"]}
    assert old["dc_so"] == "6" and old["dc_txt"] == "67"


def test_street_address_in_a_city():
    [k] = _keys("Số 12 đường Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh")
    assert (k["dc_tinh"], k["dc_so"], k["dc_txt"]) == ("79", "12", "12leloi")


def test_foreign_address_has_words_but_no_admin_key():
    [k] = _keys("12 smith street, kingsford, nsw 2032")
    assert k["dc_tinh"] is None and k["dc_xa"] is None
    assert k["dc_so"] == "12" and k["dc_txt"] == "12smithkingsfordnsw2032"


def test_missing_and_blank():
    for k in _keys(None, ""):
        assert all(v is None for v in k.values())


def test_two_columns_at_once_keep_their_rows():
    t = address_keys_of({"tt": pa.array(["Xã Tân Hưng, Tỉnh Đồng Nai", None]),
                         "ht": pa.array([None, "ấp 3, xã An Khương, H. Hớn Quản, Bình Phước"])})
    assert t["tt_xa"].to_pylist() == ["25345", None]
    assert t["ht_xa"].to_pylist() == [None, "25345"]
