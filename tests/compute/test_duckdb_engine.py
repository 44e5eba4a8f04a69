import pyarrow as pa
import pytest

from datdai.compute import open_engine


@pytest.fixture
def eng():
    with open_engine("duckdb", workers=2) as e:
        yield e


def test_map_groups_never_cuts_a_group(eng):
    keys = [k for k in range(7) for _ in range(k + 1)]  # groups of 1..7 rows
    eng.put("t", pa.table({"k": keys, "v": list(range(len(keys)))}))
    seen = []

    def fn(part: pa.Table) -> pa.Table:
        ks = part["k"].to_pylist()
        seen.append(sorted(set(ks)))
        return pa.table({"k": sorted(set(ks)), "n": [ks.count(k) for k in sorted(set(ks))]})

    schema = pa.schema([("k", pa.int64()), ("n", pa.int64())])
    eng.map_groups("t", "k", fn, schema, "out")
    got = dict(zip(*(eng.query("SELECT k, n FROM out ORDER BY k")[c].to_pylist() for c in "kn")))
    assert got == {k: k + 1 for k in range(7)}
    assert len(seen) == 2  # one part per worker
    assert not set(seen[0]) & set(seen[1])


def test_dialect_functions(eng):
    d = eng.dialect
    eng.put("s", pa.table({"x": ["a.b.c", "b", "a.b.c"]}))
    r = eng.query(f"SELECT {d.regex_replace('x', '[.]', '-')} AS y, {d.regex_match('x', 'b$')} AS m"
                  " FROM s ORDER BY x")
    assert r["y"].to_pylist() == ["a-b-c", "a-b-c", "b"]
    assert r["m"].to_pylist() == [False, False, True]
    j = eng.query(f"SELECT {d.join_distinct('x', ';')} AS j FROM s")
    assert j["j"][0].as_py() == "a.b.c;b"


def test_create_and_count(eng):
    eng.put("s", pa.table({"x": [1, 2, 3]}))
    eng.create("big", "SELECT x FROM s WHERE x > 1")
    assert eng.count("big") == 2
