from __future__ import annotations

import pytest

from datdai.synth import NoiseConfig, run
from tests.quality.conftest import BOOSTED, Delivery


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory) -> Delivery:
    out = tmp_path_factory.mktemp("small")
    run(out, parcels=1500, seed=5, province="Bình Phước", noise=NoiseConfig(**BOOSTED))
    return Delivery(out, out / "thua_dat.gpkg", out / "so_dia_chinh.csv", out / "truth",
                    "Bình Phước")
