"""The Spark engine runs the same preparation and rule SQL as DuckDB, with the same findings."""

from __future__ import annotations

import shutil

import pytest

from datdai.cleaning.check import read_delivery
from datdai.cleaning.runner import run_rules
from datdai.compute import open_engine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Apache Spark needs a Java runtime"),
]


@pytest.fixture(scope="module")
def spark():
    eng = open_engine("spark")
    yield eng
    eng.close()


def _rows(table):
    return sorted(tuple("" if v is None else str(v) for v in r.values()) for r in table.to_pylist())


def test_spark_gives_the_same_findings_as_duckdb(spark, small_delivery):
    d = read_delivery(small_delivery.parcels, small_delivery.register)
    with open_engine("duckdb") as duck:
        expected = run_rules(d.parcels.table, d.register.table, engine=duck)
    got = run_rules(d.parcels.table, d.register.table, engine=spark)
    assert got.findings.num_rows > 50
    assert got.count_by_rule() == expected.count_by_rule()
    assert _rows(got.findings) == _rows(expected.findings)
