"""generate() → SynthResult (in memory); write() → files; run() = both."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from datdai.kernel.admin_units import admin_units_for_province
from datdai.kernel.crs import Tm3Zone, zone_for_province
from datdai.kernel.model import CITIZEN_FIELDS, AssetKind, Citizen, LandDataset, PartyKind
from datdai.kernel.provinces import province_by_name
from datdai.synth.communes import select_communes
from datdai.synth.config import (
    CITIZENS_PER_OWNER,
    GPKG_TIMESTAMP,
    NOISE_TYPES,
    REFERENCE_DATE,
    NoiseConfig,
)
from datdai.synth.land import Land, Registry, assign_land_use, build_holdings, build_parcels
from datdai.synth.names import NameGenerator
from datdai.synth.noise import NOISE_COLUMNS, inject
from datdai.synth.population import Population
from datdai.synth.render import OWNER_COLUMNS, REGISTER_COLUMNS, TRUTH_OWNER_COLUMNS, render

Progress = Callable[[str, int, int], None]
STAGES = ("communes", "parcels", "owners", "population", "noise", "render")
FILES = ("thua_dat.gpkg", "so_dia_chinh.csv", "dan_cu.csv", "chu_su_dung.csv",
         "truth/noise.csv", "truth/owners.csv", "truth/summary.json")


@dataclass(slots=True)
class SynthTruth:
    noise_rows: list[dict[str, str]]  # truth/noise.csv
    owner_rows: list[dict[str, str]]  # truth/owners.csv
    summary: dict  # truth/summary.json


@dataclass(slots=True)
class SynthResult:
    land: LandDataset  # as the land office has it: with the noise in it
    citizens: list[Citizen]  # the population extract (dan_cu.csv)
    register_rows: list[dict[str, str]]  # so_dia_chinh.csv
    owner_rows: list[dict[str, str]]  # chu_su_dung.csv
    truth: SynthTruth
    zone: Tm3Zone
    map_features: list[dict] = field(default_factory=list)  # thua_dat layer: attrs + "wkb"
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class SynthSummary:
    out_dir: Path
    counts: dict[str, int]
    files: dict[str, int]


def _streams(seed: int, stage: int) -> tuple[random.Random, np.random.Generator]:
    """Independent random streams per stage (str seeds hash with SHA-512: no PYTHONHASHSEED)."""
    return (random.Random(f"datdai-synth/{seed}/{stage}"),
            np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, stage])))


def generate(parcels: int = 20000, seed: int = 1, province: str = "Bình Phước",
             noise: NoiseConfig | None = None,
             progress: Progress | None = None) -> SynthResult:
    """A synthetic province in memory, deterministic for (parcels, seed, province, noise)."""
    if parcels < 10:
        raise ValueError("cần ít nhất 10 thửa / at least 10 parcels")
    cfg = noise if noise is not None else NoiseConfig()
    cfg.validate()
    prov = province_by_name(province)
    if prov is None:
        raise ValueError(f"không rõ tỉnh '{province}' / unknown province")
    zone = zone_for_province(prov)
    total = len(STAGES)

    def step(k: int) -> None:
        if progress is not None:
            progress(STAGES[k], k + 1, total)


    rng, _ = _streams(seed, 0)
    plans = select_communes(rng, province, parcels)
    step(0)

    rng, nrng = _streams(seed, 1)
    land = Land()
    build_parcels(plans, zone, nrng, rng, land)
    assign_land_use(plans, nrng, rng, land)
    step(1)

    rng, nrng = _streams(seed, 2)
    names = NameGenerator(rng)
    pop = Population(rng, names, prov.code, [p.place for p in plans])
    reg = Registry(land, pop, plans, rng, prov.code, plans[0].place.province)
    build_holdings(plans, land, pop, reg, rng, parcels)
    step(2)

    rng, nrng = _streams(seed, 3)
    pop.rng = rng
    pop.names = NameGenerator(rng)
    owner_humans = {hm for p in land.parties.values() for hm, _, _ in p.members}
    pop.top_up(int(round(CITIZENS_PER_OWNER * len(owner_humans))))
    step(3)

    rng, nrng = _streams(seed, 4)
    pop.rng = rng
    names = NameGenerator(rng)
    pop.names = names
    outcome = inject(land, pop, plans, cfg, nrng, rng, names)
    step(4)

    rng, _ = _streams(seed, 5)
    rendered = render(land, pop, plans, outcome, zone, rng, admin_units_for_province(province))
    step(5)

    m = outcome.map
    import shapely

    wkb = shapely.to_wkb(m.geom)
    features = []
    for i in rendered.map_order:
        p = rendered.land.parcels[i]
        features.append({
            "ma_xa": p.commune_code, "so_to": p.sheet_no, "so_thua": p.parcel_no,
            "dien_tich": float(m.area_label[i]), "loai_dat": m.landuse_label[i],
            "ten_chu": m.owner_label[i] or None, "wkb": bytes(wkb[i]),
        })

    ds = rendered.land
    noise_counts = Counter(r["noise_type"] for r in outcome.rows)
    counts = {
        "parcels": len(land),
        "communes": len(plans),
        "map_sheets": len(land.sheets),
        "map_features": len(features),
        "parties": len(ds.parties),
        "persons": sum(p.kind == PartyKind.PERSON for p in ds.parties),
        "households": sum(p.kind == PartyKind.HOUSEHOLD for p in ds.parties),
        "couples": sum(p.kind == PartyKind.COUPLE for p in ds.parties),
        "organisations": sum(p.kind == PartyKind.ORGANISATION for p in ds.parties),
        "holdings": len(ds.holdings),
        "rights": len(ds.rights),
        "houses": sum(a.kind == AssetKind.HOUSE for a in ds.assets),
        "apartments": sum(a.kind == AssetKind.APARTMENT for a in ds.assets),
        "constructions": sum(a.kind == AssetKind.CONSTRUCTION for a in ds.assets),
        "certificates": len(ds.certificates),
        "citizens": len(rendered.citizens),
        "register_rows": len(rendered.register_rows),
        "owner_rows": len(rendered.owner_rows),
    }
    for t in NOISE_TYPES:
        counts[f"noise.{t.name}"] = noise_counts.get(t.name, 0)
    summary = {
        "parameters": {
            "parcels": parcels, "seed": seed, "province": province,
            "province_code": prov.code, "srid": zone.srid, "crs": zone.crs_input(),
            "reference_date": REFERENCE_DATE.strftime("%d/%m/%Y"),
            "citizens_per_owner": CITIZENS_PER_OWNER, "noise_rates": cfg.as_dict(),
        },
        "counts": counts,
        "noise": {
            t.name: {"rate": cfg.rate(t.name), "base": outcome.base.get(t.name, 0),
                     "count": noise_counts.get(t.name, 0), "target": t.target,
                     "ma_loi": t.rule, "base_definition": t.base}
            for t in NOISE_TYPES
        },
    }
    truth = SynthTruth(noise_rows=outcome.rows, owner_rows=rendered.truth_owner_rows,
                       summary=summary)
    return SynthResult(land=ds, citizens=rendered.citizens,
                       register_rows=rendered.register_rows, owner_rows=rendered.owner_rows,
                       truth=truth, zone=zone, map_features=features, counts=counts)


# ----------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------
def _csv_bytes(columns, rows) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\r\n",
                       extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _citizen_rows(citizens: list[Citizen]) -> list[dict[str, str]]:
    return [{f: (getattr(c, f) or "") for f in CITIZEN_FIELDS} for c in citizens]


def _write_gpkg(path: Path, result: SynthResult) -> int:
    import pyarrow as pa
    import pyogrio
    from pyproj import CRS

    feats = result.map_features
    table = pa.table({
        "ma_xa": pa.array([f["ma_xa"] for f in feats], pa.string()),
        "so_to": pa.array([f["so_to"] for f in feats], pa.int32()),
        "so_thua": pa.array([f["so_thua"] for f in feats], pa.int32()),
        "dien_tich": pa.array([f["dien_tich"] for f in feats], pa.float64()),
        "loai_dat": pa.array([f["loai_dat"] for f in feats], pa.string()),
        "ten_chu": pa.array([f["ten_chu"] for f in feats], pa.string()),
        "geom": pa.array([f["wkb"] for f in feats], pa.binary()),
    })
    crs = CRS(result.zone.crs_input())
    if not result.zone.is_epsg:  # a zone without an EPSG code: at least give it its name
        doc = crs.to_json_dict()
        (doc["source_crs"] if doc.get("type") == "BoundCRS" else doc)["name"] = result.zone.name
        crs = CRS.from_json_dict(doc)
    wanted = {"OGR_CURRENT_DATE": GPKG_TIMESTAMP, "OGR_GPKG_THREADED_RTREE": "NO"}
    before = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        pyogrio.write_arrow(table, str(path), layer="thua_dat", driver="GPKG",
                            geometry_name="geom", geometry_type="Polygon",
                            crs=crs.to_wkt())
    finally:
        pyogrio.set_gdal_config_options(before)
    return len(feats)


def write(result: SynthResult, out_dir: Path) -> dict[str, int]:
    """Write the delivery, the population extract, the owners export and the truth files.

    Everything is written into a temporary folder inside ``out_dir`` and moved into place at
    the end: a failure leaves no partial output. Returns the number of records per file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=out_dir))
    try:
        (tmp / "truth").mkdir()
        counts = {"thua_dat.gpkg": _write_gpkg(tmp / "thua_dat.gpkg", result)}
        files = {
            "so_dia_chinh.csv": (REGISTER_COLUMNS, result.register_rows),
            "dan_cu.csv": (CITIZEN_FIELDS, _citizen_rows(result.citizens)),
            "chu_su_dung.csv": (OWNER_COLUMNS, result.owner_rows),
            "truth/noise.csv": (NOISE_COLUMNS, result.truth.noise_rows),
            "truth/owners.csv": (TRUTH_OWNER_COLUMNS, result.truth.owner_rows),
        }
        for name, (cols, rows) in files.items():
            (tmp / name).write_bytes(_csv_bytes(cols, rows))
            counts[name] = len(rows)
        text = json.dumps(result.truth.summary, ensure_ascii=False, indent=2, sort_keys=True)
        (tmp / "truth/summary.json").write_bytes((text + "\n").encode("utf-8"))
        counts["truth/summary.json"] = 1
        (out_dir / "truth").mkdir(exist_ok=True)
        for name in FILES:
            os.replace(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def run(out_dir: Path, parcels: int, seed: int, province: str = "Bình Phước",
        progress: Progress | None = None, noise: NoiseConfig | None = None) -> SynthSummary:
    """generate() then write(); the counts are for the CLI to print."""
    result = generate(parcels=parcels, seed=seed, province=province, noise=noise,
                      progress=progress)
    files = write(result, Path(out_dir))
    if progress is not None:
        progress("write", 1, 1)
    return SynthSummary(out_dir=Path(out_dir), counts=dict(result.counts), files=files)
