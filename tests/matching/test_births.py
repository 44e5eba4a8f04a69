"""Dates of birth in the forms files really carry: the order of day and month decided for the
column and said, ISO and compact dates, scanner slips, impossible dates kept as a year."""

from __future__ import annotations

import pyarrow as pa

from datdai.matching.births import read_births


def _read(values, notes=None):
    return [(r["nam"], r["thang"], r["ngay"]) for r in
            read_births(pa.array(values, pa.string()), "ngay_sinh", notes).to_pylist()]


def test_day_first_by_default_and_year_alone():
    notes: list[str] = []
    assert _read(["04/07/1988", "4/7/1988", "1950", "", None], notes) == [
        (1988, 7, 4), (1988, 7, 4), (1950, None, None), (None, None, None), (None, None, None)]
    assert notes == []  # the spec's form: nothing to say


def test_month_first_column_is_read_so_and_said():
    notes: list[str] = []
    got = _read(["07/04/1988", "12/25/1990", "01/13/1975"], notes)
    assert got == [(1988, 7, 4), (1990, 12, 25), (1975, 1, 13)]
    assert len(notes) == 1 and "mm/dd/yyyy" in notes[0] and "ngay_sinh" in notes[0]


def test_mixed_column_reads_each_value_the_only_way_it_can_be():
    notes: list[str] = []
    got = _read(["25/12/1990", "12/25/1990", "03/04/1980"], notes)
    assert got == [(1990, 12, 25), (1990, 12, 25), (1980, 4, 3)]
    assert "lẫn hai kiểu" in notes[0]


def test_iso_compact_and_scanner_slips():
    notes: list[str] = []
    got = _read(["1985-03-12", "19850312", "3o/03/|952", "12O3/1985"], notes)
    assert got[:3] == [(1985, 3, 12), (1985, 3, 12), (1952, 3, 30)]
    assert got[3][0] == 1985  # not date-like: the year alone
    assert any("yyyy-mm-dd" in n for n in notes) and any("yyyymmdd" in n for n in notes)


def test_a_date_that_does_not_exist_keeps_its_year():
    assert _read(["31/02/1970", "14/13/1952"]) == [(1970, None, None), (1952, None, None)]


def test_notes_count_rows_not_distinct_values():
    notes: list[str] = []
    _read(["12/25/1990"] * 5 + ["01/02/1980"], notes)
    assert "5 giá trị" in notes[0]
