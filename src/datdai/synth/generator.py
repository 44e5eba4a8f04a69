"""generate() → SynthResult (in memory); write() → files; run() = both."""

from __future__ import annotations

import csv
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
from datdai.synth.population import IdSpace, Population
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


def _streams(seed: int, stage: int, part: int | None = None
             ) -> tuple[random.Random, np.random.Generator]:
    """Independent random streams per stage (str seeds hash with SHA-512: no PYTHONHASHSEED);
    ``part``: the slice of a province generated in parts (see :func:`run`)."""
    if part is None:
        return (random.Random(f"datdai-synth/{seed}/{stage}"),
                np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, stage])))
    return (random.Random(f"datdai-synth/{seed}/part{part}/{stage}"),
            np.random.default_rng(np.random.SeedSequence(
                [int(seed) & 0xFFFFFFFF, stage, 1 + part])))


def _province(province: str, noise: NoiseConfig | None):
    cfg = noise if noise is not None else NoiseConfig()
    cfg.validate()
    prov = province_by_name(province)
    if prov is None:
        raise ValueError(f"không rõ tỉnh '{province}' / unknown province")
    return cfg, prov, zone_for_province(prov)


def generate(parcels: int = 20000, seed: int = 1, province: str = "Bình Phước",
             noise: NoiseConfig | None = None,
             progress: Progress | None = None) -> SynthResult:
    """A synthetic province in memory, deterministic for (parcels, seed, province, noise)."""
    if parcels < 10:
        raise ValueError("cần ít nhất 10 thửa / at least 10 parcels")
    cfg, prov, zone = _province(province, noise)
    rng, _ = _streams(seed, 0)
    plans = select_communes(rng, province, parcels)
    if progress is not None:
        progress(STAGES[0], 1, len(STAGES))
    result, base = _generate_part(plans, parcels, seed, None, province, prov, zone, cfg,
                                  IdSpace(), admin_units_for_province(province), progress)
    result.truth.summary = _summary(parcels, seed, province, prov, zone, cfg, result.counts,
                                    base)
    return result


def _generate_part(plans, parcels: int, seed: int, part: int | None, province: str, prov,
                   zone: Tm3Zone, cfg: NoiseConfig, ids: IdSpace, admin_units: list,
                   progress: Progress | None) -> tuple[SynthResult, dict[str, int]]:
    """Stages 1–5 over the communes ``plans`` (the whole province, or one slice of it).
    Returns the result (its summary left empty) and the noise bases."""
    total = len(STAGES)

    def step(k: int) -> None:
        if progress is not None:
            progress(STAGES[k], k + 1, total)

    rng, nrng = _streams(seed, 1, part)
    land = Land()
    build_parcels(plans, zone, nrng, rng, land)
    assign_land_use(plans, nrng, rng, land)
    step(1)

    rng, nrng = _streams(seed, 2, part)
    names = NameGenerator(rng)
    pop = Population(rng, names, prov.code, [p.place for p in plans], ids)
    reg = Registry(land, pop, plans, rng, prov.code, plans[0].place.province)
    build_holdings(plans, land, pop, reg, rng, parcels)
    step(2)

    rng, nrng = _streams(seed, 3, part)
    pop.rng = rng
    pop.names = NameGenerator(rng)
    owner_humans = {hm for p in land.parties.values() for hm, _, _ in p.members}
    pop.top_up(int(round(CITIZENS_PER_OWNER * len(owner_humans))))
    step(3)

    rng, nrng = _streams(seed, 4, part)
    pop.rng = rng
    names = NameGenerator(rng)
    pop.names = names
    outcome = inject(land, pop, plans, cfg, nrng, rng, names)
    step(4)

    rng, _ = _streams(seed, 5, part)
    rendered = render(land, pop, plans, outcome, zone, rng, admin_units)
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
    # the next slice's sequential identifiers continue after this one's
    ids.holdings += len(land.holdings)
    ids.owner_rows += len(rendered.owner_rows)
    truth = SynthTruth(noise_rows=outcome.rows, owner_rows=rendered.truth_owner_rows,
                       summary={})
    return (SynthResult(land=ds, citizens=rendered.citizens,
                        register_rows=rendered.register_rows, owner_rows=rendered.owner_rows,
                        truth=truth, zone=zone, map_features=features, counts=counts),
            dict(outcome.base))


def _summary(parcels: int, seed: int, province: str, prov, zone: Tm3Zone, cfg: NoiseConfig,
             counts: dict[str, int], base: dict[str, int]) -> dict:
    return {
        "parameters": {
            "parcels": parcels, "seed": seed, "province": province,
            "province_code": prov.code, "srid": zone.srid, "crs": zone.crs_input(),
            "reference_date": REFERENCE_DATE.strftime("%d/%m/%Y"),
            "citizens_per_owner": CITIZENS_PER_OWNER, "noise_rates": cfg.as_dict(),
        },
        "counts": counts,
        "noise": {
            t.name: {"rate": cfg.rate(t.name), "base": base.get(t.name, 0),
                     "count": counts.get(f"noise.{t.name}", 0), "target": t.target,
                     "ma_loi": t.rule, "base_definition": t.base}
            for t in NOISE_TYPES
        },
    }


# ----------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------
def _citizen_rows(citizens: list[Citizen]) -> list[dict[str, str]]:
    return [{f: (getattr(c, f) or "") for f in CITIZEN_FIELDS} for c in citizens]


def _gpkg_crs(zone: Tm3Zone) -> str:
    from pyproj import CRS

    crs = CRS(zone.crs_input())
    if not zone.is_epsg:  # a zone without an EPSG code: at least give it its name
        doc = crs.to_json_dict()
        (doc["source_crs"] if doc.get("type") == "BoundCRS" else doc)["name"] = zone.name
        crs = CRS.from_json_dict(doc)
    return crs.to_wkt()


