"""Checks that a built set follows the file formats (``python bench/linkage/check.py DIR...``).

Errors: a header that is not exactly the spec's columns in order, a row with another number of
fields, an empty or repeated ``ma_dong`` / ``so_dinh_danh``, a ``so_dinh_danh`` that is not 12
digits, a ``to_so``/``so_thua`` that is not an integer, a ``dien_tich`` that is not a decimal, a
``gioi_tinh`` other than Nam/Nữ/empty, a truth file whose ``ma_dong`` are not the owners' (same
order) or whose ``so_dinh_danh`` is not in the population file, an empty ``nhom``.

Dates are counted, not refused: a noisy source keeps some invalid dates on purpose.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``linkage`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage.common import (  # noqa: E402
    OWNER_COLUMNS,
    OWNERS_FILE,
    POPULATION_COLUMNS,
    POPULATION_FILE,
    TRUTH_COLUMNS,
    TRUTH_FILE,
    parse_date,
    read_meta,
)

_INT = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_NUMBER = re.compile(r"\d{12}")
_YEAR = re.compile(r"\d{4}")


def _read(path: Path, columns: tuple[str, ...], errors: list[str]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if tuple(header) != columns:
            errors.append(f"{path.name}: header {header} is not {list(columns)}")
        rows = []
        for n, fields in enumerate(reader, start=2):
            if len(fields) != len(columns):
                errors.append(f"{path.name} row {n}: {len(fields)} fields")
                continue
            rows.append(dict(zip(columns, fields)))
    return rows


def _unique(rows: list[dict[str, str]], column: str, name: str, errors: list[str]) -> None:
    counts = Counter(r[column] for r in rows)
    if counts.get("", 0):
        errors.append(f"{name}: {counts['']} empty {column}")
    repeated = [v for v, c in counts.items() if c > 1 and v]
    if repeated:
        errors.append(f"{name}: {len(repeated)} repeated {column}, e.g. {repeated[:3]}")


def _bad_dates(values: list[str], layout: str) -> int:
    """Non-empty values that are neither a valid date of ``layout`` nor a four-digit year."""
    return sum(1 for v in values
               if v and not _YEAR.fullmatch(v) and parse_date(v, layout) is None)


def check_set(folder: Path) -> tuple[list[str], dict[str, object]]:
    """(errors, facts) of the set in ``folder``."""
    folder = Path(folder)
    errors: list[str] = []
    meta = read_meta(folder)
    owners = _read(folder / OWNERS_FILE, OWNER_COLUMNS, errors)
    citizens = _read(folder / POPULATION_FILE, POPULATION_COLUMNS, errors)
    truth = _read(folder / TRUTH_FILE, TRUTH_COLUMNS, errors)
    _unique(owners, "ma_dong", OWNERS_FILE, errors)
    _unique(citizens, "so_dinh_danh", POPULATION_FILE, errors)
    for column, pattern in (("to_so", _INT), ("so_thua", _INT), ("dien_tich", _DECIMAL)):
        bad = sum(1 for r in owners if not pattern.fullmatch(r[column]))
        if bad:
            errors.append(f"{OWNERS_FILE}: {bad} bad {column}")
    bad = sum(1 for r in citizens if not _NUMBER.fullmatch(r["so_dinh_danh"]))
    if bad:
        errors.append(f"{POPULATION_FILE}: {bad} so_dinh_danh not of 12 digits")
    bad = sum(1 for r in citizens if r["gioi_tinh"] not in ("", "Nam", "Nữ"))
    if bad:
        errors.append(f"{POPULATION_FILE}: {bad} bad gioi_tinh")
    if [r["ma_dong"] for r in truth] != [r["ma_dong"] for r in owners]:
        errors.append(f"{TRUTH_FILE}: ma_dong differ from the owners' (or their order)")
    numbers = {r["so_dinh_danh"] for r in citizens}
    unknown = sum(1 for r in truth if r["so_dinh_danh"] and r["so_dinh_danh"] not in numbers)
    if unknown:
        errors.append(f"{TRUTH_FILE}: {unknown} so_dinh_danh not in {POPULATION_FILE}")
    if any(not r["nhom"] for r in truth):
        errors.append(f"{TRUTH_FILE}: empty nhom")
    facts = {
        "owners": len(owners), "population": len(citizens), "truth": len(truth),
        "truth_with_citizen": sum(1 for r in truth if r["so_dinh_danh"]),
        "owners_with_id": sum(1 for r in owners if r["cccd_cmnd"] or r["so_giay_to"]),
        "nam_sinh_empty": sum(1 for r in owners if not r["nam_sinh"]),
        "nam_sinh_not_a_date": _bad_dates([r["nam_sinh"] for r in owners], "dd/mm/yyyy"),
        "ngay_sinh_empty": sum(1 for r in citizens if not r["ngay_sinh"]),
        "ngay_sinh_not_a_date": _bad_dates([r["ngay_sinh"] for r in citizens],
                                           meta.get("population_date_format", "dd/mm/yyyy")),
        "groups": dict(sorted(Counter(r["nhom"] for r in truth).items())),
    }
    return errors, facts


if __name__ == "__main__":
    failed = False
    for arg in sys.argv[1:]:
        errs, info = check_set(Path(arg))
        print(f"{arg}: {'OK' if not errs else 'ERRORS'} {info}")
        for e in errs:
            print("  " + e)
        failed |= bool(errs)
    sys.exit(1 if failed else 0)
