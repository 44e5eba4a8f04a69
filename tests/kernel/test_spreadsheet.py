"""Formula neutralisation (OWASP CSV injection): what gets a quote, what stays, and that our
readers get back exactly what was written."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datdai.kernel.spreadsheet import (
    is_formula_like,
    neutralise,
    neutralise_array,
    neutralise_table,
    restore,
    restore_array,
)

LINK = '=HYPERLINK("http://x","Bấm vào đây")'


@pytest.mark.parametrize("value, expected", [
    (LINK, "'" + LINK),
    ("+84 912 345 678", "'+84 912 345 678"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("'=x", "''=x"),
    ("-", "'-"),
    ("Nguyễn Văn A", "Nguyễn Văn A"),
    ("'abc", "'abc"),
    ("", ""),
    ("-12.5", "-12.5"),  # numbers are no formula
    ("+3", "+3"),
    ("-0,75", "-0,75"),
    ("-1e-3", "-1e-3"),
    (None, None),
    (-3.5, -3.5),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert restore(neutralise(value)) == value


def test_is_formula_like():
    assert is_formula_like(LINK) and is_formula_like("@x") and is_formula_like("-x")
    assert not is_formula_like("-12") and not is_formula_like("Lê") and not is_formula_like(5)


@given(st.text())
def test_round_trip(text):
    assert restore(neutralise(text)) == text
    assert not is_formula_like(neutralise(text))


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r'aĐ1.,e", max_size=6)),
                max_size=30))
def test_arrow_matches_python(values):
    arr = pa.array(values, pa.string())
    out = neutralise_array(arr).to_pylist()
    assert out == [neutralise(v) for v in values]
    assert restore_array(pa.array(out, pa.string())).to_pylist() == values


def test_table_keeps_numbers():
    t = pa.table({"ten": [LINK, "An"], "diem": pa.array([-3.5, 2.0])})
    out = neutralise_table(t)
    assert out["ten"].to_pylist() == ["'" + LINK, "An"]
    assert out["diem"].type == pa.float64() and out["diem"].to_pylist() == [-3.5, 2.0]
