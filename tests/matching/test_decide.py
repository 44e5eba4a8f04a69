"""The decision arithmetic: a candidate's probability weighs its evidence against every other
candidate of the row and against the size of the register; the share of owners present in the
register is estimated from the same weights."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from datdai.matching.decide import estimate_pi, prior_bits, rank_candidates


def _ranked(weights: list[tuple[int, int, float]], n_citizens: int, n_owners: int):
    con = duckdb.connect()
    con.execute("CREATE TABLE scored (i BIGINT, j BIGINT, w DOUBLE, g_name VARCHAR)")
    con.executemany("INSERT INTO scored VALUES (?, ?, ?, 'exact')", weights)
    con.execute("CREATE TABLE p AS SELECT range AS j, 'x' || range AS ten_khoa, 1980 AS "
                "nam_sinh_nam FROM range(10)")
    pi = rank_candidates(con, n_citizens, n_owners)
    rows = con.execute("SELECT i, j, prob FROM ranked ORDER BY i, j").fetchall()
    con.close()
    return pi, {(i, j): p for i, j, p in rows}


def test_the_same_evidence_is_worth_less_in_a_larger_register():
    weights = [(0, 1, 20.0), (1, 2, 40.0), (2, 3, 40.0)]
    _, small = _ranked(weights, 50_000, 3)
    _, large = _ranked(weights, 5_000_000, 3)
    assert small[(0, 1)] > large[(0, 1)]
    assert small[(0, 1)] > 0.99 > large[(0, 1)]


def test_a_rival_with_nearly_the_same_weight_halves_the_probability():
    _, alone = _ranked([(0, 1, 40.0)], 10_000, 1)
    _, pair = _ranked([(0, 1, 40.0), (0, 2, 40.0)], 10_000, 1)
    assert alone[(0, 1)] == pytest.approx(1.0, abs=1e-6)
    assert pair[(0, 1)] == pytest.approx(0.5, abs=1e-3)


def test_pi_is_the_share_of_owners_with_a_strong_candidate():
    strong = np.full(80, 40.0)
    assert estimate_pi(strong, 100, 10_000) == pytest.approx(0.8, abs=0.01)
    assert estimate_pi(np.array([]), 10, 10_000) == pytest.approx(0.01)
    # weak candidates only: few owners are taken to be present
    assert estimate_pi(np.full(100, 2.0), 100, 10_000) < 0.05


def test_prior_bits_grow_with_the_register():
    assert prior_bits(5_000_000, 0.5) - prior_bits(5_000, 0.5) == pytest.approx(np.log2(1000))
    assert prior_bits(10_000, 0.9) < prior_bits(10_000, 0.5)