def _write_gpkg(path: Path, result: SynthResult, append: bool = False) -> int:
    import pyarrow as pa
    import pyogrio

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
    wanted = {"OGR_CURRENT_DATE": GPKG_TIMESTAMP, "OGR_GPKG_THREADED_RTREE": "NO"}
    before = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        pyogrio.write_arrow(table, str(path), layer="thua_dat", driver="GPKG",
                            geometry_name="geom", geometry_type="Polygon",
                            crs=_gpkg_crs(result.zone), append=append)
    finally:
        pyogrio.set_gdal_config_options(before)
    return len(feats)


class _Writer:
    """The output files, written part by part (a whole province, or its slices one after
    another) into a temporary folder inside ``out_dir`` and moved into place at the end: a
    failure leaves no partial output."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=self.out_dir))
        (self.tmp / "truth").mkdir()
        self.counts = {name: 0 for name in FILES}
        self.files = {}
        self.writers = {}
        for name, cols in (("so_dia_chinh.csv", REGISTER_COLUMNS), ("dan_cu.csv", CITIZEN_FIELDS),
                           ("chu_su_dung.csv", OWNER_COLUMNS),
                           ("truth/noise.csv", NOISE_COLUMNS),
                           ("truth/owners.csv", TRUTH_OWNER_COLUMNS)):
            f = (self.tmp / name).open("w", encoding="utf-8", newline="")
            self.files[name] = f
            self.writers[name] = csv.DictWriter(f, fieldnames=list(cols), lineterminator="\r\n",
                                                extrasaction="ignore")
            self.writers[name].writeheader()

    def add(self, result: SynthResult) -> None:
        self.counts["thua_dat.gpkg"] += _write_gpkg(
            self.tmp / "thua_dat.gpkg", result, append=self.counts["thua_dat.gpkg"] > 0)
        for name, rows in (("so_dia_chinh.csv", result.register_rows),
                           ("dan_cu.csv", _citizen_rows(result.citizens)),
                           ("chu_su_dung.csv", result.owner_rows),
                           ("truth/noise.csv", result.truth.noise_rows),
                           ("truth/owners.csv", result.truth.owner_rows)):
            self.writers[name].writerows(rows)
            self.counts[name] += len(rows)

    def finish(self, summary: dict) -> dict[str, int]:
        try:
            for f in self.files.values():
                f.close()
            text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True)
            (self.tmp / "truth/summary.json").write_bytes((text + "\n").encode("utf-8"))
            self.counts["truth/summary.json"] = 1
            (self.out_dir / "truth").mkdir(exist_ok=True)
            for name in FILES:
                os.replace(self.tmp / name, self.out_dir / name)
        finally:
            self.abort()
        return dict(self.counts)

    def abort(self) -> None:
        for f in self.files.values():
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def write(result: SynthResult, out_dir: Path) -> dict[str, int]:
    """Write the delivery, the population extract, the owners export and the truth files.

    Everything is written into a temporary folder inside ``out_dir`` and moved into place at
    the end: a failure leaves no partial output. Returns the number of records per file."""
    w = _Writer(out_dir)
    try:
        w.add(result)
    except BaseException:
        w.abort()
        raise
    return w.finish(result.truth.summary)


# A province larger than this is generated and written in slices of whole communes of about
# this many parcels, one after another: memory stays that of one slice, whatever the size.
SLICE_PARCELS = 25_000


def _slices(plans: list, size: int) -> list[list]:
    """Consecutive communes, about ``size`` parcels a slice (a commune is never cut)."""
    out: list[list] = [[]]
    n = 0
    for p in plans:
        if out[-1] and n + p.n_parcels > size:
            out.append([])
            n = 0
        out[-1].append(p)
        n += p.n_parcels
    return out


def run(out_dir: Path, parcels: int, seed: int, province: str = "Bình Phước",
        progress: Progress | None = None, noise: NoiseConfig | None = None,
        slice_parcels: int = SLICE_PARCELS) -> SynthSummary:
    """Generate and write a province; the counts are for the CLI to print.

    Up to ``slice_parcels`` (:data:`SLICE_PARCELS`) parcels: :func:`generate` then :func:`write`. Larger: the
    communes are generated in slices written one after another (streams of random numbers per
    slice, identifiers unique across slices), so memory does not grow with the province; land
    users and their relatives then live within one slice's communes."""
    if parcels <= slice_parcels:
        result = generate(parcels=parcels, seed=seed, province=province, noise=noise,
                          progress=progress)
        files = write(result, Path(out_dir))
        if progress is not None:
            progress("write", 1, 1)
        return SynthSummary(out_dir=Path(out_dir), counts=dict(result.counts), files=files)

    cfg, prov, zone = _province(province, noise)
    rng, _ = _streams(seed, 0)
    plans = select_communes(rng, province, parcels)
    parts = _slices(plans, slice_parcels)
    admin_units = admin_units_for_province(province)
    ids = IdSpace()
    counts: Counter = Counter()
    base: Counter = Counter()
    writer = _Writer(Path(out_dir))
    try:
        for k, part in enumerate(parts):
            n = sum(p.n_parcels for p in part)
            result, b = _generate_part(part, n, seed, k, province, prov, zone, cfg, ids,
                                       admin_units, None)
            writer.add(result)
            counts.update(result.counts)
            base.update(b)
            del result
            if progress is not None:
                progress("slices", k + 1, len(parts))
    except BaseException:
        writer.abort()
        raise
    counts["communes"] = len(plans)
    counts = dict(counts)
    files = writer.finish(_summary(parcels, seed, province, prov, zone, cfg, counts, dict(base)))
    return SynthSummary(out_dir=Path(out_dir), counts=counts, files=files)
