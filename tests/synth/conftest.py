"""A small synthetic province, generated and written once per test session."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from datdai.synth import NoiseConfig, generate, write

N_PARCELS = 2500
SEED = 7


@dataclass
class Written:
    out: Path
    result: object
    counts: dict

    def csv(self, name: str) -> tuple[list[str], list[dict[str, str]]]:
        with open(self.out / name, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            return list(reader.fieldnames or []), rows

    def summary(self) -> dict:
        return json.loads((self.out / "truth/summary.json").read_text("utf-8"))

    def features(self) -> dict[str, np.ndarray]:
        table = pyogrio.read_arrow(self.out / "thua_dat.gpkg", layer="thua_dat")[1]
        cols = {name: table.column(name).to_numpy(zero_copy_only=False)
                for name in table.column_names}
        geom_col = [c for c in table.column_names if c not in
                    ("ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu")][0]
        cols["geometry"] = shapely.from_wkb(cols.pop(geom_col))
        return cols


@pytest.fixture(scope="session")
def province(tmp_path_factory) -> Written:
    out = tmp_path_factory.mktemp("synth")
    result = generate(parcels=N_PARCELS, seed=SEED)
    counts = write(result, out)
    return Written(out, result, counts)


@pytest.fixture(scope="session")
def clean_province(tmp_path_factory) -> Written:
    out = tmp_path_factory.mktemp("synth-clean")
    result = generate(parcels=1500, seed=3, noise=NoiseConfig.none())
    counts = write(result, out)
    return Written(out, result, counts)
