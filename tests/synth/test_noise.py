"""Each noise type: exactly round(rate × base) occurrences, each really in the files."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely

from datdai.kernel.ids import CitizenId, InvalidId
from datdai.kernel.landuse import catalog
from datdai.synth import NOISE_TYPES, NoiseConfig, generate, noise_count
from datdai.synth.noise import tolerance


def _key(r, so_to="so_to"):
    return (r["ma_xa"], int(r[so_to]), int(r["so_thua"]))


@pytest.fixture(scope="module")
def files(province):
    feats = province.features()
    fkeys = list(zip(feats["ma_xa"].tolist(), feats["so_to"].tolist(), feats["so_thua"].tolist()))
    by_key = defaultdict(list)
    for j, k in enumerate(fkeys):
        by_key[k].append(j)
    register = province.csv("so_dia_chinh.csv")[1]
    reg_by_key = defaultdict(list)
    for r in register:
        reg_by_key[_key(r)].append(r)
    owners = province.csv("chu_su_dung.csv")[1]
    return {
        "feats": feats, "map_by_key": by_key, "register": register, "reg_by_key": reg_by_key,
        "owners": owners, "owner_index": {r["ma_dong"]: i for i, r in enumerate(owners)},
        "noise": province.csv("truth/noise.csv")[1],
        "citizens": {c["so_dinh_danh"]: c for c in province.csv("dan_cu.csv")[1]},
        "truth_owners": province.csv("truth/owners.csv")[1],
    }


def test_every_type_present_with_exact_count(province, files):
    summary = province.summary()
    got = Counter(r["noise_type"] for r in files["noise"])
    rates = NoiseConfig()
    for t in NOISE_TYPES:
        s = summary["noise"][t.name]
        want = noise_count(rates.rate(t.name), s["base"])
        assert s["count"] == want == got[t.name], t.name
        assert want > 0, f"{t.name} absent at {province.result.counts['parcels']} parcels"
    assert set(got) == {t.name for t in NOISE_TYPES}


def test_counts_follow_the_rates(tmp_path):
    cfg = NoiseConfig.none()
    cfg.area_mismatch = 0.1
    cfg.name_tcvn3 = 0.05
    r = generate(parcels=400, seed=5, noise=cfg)
    got = Counter(x["noise_type"] for x in r.truth.noise_rows)
    base = r.truth.summary["noise"]
    assert got == {"AREA_MISMATCH": noise_count(0.1, base["AREA_MISMATCH"]["base"]),
                   "NAME_TCVN3": noise_count(0.05, base["NAME_TCVN3"]["base"])}


def test_rates_too_high_are_refused():
    cfg = NoiseConfig.none()
    cfg.missing_in_map = 0.6
    cfg.duplicate_parcel = 0.6
    with pytest.raises(ValueError, match="DUPLICATE_PARCEL|MISSING_IN_MAP"):
        generate(parcels=200, seed=1, noise=cfg)
    with pytest.raises(ValueError):
        NoiseConfig(area_mismatch=1.5).validate()


def _map_rows(files, key):
    return files["map_by_key"].get(key, [])


def test_parcel_noise_is_in_the_files(files):
    feats = files["feats"]
    geoms = feats["geometry"]
    cat = catalog()
    checked = Counter()
    for r in files["noise"]:
        if r["ma_xa"] == "":
            continue
        k = _key(r)
        nt = r["noise_type"]
        mp = _map_rows(files, k)
        reg = files["reg_by_key"].get(k, [])
        if nt in ("AREA_MISMATCH", "AREA_WITHIN_TOLERANCE"):
            assert reg and all(x["dien_tich"] == r["noisy_value"] for x in reg)
            (j,) = mp
            computed = shapely.area(geoms[j])
            tol = tolerance(computed, int(reg[0]["ty_le_ban_do"]))
            diff = abs(float(r["noisy_value"]) - computed)
            assert (diff > tol) if nt == "AREA_MISMATCH" else (diff < tol)
            assert abs(float(feats["dien_tich"][j]) - computed) <= 0.05
        elif nt == "LANDUSE_MISMATCH":
            (j,) = mp
            assert feats["loai_dat"][j] == r["noisy_value"]
            assert all(x["loai_dat"] == r["clean_value"] for x in reg)
        elif nt in ("LANDUSE_CODE_INVALID", "LANDUSE_OLD_CODE"):
            (j,) = mp
            assert feats["loai_dat"][j] == r["noisy_value"]
            assert all(x["loai_dat"] == r["noisy_value"] for x in reg)
            codes = r["noisy_value"].split("+")
            if nt == "LANDUSE_CODE_INVALID":
                assert not all(cat.is_known(c) for c in codes)
            else:
                assert any(cat.needs_conversion(c) for c in codes)
                assert all(cat.is_known(c) for c in codes)
        elif nt == "OWNER_MISMATCH":
            (j,) = mp
            assert feats["ten_chu"][j] == r["noisy_value"] != r["clean_value"]
            assert r["noisy_value"] not in {x["ten_chu"] for x in reg}
        elif nt in ("GEOM_BOWTIE", "GEOM_DEGENERATE"):
            (j,) = mp
            assert not shapely.is_valid(geoms[j])
            assert shapely.is_valid_reason(geoms[j]) == r["noisy_value"]
        elif nt in ("OVERLAP", "OVERLAP_SLIVER"):
            (j,) = mp
            for part in r["noisy_value"].split(";"):
                pk, area = part.rsplit(":", 1)
                ma_xa, so_to, so_thua = pk.split("/")
                (q,) = _map_rows(files, (ma_xa, int(so_to), int(so_thua)))
                inter = shapely.area(shapely.intersection(geoms[j], geoms[q]))
                assert inter == pytest.approx(float(area), abs=2e-4, rel=1e-3)
            total = sum(float(p.rsplit(":", 1)[1]) for p in r["noisy_value"].split(";"))
            if nt == "OVERLAP":
                assert total >= 1.0
        elif nt == "DUPLICATE_PARCEL":
            assert len(mp) == 2
            assert shapely.equals_exact(geoms[mp[0]], geoms[mp[1]], 0.0)
        elif nt == "MISSING_IN_MAP":
            assert mp == [] and reg
        elif nt == "MISSING_IN_REGISTER":
            assert len(mp) == 1 and reg == []
        else:
            raise AssertionError(nt)
        checked[nt] += 1
    assert len(checked) == 13


def test_owner_noise_is_in_the_files(files):
    owners, register = files["owners"], files["register"]
    citizens = files["citizens"]
    truth_by_party = {r["party_id"]: r for r in files["truth_owners"]}
    checked = Counter()
    for r in files["noise"]:
        if r["target"] not in ("party", "population"):
            continue
        nt = r["noise_type"]
        rows = r["ma_dong"].split(";")
        assert rows and all(m in files["owner_index"] for m in rows), r
        for m in rows:
            i = files["owner_index"][m]
            row = owners[i]
            assert truth_by_party[r["party_id"]]["party_id"] == r["party_id"]
            if nt in ("OWNER_DECEASED", "OWNER_ABROAD"):
                assert r["clean_value"] not in citizens
            elif nt == "SAME_NAME_RELATIVE":
                rel = citizens[r["noisy_value"]]
                own = citizens[r["clean_value"]]
                assert rel["ho_ten"] == own["ho_ten"] == truth_by_party[r["party_id"]]["ho_ten"]
                assert rel["so_dinh_danh"] != own["so_dinh_danh"]
            elif r["field"] == "ho_ten":
                assert row["ho_ten"] == r["noisy_value"] and register[i]["ten_chu"] == row["ho_ten"]
            elif r["field"] == "cccd_cmnd":
                assert row["cccd_cmnd"] == row["so_giay_to"] == r["noisy_value"]
                assert register[i]["so_giay_to"] == r["noisy_value"]
            elif r["field"] == "nam_sinh":
                assert row["nam_sinh"] == register[i]["nam_sinh"] == r["noisy_value"]
            elif r["field"] == "gioi_tinh":
                assert register[i]["gioi_tinh"] == r["noisy_value"] != r["clean_value"]
            else:
                raise AssertionError(r)
        assert r["noisy_value"] != r["clean_value"]
        checked[nt] += 1
    assert len(checked) == 14


def test_register_and_owner_rows_align(files):
    """Row k of so_dia_chinh.csv and row k of chu_su_dung.csv are the same (parcel, user)."""
    for reg, own in zip(files["register"], files["owners"]):
        assert (reg["ma_xa"], reg["so_to"], reg["so_thua"]) == (own["ma_xa"], own["to_so"],
                                                                own["so_thua"])
        assert reg["ten_chu"] == own["ho_ten"] and reg["so_giay_to"] == own["so_giay_to"]
    assert len(files["register"]) == len(files["owners"])


def test_clean_province_has_no_defects(clean_province):
    r = clean_province.result
    assert r.truth.noise_rows == []
    assert all(v == 0 for k, v in r.counts.items() if k.startswith("noise."))
    feats = clean_province.features()
    g = feats["geometry"]
    assert shapely.is_valid(g).all()
    keys = list(zip(feats["ma_xa"], feats["so_to"], feats["so_thua"]))
    assert len(set(keys)) == len(keys) == r.counts["parcels"]
    register = clean_province.csv("so_dia_chinh.csv")[1]
    areas = {_key(x): float(x["dien_tich"]) for x in register}
    assert set(areas) == set(keys)
    for k, a, label in zip(keys, shapely.area(g), feats["dien_tich"]):
        assert abs(areas[k] - a) <= 0.05 and abs(label - a) <= 0.05
    # each sheet is tiled without holes
    for k in sorted({(m, s) for m, s, _ in keys}):
        sel = (feats["ma_xa"] == k[0]) & (feats["so_to"] == k[1])
        union = shapely.union_all(g[sel], grid_size=0.001)
        assert union.geom_type == "Polygon", k
        assert shapely.get_num_interior_rings(union) == 0, k
    cat = catalog()
    for x in register:
        assert all(cat.is_current(c) for c in x["loai_dat"].split("+")), x["loai_dat"]
    # IDs all valid and consistent
    for x in register:
        if x["loai_giay_to"] == "CCCD":
            cid = CitizenId.parse(x["so_giay_to"])
            year = int(x["nam_sinh"][-4:]) if x["nam_sinh"] else None
            assert cid.contradicts(year, x["gioi_tinh"]) == []


def test_land_dataset_reflects_noise(province, files):
    land = province.result.land
    by_key = defaultdict(list)
    for p in land.parcels:
        by_key[p.key].append(p)
    for r in files["noise"]:
        if r["noise_type"] == "MISSING_IN_MAP":
            assert [p.geometry_wkb for p in by_key[_key(r)]] == [None]
        elif r["noise_type"] == "MISSING_IN_REGISTER":
            (p,) = by_key[_key(r)]
            assert p.legal_area is None and p.geometry_wkb is not None
            assert not any(_key(r) in h.parcel_keys for h in land.holdings)
        elif r["noise_type"] == "DUPLICATE_PARCEL":
            assert len(by_key[_key(r)]) == 2
        elif r["noise_type"] == "AREA_MISMATCH":
            assert by_key[_key(r)][0].legal_area == float(r["noisy_value"])
    parties = {p.party_id: p for p in land.parties}
    for r in files["noise"]:
        if r["noise_type"] in ("NAME_TCVN3", "NAME_PREFIX"):
            assert parties[r["party_id"]].full_name == r["noisy_value"]
        if r["noise_type"] == "ID_MISSING":
            assert parties[r["party_id"]].documents == []
    assert len(land.admin_units) > 100
    assert all(rt.party_id in parties for rt in land.rights)
    holding_ids = {h.holding_id for h in land.holdings}
    assert all(c.holding_id in holding_ids for c in land.certificates)
    assert all(a.holding_id in holding_ids for a in land.assets)


def test_ids_in_cccd_agree_with_birth_except_injected(files):
    owners, register = files["owners"], files["register"]
    allowed = set()
    for r in files["noise"]:
        if r["noise_type"] == "ID_BIRTH_MISMATCH" or (
                r["noise_type"] == "ID_DUPLICATE" and "also_contradicts" in r["note"]):
            allowed.update(r["ma_dong"].split(";"))
    contradictions = set()
    for own, reg in zip(owners, register):
        if own["loai_giay_to"] != "CCCD" or not own["cccd_cmnd"]:
            continue
        try:
            cid = CitizenId.parse(own["cccd_cmnd"])
        except InvalidId:
            continue
        year = int(own["nam_sinh"][-4:]) if own["nam_sinh"] else None
        if cid.contradicts(year, reg["gioi_tinh"]):
            contradictions.add(own["ma_dong"])
    assert contradictions <= allowed
    assert contradictions, "the injected contradictions are visible"
    for c in files["citizens"].values():
        cid = CitizenId(c["so_dinh_danh"])
        assert cid.contradicts(int(c["ngay_sinh"][-4:]), c["gioi_tinh"]) == []


def test_every_owner_is_in_the_population_except_absent(files):
    citizens = files["citizens"]
    cases = Counter()
    for t in files["truth_owners"]:
        cases[t["case"]] += 1
        if t["case"] == "organisation":
            assert t["so_dinh_danh"] == ""
            continue
        if "OWNER_DECEASED" in t["noise"] or "OWNER_ABROAD" in t["noise"]:
            assert t["case"] == "absent" and t["so_dinh_danh"] == ""
            continue
        c = citizens[t["so_dinh_danh"]]
        assert c["ho_ten"] == t["ho_ten"] and c["gioi_tinh"] == t["gioi_tinh"]
        assert c["ngay_sinh"][-4:] == t["ngay_sinh"][-4:]
    for case in ("clean", "absent", "noisy_name", "cmnd_only", "same_name_relative",
                 "organisation", "id_missing", "id_duplicate"):
        assert cases[case] > 0, case
    assert len(citizens) >= 2.5 * len({t["party_id"] for t in files["truth_owners"]})


def test_population_relations_are_consistent(files):
    citizens = list(files["citizens"].values())
    by_name = defaultdict(list)
    for c in citizens:
        by_name[c["ho_ten"]].append(c)
    abroad = {t["ho_ten"] for t in files["truth_owners"] if "OWNER_ABROAD" in t["noise"]}
    married = [c for c in citizens if c["vo_chong"]]
    assert married
    for c in married:
        assert c["tinh_trang_hon_nhan"] == "Đã kết hôn"
        spouses = [s for s in by_name.get(c["vo_chong"], []) if s["vo_chong"] == c["ho_ten"]]
        assert spouses or c["vo_chong"] in abroad, c["ho_ten"]
    minors = [c for c in citizens if 2025 - int(c["ngay_sinh"][-4:]) < 18]
    assert minors and all(c["nguoi_dai_dien"] in (c["cha"], c["me"]) for c in minors)
    assert all(c["chu_ho"] for c in citizens)
    # namesakes: the hard cases for matching
    assert sum(len(v) > 1 for v in by_name.values()) > 50


def test_no_unrecorded_overlaps_or_invalid_geometry(files):
    feats = files["feats"]
    g = feats["geometry"]
    keys = list(zip(feats["ma_xa"].tolist(), feats["so_to"].tolist(), feats["so_thua"].tolist()))
    noise = files["noise"]
    invalid = {_key(r) for r in noise if r["noise_type"] in ("GEOM_BOWTIE", "GEOM_DEGENERATE")}
    valid = shapely.is_valid(g)
    assert {keys[j] for j in np.nonzero(~valid)[0]} == invalid
    shifted = {_key(r) for r in noise if r["noise_type"] in ("OVERLAP", "OVERLAP_SLIVER")}
    dups = {_key(r) for r in noise if r["noise_type"] == "DUPLICATE_PARCEL"}
    idx = np.nonzero(valid)[0]
    tree = shapely.STRtree(g[idx])
    a, b = tree.query(g[idx], predicate="intersects")
    sel = a < b
    a, b = idx[a[sel]], idx[b[sel]]
    area = shapely.area(shapely.intersection(g[a], g[b]))
    bad = []
    for i, j, ar in zip(a, b, area):
        if ar <= 1e-6:
            continue
        ki, kj = keys[i], keys[j]
        if ki in shifted or kj in shifted or (ki == kj and ki in dups):
            continue
        bad.append((ki, kj, ar))
    assert bad == []


def test_legacy_names_decode_back(files):
    from datdai.kernel.legacy import decode_tcvn3, decode_vni, detect_legacy
    from datdai.kernel.text import fold_key

    n = 0
    for r in files["noise"]:
        if r["noise_type"] == "NAME_TCVN3":
            assert decode_tcvn3(r["noisy_value"]).lower() == r["clean_value"].lower()
        elif r["noise_type"] == "NAME_VNI":
            assert decode_vni(r["noisy_value"]) == r["clean_value"]
        else:
            continue
        assert fold_key(r["noisy_value"]) != fold_key(r["clean_value"])
        n += detect_legacy(r["noisy_value"]) is not None
    assert n > 0
