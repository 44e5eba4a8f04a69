"""A small synthetic delivery, written once per test process."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def synth_delivery(tmp_path_factory):
    from datdai import synth

    out = tmp_path_factory.mktemp("giao-nop")
    synth.run(out, parcels=300, seed=7)
    return out
