"""One DuckDB engine per test module: the rule tests run many tiny deliveries."""

from __future__ import annotations

import pytest

from datdai.compute import open_engine


@pytest.fixture(scope="module")
def eng():
    with open_engine("duckdb") as engine:
        yield engine
