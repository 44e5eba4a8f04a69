"""Synthetic deliveries with injected defects, written once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from datdai.synth import NoiseConfig, run

# Rare defects boosted so that every rule meets enough cases to measure a 98 % recall.
BOOSTED = dict(geom_bowtie=0.01, geom_degenerate=0.008, overlap=0.01, overlap_sliver=0.01,
               duplicate_parcel=0.008, missing_in_map=0.008, missing_in_register=0.008,
               id_duplicate=0.02, id_birth_mismatch=0.03, id_leading_zero=0.03,
               landuse_code_invalid=0.01, owner_mismatch=0.02)


@dataclass(frozen=True)
class Delivery:
    root: Path
    parcels: Path
    register: Path
    truth: Path
    province: str


def _make(tmp_path_factory, name: str, parcels: int, seed: int, province: str) -> Delivery:
    out = tmp_path_factory.mktemp(name)
    run(out, parcels=parcels, seed=seed, province=province, noise=NoiseConfig(**BOOSTED))
    return Delivery(out, out / "thua_dat.gpkg", out / "so_dia_chinh.csv", out / "truth", province)


@pytest.fixture(scope="session")
def delivery_bp(tmp_path_factory) -> Delivery:
    """Bình Phước (zone 106°15'), 6,000 parcels."""
    return _make(tmp_path_factory, "bp", 6000, 11, "Bình Phước")


@pytest.fixture(scope="session")
def delivery_other(tmp_path_factory) -> Delivery:
    """Another province, zone and seed: Thanh Hóa (105°00', a custom SRID), 4,000 parcels."""
    return _make(tmp_path_factory, "th", 4000, 23, "Thanh Hóa")


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory) -> Delivery:
    """1,500 parcels with boosted defects (Bình Phước)."""
    return _make(tmp_path_factory, "small", 1500, 5, "Bình Phước")
