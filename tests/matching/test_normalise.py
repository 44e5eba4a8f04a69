"""Comparison keys of land users and citizens."""

from __future__ import annotations

import csv
import datetime as dt

import pyarrow as pa
import pytest

from datdai.kernel.legacy import encode_tcvn3, encode_vni
from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS, read_owners, read_population
from datdai.matching.normalise import normalise_owners, normalise_population
from datdai.synth import run


def owners(*rows: dict) -> pa.Table:
    cols = {c: [r.get(c, "") for r in rows] for c in OWNER_COLUMNS}
    cols["ma_dong"] = [f"D{i}" for i in range(len(rows))]
    return normalise_owners(pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))


def citizens(*rows: dict) -> pa.Table:
    cols = {c: [r.get(c, "") for r in rows] for c in POPULATION_COLUMNS}
    return normalise_population(pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))


def mojibake(text: str) -> str:
    """UTF-8 bytes shown as cp1252 (bytes cp1252 leaves undefined shown as latin-1)."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(bytes([b]).decode("latin1"))
    return "".join(out)


def test_names_legacy_encodings_prefixes_case_and_spacing():
    name = "Nguyễn Thị Bích Ngọc"  # four words
    written = [name, encode_tcvn3(name), encode_vni(name), mojibake(name), "Bà " + name,
               "Hộ bà  " + name.upper(), "hộ gia đình   " + name.lower(), "Ông " + name,
               "  NGUYỄN   thị bích NGỌC ", "Nguyen Thi Bich Ngoc"]
    t = owners(*({"ho_ten": w} for w in written))
    assert set(t["ten_khoa"].to_pylist()) == {"nguyen thi bich ngoc"}
    assert set(t["ho"].to_pylist()) == {"nguyen"}
    assert set(t["ten"].to_pylist()) == {"ngoc"}
    # the repaired text, with diacritics, for the legacy encodings
    assert t["ten_sua"].to_pylist()[:4] == [name] * 4
    assert not any(t["la_to_chuc"].to_pylist())
    pop = citizens({"ho_ten": name})
    assert pop["ten_khoa"].to_pylist() == ["nguyen thi bich ngoc"]
    assert pop["ten"].to_pylist() == ["ngoc"]


def test_organisations():
    t = owners({"ho_ten": "Công ty TNHH Đại Lộc", "loai_giay_to": "GPKD"},
               {"ho_ten": "UBND xã Tân Hưng"}, {"ho_ten": "Nguyễn Văn Đình", "loai_giay_to": "GPKD"},
               {"ho_ten": "Trương Văn Đình"})
    # a business licence in a person's name is a household business: still a person
    assert t["la_to_chuc"].to_pylist() == [True, True, False, False]
    assert t["ten"].to_pylist() == [None, None, "dinh", "dinh"]
    assert t["id_loai"].to_pylist()[:2] == ["KHONG_AP_DUNG"] * 2
    assert t["id_loai"].to_pylist()[2] == "MISSING"


def test_birth_year_and_date_both_forms():
    t = owners({"nam_sinh": "1980"}, {"nam_sinh": "04/07/1988"}, {"nam_sinh": "4/7/1988"},
               {"nam_sinh": ""}, {"nam_sinh": "31/02/1990"})
    assert t["nam_sinh_nam"].to_pylist() == [1980, 1988, 1988, None, 1990]
    assert t["ngay_sinh_day"].to_pylist() == [None, dt.date(1988, 7, 4), dt.date(1988, 7, 4),
                                              None, None]
    p = citizens({"ngay_sinh": "17/12/1932"}, {"ngay_sinh": "1950"})
    assert p["nam_sinh_nam"].to_pylist() == [1932, 1950]
    assert p["ngay_sinh_day"].to_pylist() == [dt.date(1932, 12, 17), None]


def test_ids_separators_lost_zero_cmnd_and_fallback():
    t = owners(
        {"cccd_cmnd": "070 088 487 358", "nam_sinh": "1988"},
        {"cccd_cmnd": "70088487358", "nam_sinh": "1988"},  # lost leading zero, unambiguous
        {"cccd_cmnd": "12.345.678", "nam_sinh": "1960"},  # a CMND that lost its 0
        {"cccd_cmnd": "285123456", "nam_sinh": "1960"},  # 9-digit CMND
        {"cccd_cmnd": "", "loai_giay_to": "CCCD", "so_giay_to": "001190000123",
         "nam_sinh": "1990"},  # fallback on so_giay_to
        {"cccd_cmnd": "", "loai_giay_to": "HC", "so_giay_to": "B1234567"},  # not an ID card
        {"cccd_cmnd": ""},
        {"cccd_cmnd": "1190000123", "nam_sinh": "1960"},  # 00 restored would contradict 1960
    )
    loai, so = t["id_loai"].to_pylist(), t["id_so"].to_pylist()
    assert so[0] == "070088487358" and loai[0] == "CCCD"
    assert so[1] == "070088487358" and loai[1] == "CCCD"
    assert "RESTORED_LEADING_ZERO" in t["id_sua"].to_pylist()[1]
    assert so[2] == "012345678" and loai[2] == "CMND"
    assert so[3] == "285123456" and loai[3] == "CMND"
    assert so[7] is None and loai[7] == "INVALID"
    assert so[4] == "001190000123" and loai[4] == "CCCD"
    assert so[5] is None and so[6] is None and loai[6] == "MISSING"


def test_cmnd_9_and_12_digits_in_the_register():
    p = citizens({"so_cmnd": "285 123 456", "ngay_sinh": "1960", "gioi_tinh": "Nam"},
                 {"so_cmnd": "001060000123", "ngay_sinh": "1960", "gioi_tinh": "Nam"},
                 {"so_cmnd": "", "gioi_tinh": "Nữ"})
    assert p["cmnd_so"].to_pylist() == ["285123456", "001060000123", None]
    assert p["gioi_tinh_chuan"].to_pylist() == ["Nam", "Nam", "Nữ"]


def test_gender_from_cccd():
    t = owners({"cccd_cmnd": "070088487358"}, {"cccd_cmnd": "070191267023"},
               {"cccd_cmnd": "001305000001"}, {"cccd_cmnd": "285123456"})
    assert t["gioi_tinh_suy_ra"].to_pylist() == ["Nam", "Nữ", "Nữ", None]


def test_old_and_new_address_names_give_one_key():
    old = "ấp 3, xã An Khương, H. Hớn Quản, Bình Phước"
    new = "Xã Tân Hưng, Tỉnh Đồng Nai"
    t = owners({"dia_chi_chu": old, "xa": "Xã An Khương", "huyen": "Huyện Hớn Quản",
                "tinh": "Bình Phước"},
               {"dia_chi_chu": new, "xa": "Xã Tân Hưng", "tinh": "Tỉnh Đồng Nai"})
    assert t["dc_tinh"].to_pylist() == ["75", "75"]
    assert t["dc_xa"].to_pylist() == ["25345", "25345"]
    assert t["xa_moi_thua"].to_pylist() == ["25345", "25345"]
    # the part before the admin units: house number and words
    assert t["dc_so"].to_pylist() == ["3", None]
    assert t["dc_bits"].to_pylist()[0] and t["dc_bits"].to_pylist()[1] is None
    p = citizens({"thuong_tru": old, "noi_o_hien_tai": new}, {"thuong_tru": ""})
    assert p["tt_xa"].to_pylist() == ["25345", None]
    assert p["ht_xa"].to_pylist() == ["25345", None]
    assert p["ht_tinh"].to_pylist() == ["75", None]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    out = tmp_path_factory.mktemp("reconcile")
    run(out, parcels=400, seed=3)
    return out


def test_clean_truth_rows_join_on_the_keys(synth):
    own = normalise_owners(read_owners(synth / "chu_su_dung.csv"))
    pop = normalise_population(read_population(synth / "dan_cu.csv"))
    with open(synth / "truth" / "owners.csv", encoding="utf-8") as fh:
        truth = {r["ma_dong"]: r for r in csv.DictReader(fh) if r["case"] == "clean"}
    assert len(truth) > 100
    citizen = {r["so_dinh_danh"]: r for r in
               pop.select(["so_dinh_danh", "ten_khoa", "nam_sinh_nam"]).to_pylist()}
    checked = 0
    no_year = 0
    for r in own.select(["ma_dong", "ten_khoa", "nam_sinh", "nam_sinh_nam", "id_so"]).to_pylist():
        t = truth.get(r["ma_dong"])
        if t is None or not t["so_dinh_danh"]:
            continue
        c = citizen[t["so_dinh_danh"]]
        assert (r["ten_khoa"], r["id_so"]) == (c["ten_khoa"], t["so_dinh_danh"]), (r, t)
        if r["nam_sinh"]:
            assert r["nam_sinh_nam"] == c["nam_sinh_nam"], (r, t)
        else:  # a clean row may lack the birth year (about 10 %): unknown, never different
            assert r["nam_sinh_nam"] is None
            no_year += 1
        checked += 1
    assert checked > 100 and no_year < checked / 4
