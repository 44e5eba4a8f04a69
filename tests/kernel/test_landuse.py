"""Land use code lists (REFERENCE.md §5): versions, conversion, groups, parsing labels."""

from __future__ import annotations

import csv
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datdai.kernel.landuse import (
    CHUA_SU_DUNG,
    GROUPS,
    NONG_NGHIEP,
    PHI_NONG_NGHIEP,
    LandUseCatalog,
    catalog,
    codes_in_group,
    parse_codes,
)

# Codes named in REFERENCE.md §5 for Circular 27/2018.
REFERENCE_2018 = {
    NONG_NGHIEP: "LUC LUK LUN BHK NHK CLN RSX RPH RDD NTS LMU NKH".split(),
    PHI_NONG_NGHIEP: "ONT ODT TSC CQP CAN DGD DYT DTT SKC TMD DGT DTL NTD SON MNC TON TIN".split(),
    CHUA_SU_DUNG: "BCS DCS NCS".split(),
}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("datdai.kernel").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def cat() -> LandUseCatalog:
    return catalog()


def test_catalog_is_loaded_once():
    assert catalog() is catalog()


def test_versions(cat):
    assert cat.version_current == "08/2024/TT-BTNMT"
    assert cat.version_old == "27/2018/TT-BTNMT"
    assert cat.versions == ("27/2018/TT-BTNMT", "08/2024/TT-BTNMT")
    assert cat.status_current == "unconfirmed"


def test_2018_list_holds_the_reference_codes(cat):
    for group, codes in REFERENCE_2018.items():
        in_group = cat.codes_in_group(group, version="2018")
        for code in codes:
            assert code in in_group, (group, code)
    assert "HNK" not in cat.codes("2018")
    assert "CNT" not in cat.codes("2018")


def test_2024_changes(cat):
    now = cat.codes()
    assert "HNK" in now and "CNT" in now
    assert "BHK" not in now and "NHK" not in now
    assert cat.group("CNT") == NONG_NGHIEP
    assert cat.group("HNK") == NONG_NGHIEP
    assert cat.name("CNT") == "Đất chăn nuôi tập trung"


def test_2024_file_is_marked_unconfirmed_except_the_known_changes():
    rows = _rows("landuse_2024.csv")
    status = {r["code"]: r["status"] for r in rows}
    assert status.pop("HNK") == "confirmed"
    assert status.pop("CNT") == "confirmed"
    assert set(status.values()) == {"unconfirmed"}
    versions = {r["version"]: r for r in _rows("landuse_versions.csv")}
    assert versions["08/2024/TT-BTNMT"]["status"] == "unconfirmed"
    assert versions["08/2024/TT-BTNMT"]["current"] == "1"


def test_2018_statuses_follow_the_reference():
    reference = {c for codes in REFERENCE_2018.values() for c in codes}
    for r in _rows("landuse_2018.csv"):
        assert r["source"] == "27/2018/TT-BTNMT"
        assert r["status"] == ("confirmed" if r["code"] in reference else "recalled"), r["code"]


@pytest.mark.parametrize("name", ["landuse_2018.csv", "landuse_2024.csv"])
def test_data_files_are_well_formed(name):
    rows = _rows(name)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    for r in rows:
        assert len(r["code"]) == 3 and r["code"].isascii() and r["code"].isupper()
        assert r["group"] in GROUPS
        assert r["name"] and unicodedata.is_normalized("NFC", r["name"])
        assert r["status"] in {"confirmed", "recalled", "unconfirmed"}
        assert r["source"]


def test_no_aggregate_codes(cat):
    # statistics aggregates are not parcel codes
    for code in ["NNP", "SXN", "CHN", "LUA", "LNP", "PNN", "CDG", "CSK", "CCC", "CSD", "KHC"]:
        assert not cat.is_known(code), code


