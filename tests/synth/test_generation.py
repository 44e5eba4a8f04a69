"""What is generated: names, communes, sheets, the land dataset; speed; determinism across
processes."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import shapely

from datdai.kernel.model import AssetKind, Gender, PartyKind
from datdai.synth import run
from datdai.synth.geometry import SHEET_KINDS, build_sheet
from datdai.synth.names import NameGenerator


def test_names_follow_the_reference_weights():
    gen = NameGenerator(random.Random(1))
    names = [gen.name(Gender.MALE if i % 2 else Gender.FEMALE, 1950 + i % 60)
             for i in range(20000)]
    sur = Counter(n.surname for n in names)
    assert 0.35 < sur["Nguyễn"] / len(names) < 0.41
    assert 0.10 < sur["Trần"] / len(names) < 0.14
    assert sur["Huỳnh"] > sur["Hoàng"] and sur["Võ"] > sur["Vũ"]  # the south
    words = Counter(len(n.full.split()) for n in names)
    assert 0.80 < words[3] / len(names) < 0.86
    assert 0.13 < words[4] / len(names) < 0.19
    men = [n for i, n in enumerate(names) if i % 2]
    assert Counter(n.middle.split()[0] for n in men if n.middle).most_common(1)[0][0] == "Văn"
    north = [gen.name(Gender.MALE, 1970, north=True) for _ in range(5000)]
    ns = Counter(n.surname for n in north)
    assert ns["Hoàng"] > ns["Huỳnh"] and ns["Vũ"] > ns["Võ"]


@pytest.mark.parametrize("kind", sorted(SHEET_KINDS))
def test_sheet_tiles_without_gaps_or_overlaps(kind):
    import numpy as np

    sheet = build_sheet(np.random.default_rng(4), SHEET_KINDS[kind], 120)
    g = sheet.geoms
    assert len(g) == 120 and shapely.is_valid(g).all()
    tree = shapely.STRtree(g)
    a, b = tree.query(g, predicate="intersects")
    sel = a < b
    assert shapely.area(shapely.intersection(g[a[sel]], g[b[sel]])).max() == 0.0
    union = shapely.union_all(g)
    assert union.geom_type == "Polygon" and shapely.get_num_interior_rings(union) == 0
    area = shapely.area(g[~sheet.is_road])
    lo, hi = {"urban": (40, 800), "town": (60, 2000), "village": (200, 5000),
              "farm": (300, 20000), "forest5": (5000, 200000),
              "forest10": (20000, 300000)}[kind]
    assert lo <= np.median(area) <= hi


def test_communes_sheets_and_numbering(province):
    r = province.result
    land = r.land
    communes = {p.commune_code for p in land.parcels}
    assert len(communes) == r.counts["communes"] >= 3
    units = {u.code: u for u in land.admin_units}
    assert communes <= set(units)
    names = {units[c].name.split()[0] for c in communes}
    assert {"Phường", "Xã"} <= names
    by_sheet: dict[tuple[str, int], list[int]] = {}
    for p in land.parcels:
        by_sheet.setdefault((p.commune_code, p.sheet_no), []).append(p.parcel_no)
    for nums in by_sheet.values():
        assert sorted(set(nums)) == list(range(1, max(nums) + 1))
    scales = Counter(p.map_scale for p in land.parcels)
    assert {500, 1000, 2000} <= set(scales) and ({5000, 10000} & set(scales))
    # real position: inside the province, in its TM-3 zone (EPSG:9212, CM 106°15')
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:9212", "EPSG:4326", always_xy=True)
    g = shapely.from_wkb(land.parcels[0].geometry_wkb)
    lon, lat = to_ll.transform(*shapely.get_coordinates(g.centroid)[0])
    assert 106.2 < lon < 107.6 and 11.2 < lat < 12.4
    codes = Counter(c for p in land.parcels for c in p.land_use_codes)
    for c in ("ODT", "ONT", "CLN", "LUC", "LUK", "HNK", "NTS", "RSX", "RPH", "DGT", "DGD",
              "DYT", "TSC", "TMD", "BHK"):
        assert codes[c] > 0, c


def test_all_eighteen_land_fields_are_populated(province):
    land = province.result.land
    rights = [r for r in land.rights if r.kind.value == "SU_DUNG_DAT"]
    assert all(r.form_of_use and r.term and r.origin and r.purpose_codes for r in rights)
    assert {r.form_of_use for r in rights} == {"Sử dụng riêng", "Sử dụng chung"}
    assert any(r.term.startswith("đến ") for r in rights)
    assert any(r.term_end is not None for r in rights)
    assert any(r.share is not None for r in rights)
    parcels = [p for p in land.parcels if p.legal_area is not None]
    assert all(p.address and p.sheet_no and p.parcel_no for p in parcels)
    houses = [a for a in land.assets if a.kind == AssetKind.HOUSE]
    apartments = [a for a in land.assets if a.kind == AssetKind.APARTMENT]
    works = [a for a in land.assets if a.kind == AssetKind.CONSTRUCTION]
    assert all(a.house_type and a.floor_area and a.ownership_form and a.grade
               and a.ownership_term for a in houses)
    assert {a.grade for a in houses} >= {"Cấp 4", "Cấp 3"}
    assert all(a.building_name and a.apartment_no and a.shared_parts == "Hành lang, cầu thang, "
               "thang máy" for a in apartments)
    assert all(a.grade and a.construction_area for a in works)
    kinds = Counter(p.kind for p in land.parties)
    assert kinds[PartyKind.HOUSEHOLD] and kinds[PartyKind.COUPLE] and kinds[PartyKind.ORGANISATION]
    households = [p for p in land.parties if p.kind == PartyKind.HOUSEHOLD]
    assert any(len(p.members) == 2 and all(m.share is not None for m in p.members)
               for p in households)
    orgs = [p for p in land.parties if p.kind == PartyKind.ORGANISATION]
    assert any(d.doc_type.value == "GPKD" for p in orgs for d in p.documents)
    persons = [p for p in land.parties if p.kind == PartyKind.PERSON]
    assert any(p.birth_date is None and p.birth_year for p in persons)
    assert any(d.doc_type and d.doc_type.value == "CMND" for p in persons for d in p.documents)
    certs = land.certificates
    assert {c.form.value for c in certs} == {"CU", "MOI"}
    assert all(c.issuer and c.issue_date and c.register_entry for c in certs)
    assert any(len(h.parcel_keys) == 2 for h in land.holdings)


def test_run_reports_counts_and_progress(tmp_path):
    seen = []
    summary = run(tmp_path, parcels=400, seed=9, progress=lambda s, d, t: seen.append((s, d, t)))
    c = summary.counts
    for key in ("parcels", "communes", "map_sheets", "parties", "persons", "households",
                "organisations", "rights", "houses", "apartments", "certificates", "citizens",
                "owner_rows", "noise.AREA_MISMATCH"):
        assert key in c
    assert c["parcels"] == 400
    assert summary.files["chu_su_dung.csv"] == c["owner_rows"]
    assert [s for s, _, _ in seen] == ["communes", "parcels", "owners", "population", "noise",
                                       "render", "write"]


def test_deterministic_across_processes(tmp_path):
    """Hash randomisation must not leak into the output."""
    code = ("import sys; from pathlib import Path; from datdai.synth import run; "
            "run(Path(sys.argv[1]), parcels=600, seed=4)")
    digests = []
    for hashseed in ("1", "2"):
        out = tmp_path / hashseed
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert digests[0] == digests[1]


@pytest.mark.slow
def test_twenty_thousand_parcels(tmp_path):
    """The demo's default size (its time: bench/bench_synth.py)."""
    summary = run(Path(tmp_path), parcels=20000, seed=1)
    assert summary.counts["parcels"] == 20000
    assert summary.files["thua_dat.gpkg"] >= 19900
