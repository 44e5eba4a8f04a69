"""The Splink model of the probabilistic stage: level labels agree with Splink's gamma values,
small files fall back to the default weights, and the blocked pairs registered are exactly the
pairs scored."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from splink.backends.duckdb import DuckDBAPI

from datdai.reconcile.model import DEFAULT_WEIGHTS, LEVELS, MODEL_COLUMNS, Model, gamma_level


def _people(rows: list[dict]) -> pa.Table:
    cols = {c: [r.get(c) for r in rows] for c in MODEL_COLUMNS}
    types = {"uid": pa.int64(), "nam_sinh_nam": pa.int32()}
    return pa.table({c: pa.array(v, types.get(c, pa.string())) for c, v in cols.items()})


AN = {"ten_khoa": "nguyen van an", "ho": "nguyen", "ten": "an", "nam_sinh_nam": 1980,
      "ngay_sinh_day": "1980-05-06", "gioi_tinh": "Nam", "xa_moi": "25195", "thon": "ap 3"}


@pytest.fixture
def model():
    con = duckdb.connect()
    owners = _people([dict(AN, uid=0), dict(AN, uid=1, ten_khoa="nguyen van anh", ten="anh",
                                              nam_sinh_nam=1979, ngay_sinh_day=None)])
    citizens = _people([dict(AN, uid=0, xa_moi_hien_tai="25195", thon_hien_tai="ap 3"),
                        dict(AN, uid=1, ten_khoa="le thi hoa", ho="le", ten="hoa",
                             gioi_tinh="Nữ", nam_sinh_nam=1990, ngay_sinh_day="1990-01-01",
                             xa_moi="25201", thon="ap 1")])
    con.register("o_arrow", owners)
    con.register("p_arrow", citizens)
    con.execute("CREATE TABLE o AS SELECT * FROM o_arrow")
    con.execute("CREATE TABLE p AS SELECT * FROM p_arrow")
    con.execute("CREATE TABLE pairs AS SELECT o.uid AS uid_l, p.uid AS uid_r FROM o, p")
    con.execute("CREATE TABLE labels AS SELECT 0::BIGINT AS uid_l, 0::BIGINT AS uid_r")
    m = Model(DuckDBAPI(connection=con), "o", "p",
              lambda name, sql: con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}"))
    yield m, con
    con.close()


def test_gamma_values_map_to_the_level_labels():
    assert gamma_level("birth", 3) == "date" and gamma_level("birth", 0) == "other"
    assert gamma_level("name", -1) == "null"
    assert [gamma_level("commune", g) for g in (2, 1, 0)] == list(LEVELS["commune"])


def test_too_few_labels_give_the_default_weights(model):
    m, _ = model
    m.train("labels", 1, seed=1)
    weights = m.weights()
    for key, w in DEFAULT_WEIGHTS.items():
        assert weights[key] == pytest.approx(w)
    assert all(weights[(name, "null")] == 0.0 for name in LEVELS)


def test_predict_scores_exactly_the_registered_pairs(model):
    m, con = model
    m.train("labels", 1, seed=1)
    name = m.predict("pairs").physical_name
    rows = con.execute(f"""SELECT uid_l, uid_r, match_weight, gamma_name, gamma_birth,
        gamma_commune FROM {name} ORDER BY uid_l, uid_r""").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    same = rows[0]
    # name exact, given same, birth date, commune village, gender same: the defaults' sum
    expected = sum(DEFAULT_WEIGHTS[k] for k in [("name", "exact"), ("given", "same"),
                                                ("birth", "date"), ("commune", "village"),
                                                ("gender", "same")])
    assert same[2] == pytest.approx(expected)
    assert (gamma_level("name", same[3]), gamma_level("birth", same[4]),
            gamma_level("commune", same[5])) == ("exact", "date", "village")
    anh = rows[2]  # "Nguyễn Văn Anh" 1979 against "Nguyễn Văn An" 1980
    assert (gamma_level("name", anh[3]), gamma_level("birth", anh[4])) == ("fuzzy", "near")
    assert rows[1][2] < 0 and rows[3][2] < 0
