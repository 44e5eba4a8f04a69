"""The result file as written by ``datdai reconcile``: the register's values in the spec's forms,
whatever forms the extract used."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS
from datdai.matching.match import KHOP
from datdai.matching.reconcile_results import parse_birth
from datdai.matching.result import reconcile_files
from tests.matching.people import as_owner, register

CROWD = register(1500, seed=11)


def _write(path, columns, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


@pytest.mark.parametrize("form", ["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"])
def test_birth_dates_come_back_as_dd_mm_yyyy_whatever_the_extract_wrote(tmp_path, form):
    """An extract writing ISO or month-first dates is read as such (and said); the result file
    gives the birth date as the spec writes it, so that recording the result reads it right."""
    people = []
    for c in CROWD:  # days above 12: a month-first file is told from a day-first one
        day, month, year = (int(x) for x in c["ngay_sinh"].split("/"))
        born = dt.date(year, month, max(day, 13))
        people.append(dict(c, ngay_sinh=born.strftime(form), dung=born.strftime("%d/%m/%Y")))
    _write(tmp_path / "dan_cu.csv", POPULATION_COLUMNS, people)
    owners = [dict(as_owner(c, nam_sinh=c["dung"][-4:]), ma_dong=f"D{k}", cccd_cmnd=c["so_dinh_danh"],
                   loai_giay_to="CCCD") for k, c in enumerate(people[:300])]
    _write(tmp_path / "chu_su_dung.csv", OWNER_COLUMNS, owners)
    result = reconcile_files(tmp_path / "chu_su_dung.csv", tmp_path / "dan_cu.csv",
                             tmp_path / "ket_qua.csv")
    with open(tmp_path / "ket_qua.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    truth = {f"D{k}": c["dung"] for k, c in enumerate(people[:300])}
    matched = [r for r in rows if r["ket_qua"] == KHOP]
    assert len(matched) >= 290
    assert all(r["ngay_sinh_chuan"] == truth[r["ma_dong"]] for r in matched)
    assert all(parse_birth(r["ngay_sinh_chuan"])[0] == dt.datetime.strptime(
        truth[r["ma_dong"]], "%d/%m/%Y").date() for r in matched)
    if form != "%d/%m/%Y":
        assert any("ngay_sinh" in n for n in result.notes)


def test_a_birth_year_alone_comes_back_as_the_year(tmp_path):
    people = [dict(c, ngay_sinh=c["ngay_sinh"][-4:]) for c in CROWD]
    _write(tmp_path / "dan_cu.csv", POPULATION_COLUMNS, people)
    owners = [dict(as_owner(c), ma_dong=f"D{k}", cccd_cmnd=c["so_dinh_danh"], loai_giay_to="CCCD")
              for k, c in enumerate(people[:50])]
    _write(tmp_path / "chu_su_dung.csv", OWNER_COLUMNS, owners)
    reconcile_files(tmp_path / "chu_su_dung.csv", tmp_path / "dan_cu.csv", tmp_path / "kq.csv")
    with open(tmp_path / "kq.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ket_qua"] == KHOP]
    assert len(rows) >= 45
    assert all(r["ngay_sinh_chuan"] == people[int(r["ma_dong"][1:])]["ngay_sinh"] for r in rows)
