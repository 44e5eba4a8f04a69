"""The model of the probabilistic stage: level labels agree with Splink's gamma values, the guard
against a collapsed training, training without a single label, and the scoring query."""

from __future__ import annotations

import math

import duckdb
import pytest
from splink.backends.duckdb import DuckDBAPI

from datdai.matching.comparisons import DUCKDB, FIELD_NAMES, levels_of
from datdai.matching.model import Model, _floored, _sane, gamma_level
from datdai.matching.normalise import normalise_owners, normalise_population
from tests.matching.people import as_owner, register


def test_gamma_values_map_to_the_level_labels():
    birth = levels_of("birth")
    assert gamma_level("birth", len(birth) - 1) == "date" and gamma_level("birth", 0) == "other"
    assert gamma_level("name", -1) == "null"
    assert [gamma_level("gender", g) for g in (1, 0)] == ["same", "other"]


def test_the_guard_refuses_a_collapsed_training():
    u = {"same": 0.5, "other": 0.5}
    assert _sane({"same": 0.97, "other": 0.03}, u)
    # "matches" that disagree as often as random pairs: the training found something else
    assert not _sane({"same": 0.4, "other": 0.6}, u)
    u3 = {"date": 0.0001, "year": 0.01, "other": 0.9899}
    assert not _sane({"date": 0.02, "year": 0.03, "other": 0.95}, u3)
    assert _sane({"date": 0.9, "year": 0.05, "other": 0.05}, u3)


def test_floored_m_sum_to_one_and_are_never_zero():
    m = _floored({"a": 1.0, "b": 0.0, "c": float("nan")})
    assert math.isclose(sum(m.values()), 1.0) and min(m.values()) > 0


def _tables(con, crowd, owner_rows):
    """``mo``/``mp`` as the matcher builds them, from normalised rows (no ID stage)."""
    import pyarrow as pa

    from datdai.matching.backends import DuckDBBackend
    from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS
    from datdai.matching.match import _model_tables

    o = normalise_owners(pa.table({c: pa.array([r.get(c, "") for r in owner_rows], pa.string())
                                   for c in OWNER_COLUMNS}))
    p = normalise_population(pa.table({c: pa.array([r.get(c, "") for r in crowd], pa.string())
                                       for c in POPULATION_COLUMNS}))
    be = DuckDBBackend()
    be.con = con
    be.put("q", pa.table({"so_dinh_danh": pa.array([], pa.string()),
                          "so_cmnd": pa.array([], pa.string())}))
    _model_tables(be, o, p)
    return be


@pytest.fixture(scope="module")
def trained():
    crowd = register(2000, seed=3)
    owner_rows = [dict(as_owner(c), ma_dong=f"D{k}") for k, c in enumerate(crowd[:600])]
    con = duckdb.connect()
    be = _tables(con, crowd, owner_rows)
    model = Model(DuckDBAPI(connection=con), "mo", "mp", DUCKDB, len(crowd), be.create, be.scalar)
    training = model.train(None, 0, seed=1, em_rules=[("ho_ten", ("ho", "ten")),
                                                      ("nam_sinh_xa", ("nam", "a1_xa"))])
    yield model, training, con
    con.close()


def test_training_without_labels_learns_what_agreement_means(trained):
    model, training, _ = trained
    assert training.labels == 0 and not training.collapsed
    assert {s["rule"] for s in training.sessions if s["fields"]} == {"ho_ten", "nam_sinh_xa"}
    w = model.weights()
    assert w[("name", "exact_accent")] > 5 > w[("name", "surname")] and w[("name", "other")] < 0
    assert w[("birth", "year_only")] > 3 > w[("birth", "near")] and w[("birth", "other")] < 0
    assert w[("address", "same")] > w[("address", "province")]
    # the owners file has no ID number: the field compares nothing and says nothing
    assert "id" not in training.compared
    assert all(w[("id", lvl)] == 0.0 for lvl in levels_of("id"))
    assert all(w[(n, "null")] == 0.0 for n in FIELD_NAMES)


def test_scoring_gives_each_pair_its_levels_and_bits(trained):
    model, _, con = trained
    con.execute("CREATE OR REPLACE TABLE pairs AS SELECT 0::BIGINT AS uid_l, 0::BIGINT AS uid_r "
                "UNION ALL SELECT 0, 1")
    sql = model.scoring_sql("pairs", "mo", "mp", 2000, _frequency_tables(con))
    rows = {r[1]: r for r in con.execute(f"SELECT i, j, w, g_name, w_name, g_birth, w_birth, "
                                         f"g_address, g_id FROM ({sql})").fetchall()}
    same, other = rows[0], rows[1]
    assert same[3] == "exact_accent" and same[5] == "year_only" and same[7] == "same"
    assert same[8] == "null"
    assert same[2] > 10 > other[2]
    assert same[2] == pytest.approx(same[4] + same[6] + _rest(con, sql, 0))


def _frequency_tables(con) -> dict:
    from datdai.matching.comparisons import tf_families

    out = {}
    for _, key in tf_families():
        name = "tf_" + "_".join(key)
        cols = ", ".join(key)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {cols}, count(*) AS n FROM mp "
                    f"GROUP BY {cols}")
        out[key] = name
    return out


def _rest(con, sql, j) -> float:
    return con.execute(f"SELECT w_address + w_gender + w_id FROM ({sql}) WHERE j = {j}"
                       ).fetchall()[0][0]