@pytest.mark.parametrize(("code", "current", "old", "needs"), [
    ("ODT", True, True, False),
    ("odt ", True, True, False),
    ("BHK", False, True, True),
    ("NHK", False, True, True),
    ("HNK", True, False, False),
    ("CNT", True, False, False),
    ("XYZ", False, False, False),
    ("", False, False, False),
])
def test_current_and_old(cat, code, current, old, needs):
    assert cat.is_current(code) is current
    assert cat.is_old(code) is old
    assert cat.needs_conversion(code) is needs


def test_names(cat):
    assert cat.name("ODT") == "Đất ở tại đô thị"
    assert cat.name("ont") == "Đất ở tại nông thôn"
    assert cat.name("BHK") == "Đất bằng trồng cây hàng năm khác"  # from the old list
    assert cat.name("NTD") == "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng"
    assert cat.name("XYZ") is None


def test_conversion(cat):
    assert cat.convert("BHK") == ["HNK"]
    assert cat.convert("nhk") == ["HNK"]
    assert cat.is_one_to_one("BHK") and cat.is_one_to_one("NHK")
    assert cat.convert("ODT") == ["ODT"] and cat.is_one_to_one("ODT")
    assert cat.convert("NKH") == ["NKH", "CNT"]
    assert not cat.is_one_to_one("NKH")
    assert cat.convert("HNK") == ["HNK"] and cat.is_one_to_one("HNK")  # already current
    assert cat.convert("XYZ") == [] and not cat.is_one_to_one("XYZ")


def test_every_old_code_converts_to_current_codes(cat):
    for code in cat.codes("2018"):
        new = cat.convert(code)
        assert new, code
        assert all(cat.is_current(c) for c in new), code
        assert cat.is_one_to_one(code) == (len(new) == 1), code


def test_every_current_code_is_reached_by_conversion_or_new(cat):
    reached = {c for old in cat.codes("2018") for c in cat.convert(old)}
    assert set(cat.codes()) == reached  # CNT via NKH, HNK via BHK/NHK


def test_groups_partition_each_list(cat):
    assert cat.groups == GROUPS == ("NONG_NGHIEP", "PHI_NONG_NGHIEP", "CHUA_SU_DUNG")
    for version in (None, "2018", "2024", "27/2018/TT-BTNMT", "08/2024/TT-BTNMT"):
        parts = [codes_in_group(g, version=version) for g in GROUPS]
        flat = [c for p in parts for c in p]
        assert sorted(flat) == sorted(cat.codes(version))
        assert len(flat) == len(set(flat))
    assert codes_in_group(CHUA_SU_DUNG) == ("BCS", "DCS", "NCS")
    assert "CNT" in codes_in_group(NONG_NGHIEP)
    assert "CNT" not in codes_in_group(NONG_NGHIEP, version="2018")
    assert "ODT" in codes_in_group(PHI_NONG_NGHIEP, version="2024")


def test_bad_group_or_version(cat):
    with pytest.raises(ValueError):
        codes_in_group("AGRICULTURE")
    with pytest.raises(ValueError):
        cat.codes("2013")


@pytest.mark.parametrize(("text", "codes"), [
    ("ODT+CLN", ("ODT", "CLN")),
    ("ODT, CLN", ("ODT", "CLN")),
    ("odt/cln", ("ODT", "CLN")),
    (" ODT + CLN ", ("ODT", "CLN")),
    ("ODT;CLN;LUK", ("ODT", "CLN", "LUK")),
    ("ODT - CLN", ("ODT", "CLN")),
    ("ONT", ("ONT",)),
    ("ODT+ODT", ("ODT",)),
    ("ODT++CLN", ("ODT", "CLN")),
    ("", ()),
    (None, ()),
    ("+", ()),
])
def test_parse_codes(text, codes):
    assert parse_codes(text) == codes


@given(st.lists(st.sampled_from(catalog().codes() + catalog().codes("2018")), min_size=1,
                max_size=4, unique=True),
       st.sampled_from(["+", ",", ", ", "/", " + ", ";"]),
       st.booleans())
def test_parse_codes_round_trip(codes, sep, lower):
    text = sep.join(codes)
    if lower:
        text = text.lower()
    assert parse_codes(text) == tuple(codes)
