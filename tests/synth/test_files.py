"""The written files follow the binding formats of shared/spec."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pyogrio
import pytest

from datdai.kernel.model import CITIZEN_FIELDS
from datdai.synth import generate, run, write
from datdai.synth import generator as gen_module

REGISTER_REQUIRED = ["ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu",
                     "gioi_tinh", "nam_sinh", "loai_giay_to", "so_giay_to", "dia_chi_chu",
                     "so_seri_gcn", "dia_chi_thua", "ty_le_ban_do"]
OWNERS_REQUIRED = ["ma_dong", "tinh", "huyen", "xa", "to_so", "so_thua", "so_seri_gcn",
                   "dia_chi_thua", "dien_tich", "ho_ten", "nam_sinh", "cccd_cmnd",
                   "loai_giay_to", "so_giay_to", "dia_chi_chu"]
POPULATION = ["so_dinh_danh", "so_cmnd", "ho_ten", "gioi_tinh", "dan_toc", "ton_giao",
              "tinh_trang_hon_nhan", "ngay_sinh", "noi_dang_ky_khai_sinh", "quoc_tich",
              "que_quan", "thuong_tru", "noi_o_hien_tai", "cha", "me", "vo_chong",
              "nguoi_dai_dien", "chu_ho", "so_so_ho_khau"]
NOISE = ["noise_type", "target", "ma_xa", "so_to", "so_thua", "party_id", "ma_dong", "field",
         "clean_value", "noisy_value"]
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all_files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): _sha(p) for p in sorted(out.rglob("*")) if p.is_file()}


def test_headers_are_the_specs(province):
    assert province.csv("so_dia_chinh.csv")[0][: len(REGISTER_REQUIRED)] == REGISTER_REQUIRED
    assert province.csv("chu_su_dung.csv")[0][: len(OWNERS_REQUIRED)] == OWNERS_REQUIRED
    assert province.csv("dan_cu.csv")[0] == POPULATION == list(CITIZEN_FIELDS)
    assert province.csv("truth/noise.csv")[0][: len(NOISE)] == NOISE
    info = pyogrio.read_info(province.out / "thua_dat.gpkg", layer="thua_dat")
    assert list(info["fields"]) == ["ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat",
                                    "ten_chu"]
    assert info["crs"] == "EPSG:9212"
    assert info["geometry_type"] == "Polygon"
    assert pyogrio.list_layers(province.out / "thua_dat.gpkg")[:, 0].tolist() == ["thua_dat"]


def test_counts_returned_match_files(province):
    for name in ("so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv", "truth/noise.csv",
                 "truth/owners.csv"):
        assert province.counts[name] == len(province.csv(name)[1])
    assert province.counts["thua_dat.gpkg"] == len(province.features()["so_thua"])
    assert not list(province.out.glob(".synth-*")), "temporary folder left behind"


def test_csv_encoding_and_line_ends(province):
    for name in ("so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv"):
        data = (province.out / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")
        assert data.count(b"\r\n") == data.count(b"\n") > 1  # CRLF, no newline in values


def test_text_is_nfc_except_legacy_noise(province):
    _, noise = province.csv("truth/noise.csv")
    legacy = {r["noisy_value"] for r in noise if r["noise_type"] in ("NAME_TCVN3", "NAME_VNI")}
    for name in ("so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv", "truth/owners.csv"):
        for row in province.csv(name)[1]:
            for col, value in row.items():
                if value in legacy:
                    continue
                assert unicodedata.is_normalized("NFC", value), (name, col, value)
    names = province.features()["ten_chu"]
    assert all(unicodedata.is_normalized("NFC", v) for v in names if v)


def test_dates_and_numbers(province):
    _, citizens = province.csv("dan_cu.csv")
    year_only = 0
    for c in citizens:
        if DATE.fullmatch(c["ngay_sinh"]) is None:
            assert re.fullmatch(r"\d{4}", c["ngay_sinh"]), c["ngay_sinh"]
            year_only += 1
        assert re.fullmatch(r"\d{12}", c["so_dinh_danh"])
        assert c["so_cmnd"] == "" or re.fullmatch(r"\d{9}|\d{12}", c["so_cmnd"])
        assert c["gioi_tinh"] in ("Nam", "Nữ")
    assert 0 < year_only < len(citizens) * 0.1
    assert len({c["so_dinh_danh"] for c in citizens}) == len(citizens)
    _, owners = province.csv("chu_su_dung.csv")
    assert len({r["ma_dong"] for r in owners}) == len(owners)
    for r in owners:
        assert r["nam_sinh"] == "" or re.fullmatch(r"\d{4}", r["nam_sinh"]) \
            or DATE.fullmatch(r["nam_sinh"])
        float(r["dien_tich"])
        int(r["to_so"]), int(r["so_thua"])
    _, register = province.csv("so_dia_chinh.csv")
    assert {r["ty_le_ban_do"] for r in register} <= {"500", "1000", "2000", "5000", "10000"}


def test_mixed_realities(province):
    """Old and new admin names, old and new certificate serials, CMND-only owners, owners
    with the year of birth only, households and couples."""
    _, owners = province.csv("chu_su_dung.csv")
    tinh = {r["tinh"] for r in owners}
    assert {"Bình Phước", "Đồng Nai"} <= tinh
    serials = [r["so_seri_gcn"] for r in owners if r["so_seri_gcn"]]
    assert any(re.fullmatch(r"[A-Z]{2}\d{6}", s) for s in serials)
    assert any(re.fullmatch(r"[A-Z]{2}\d{8}", s) for s in serials)
    assert all(re.fullmatch(r"[A-Z]{2}(\d{6}|\d{8})", s) for s in serials)
    assert any(r["loai_giay_to"] == "CMND" for r in owners)
    assert any(r["loai_giay_to"] == "GPKD" for r in owners)
    assert any(re.fullmatch(r"\d{4}", r["nam_sinh"]) for r in owners)
    addresses = [r["dia_chi_chu"] for r in owners]
    assert any("Huyện" in a and "Bình Phước" in a for a in addresses)
    assert any("Đồng Nai" in a and "Huyện" not in a for a in addresses)
    counts = province.result.counts
    for key in ("households", "couples", "organisations", "houses", "apartments",
                "constructions", "certificates"):
        assert counts[key] > 0, key


def test_deterministic_byte_identical(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    run(a, parcels=1500, seed=11)
    run(b, parcels=1500, seed=11)
    run(c, parcels=1500, seed=12)
    fa, fb, fc = _all_files(a), _all_files(b), _all_files(c)
    assert set(fa) == {"thua_dat.gpkg", "so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv",
                       "truth/noise.csv", "truth/owners.csv", "truth/summary.json"}
    assert fa == fb
    for name in fa:
        assert fa[name] != fc[name], name


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    result = generate(parcels=300, seed=2)

    def boom(citizens):
        raise OSError("disk full")  # the third file fails, after the map and the register

    monkeypatch.setattr(gen_module, "_citizen_rows", boom)
    out = tmp_path / "out"
    with pytest.raises(OSError):
        write(result, out)
    assert list(out.rglob("*")) == []


def test_gdal_config_restored(tmp_path):
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    write(generate(parcels=200, seed=1), tmp_path)
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_a_large_province_is_written_in_slices(tmp_path):
    """Above ``slice_parcels`` the communes are generated and written a slice at a time: the
    same files, identifiers unique across slices, counts over the whole province."""
    steps = []
    out = tmp_path / "lon"
    summary = run(out, parcels=900, seed=4, slice_parcels=300,
                  progress=lambda stage, k, n: steps.append((stage, k, n)))
    assert [s[1:] for s in steps if s[0] == "slices"] == [(1, 3), (2, 3), (3, 3)]
    c = summary.counts
    assert c["parcels"] == 900 and c["communes"] == 3
    for name in ("so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv", "truth/noise.csv",
                 "truth/owners.csv"):
        assert summary.files[name] == len(_rows(out / name)), name
    assert summary.files["thua_dat.gpkg"] == c["map_features"] == pyogrio.read_info(
        out / "thua_dat.gpkg", layer="thua_dat")["features"]
    owners = _rows(out / "chu_su_dung.csv")
    assert [r["ma_dong"] for r in owners] == [f"D{i:07d}" for i in range(1, len(owners) + 1)]
    citizens = _rows(out / "dan_cu.csv")
    ids = [r["so_dinh_danh"] for r in citizens if r["so_dinh_danh"]]
    assert len(ids) == len(set(ids)) == c["citizens"]
    truth = _rows(out / "truth" / "owners.csv")
    people = {}
    for r in truth:  # one person, one party ID, across slices
        if r["so_dinh_danh"]:
            people.setdefault(r["so_dinh_danh"], set()).add(r["party_id"])
    parties = [p for ps in people.values() for p in ps]
    assert all(len(ps) == 1 for ps in people.values()) and len(parties) == len(set(parties))
    summary_json = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary_json["counts"]["parcels"] == 900
    assert sum(v["count"] for v in summary_json["noise"].values()) == c["noise.DUPLICATE_PARCEL"] \
        + sum(c[k] for k in c if k.startswith("noise.") and k != "noise.DUPLICATE_PARCEL")
    again = tmp_path / "lai"
    run(again, parcels=900, seed=4, slice_parcels=300)
    assert _all_files(again) == _all_files(out)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
