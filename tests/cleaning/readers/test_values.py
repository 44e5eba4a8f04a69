import unicodedata

import pyarrow as pa
import pytest

from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.cleaning.readers.values import (
    area,
    as_string,
    commune_code,
    latin1_to_cp1252,
    map_scale,
    text,
    to_nfc,
    whole_number,
)


def rows(n):
    return pa.array(range(2, n + 2), pa.int64())


def test_whole_numbers_from_text_and_numbers():
    p = ProblemCollector()
    got = whole_number(pa.array(["12", " 012 ", "12.0", "7,00", "0"]), rows(5), "so_thua", p)
    assert got.to_pylist() == ["12", "12", "12", "7", "0"]
    assert whole_number(pa.array([3, 40], pa.int32()), rows(2), "so_to", p).to_pylist() == ["3", "40"]
    assert whole_number(pa.array([3.0, None]), rows(2), "x", p, allow_null=True).to_pylist() == ["3", None]
    assert len(p) == 0


def test_whole_number_problems_name_row_and_field():
    p = ProblemCollector()
    whole_number(pa.array(["1", "12a", "", None, "1.5", "-3"]), rows(6), "SO_THUA", p)
    assert [(x.row, x.field) for x in p.problems] == [(3, "SO_THUA"), (4, "SO_THUA"),
                                                       (5, "SO_THUA"), (6, "SO_THUA"),
                                                       (7, "SO_THUA")]
    assert "'12a'" in p.problems[0].message and "(trống)" in p.problems[1].message
    with pytest.raises(DeliveryError) as e:
        p.raise_if_any("a.csv", "x")
    assert "dòng 3, cột 'SO_THUA'" in str(e.value)


def test_problem_list_is_capped_but_counted():
    p = ProblemCollector(limit=3)
    whole_number(pa.array(["x"] * 10), rows(10), "so_to", p)
    assert len(p) == 10 and len(p.problems) == 3
    with pytest.raises(DeliveryError) as e:
        p.raise_if_any("a.csv", "bad")
    assert "7 lỗi khác" in str(e.value)


def test_commune_code_padding():
    got = commune_code(pa.array(["25195", " 1234 ", "1234.0", "", None, "XA01"]))
    assert got.to_pylist() == ["25195", "01234", "01234", None, None, "XA01"]
    assert commune_code(pa.array([1234, 25195])).to_pylist() == ["01234", "25195"]


def test_area_accepts_point_and_comma():
    p = ProblemCollector()
    got = area(pa.array(["123.4", "123,4", " 77 ", "", None, "1.234,5", "abc"]), rows(7), "DT", p)
    assert got.to_pylist() == [123.4, 123.4, 77.0, None, None, None, None]
    assert [x.row for x in p.problems] == [7, 8]


def test_map_scale():
    p = ProblemCollector()
    got = map_scale(pa.array(["500", "1:2000", "1/1000", "5000.0", "", "abc"]), rows(6), "tl", p)
    assert got.type == pa.int32()
    assert got.to_pylist() == [500, 2000, 1000, 5000, None, None]
    assert [x.row for x in p.problems] == [7]


def test_nfc_only_where_needed():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    got = to_nfc(pa.array(["abc", nfd, None, "Lê"]))
    assert got.to_pylist() == ["abc", "Nguyễn Văn Đức", None, "Lê"]
    assert text(pa.array(["", "x"])).to_pylist() == [None, "x"]


def test_floats_as_text_without_point_zero():
    assert as_string(pa.array([1.0, 2.5, None])).to_pylist() == ["1", "2.5", None]


def test_latin1_to_cp1252_view():
    got = latin1_to_cp1252(pa.array(["a\x89b\x81", "plain"]))
    assert got.to_pylist() == ["a‰b\x81", "plain"]
