"""pseudopeople's simulated census against its simulated social-security register, in our formats.

pseudopeople (IHME) ships a small sample population (one fictional US county, ~10,000
simulants) and adds realistic noise when it generates a data set (typos, OCR and phonetic
errors, nicknames, swapped digits, missing values, people counted twice). Both data sets
carry the hidden ``simulant_id``, which gives the truth.

* owners (``chu_su_dung.csv``) ← the 2020 decennial census: name, date of birth, address; no ID
  numbers, no gender (the owners' format has none). ``ho_ten`` is "last middle_initial first"
  (the Vietnamese order: surname, middle name, given name) with the default
  ``name_order="mixed"``; ``nam_sinh`` is the census' mm/dd/yyyy written as dd/mm/yyyy (the
  parts of a noisy invalid date such as 07/71/1958 are moved as they are: 71/07/1958, see
  :func:`linkage.common.reshape_date`); ``dia_chi_chu`` is "street_number street_name
  unit, city, state zipcode"; ``tinh`` ← state, ``xa`` ← city;
* population (``dan_cu.csv``) ← the social-security register up to 2020, one row per simulant
  (its ``creation`` event when it has one, else its earliest event): ``ho_ten`` "first middle
  last" (Western order) by default, ``gioi_tinh`` Nam/Nữ, ``ngay_sinh`` dd/mm/yyyy or
  ``--population-date-format`` (``yyyy-mm-dd`` / ``mm/dd/yyyy``, for bad-input tests; noisy
  invalid dates moved part by part the same way); no
  address (``thuong_tru``, ``noi_o_hien_tai`` empty); the SSN is dropped; ``so_dinh_danh`` is a
  deterministic CCCD-shaped number from the simulant id (:class:`linkage.common.CitizenNumbers`);
* ``truth.csv`` — the citizen of the census row's simulant, empty when the simulant has no
  social-security record (``nhom`` ``absent``); otherwise ``nhom`` says which of ``name``
  (first or last name) and ``dob`` differ between the two noisy records, or ``clean``.

Runs in a separate venv that has pseudopeople (its sample data needs no download)::

    python3 -m venv /work/pp-venv && /work/pp-venv/bin/pip install pseudopeople
    /work/pp-venv/bin/python bench/linkage/census.py --out /work/linkage-data/census
"""

from __future__ import annotations

import argparse
import os
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
    reshape_date,
    write_csv,
    write_meta,
)

GENDERS = {"Male": "Nam", "Female": "Nữ"}


def one_per_simulant(ssa):
    """The social-security records, one per simulant: its creation event, else the earliest."""
    ssa = ssa.assign(_not_creation=(ssa["event_type"].astype(object) != "creation"),
                     _order=range(len(ssa)))
    ssa = ssa.sort_values(["_not_creation", "event_date", "_order"], na_position="last")
    return ssa.drop_duplicates("simulant_id", keep="first").sort_values("_order")


def census_address(rec: dict) -> str:
    return join_parts((join_parts((rec["street_number"], rec["street_name"], rec["unit_number"])),
                       rec["city"], join_parts((rec["state"], rec["zipcode"]))), sep=", ")


def _dob_key(text: object, layout: str) -> str:
    parsed = parse_date(clean(text), layout)
    return parsed.isoformat() if parsed else "raw:" + clean(text)


def differences(census_rec: dict, ssa_rec: dict) -> str:
    kinds = []
    if (clean(census_rec["first_name"]), clean(census_rec["last_name"])) != (
            clean(ssa_rec["first_name"]), clean(ssa_rec["last_name"])):
        kinds.append("name")
    if _dob_key(census_rec["date_of_birth"], "mm/dd/yyyy") != _dob_key(ssa_rec["date_of_birth"],
                                                                        "yyyymmdd"):
        kinds.append("dob")
    return difference_group(kinds)


def build_census(out_dir: Path, name_order: str = "mixed",
                 population_date_format: str = "dd/mm/yyyy", seed: int = 0) -> Path:
    """Generate the two noisy data sets from pseudopeople's sample data (``seed`` fixes the
    noise) and write the set into ``out_dir``. Returns ``out_dir``."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # pseudopeople's progress bars
    import pseudopeople as psp

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    owner_order, citizen_order = name_orders(name_order)
    census = psp.generate_decennial_census(seed=seed, verbose=False)
    ssa_all = psp.generate_social_security(seed=seed, verbose=False)
    ssa = one_per_simulant(ssa_all)

    numbers = CitizenNumbers()
    citizens, by_simulant = [], {}
    for rec in ssa.to_dict("records"):
        born = parse_date(clean(rec["date_of_birth"]), "yyyymmdd")
        gender = GENDERS.get(clean(rec["sex"]), "")
        number = numbers.allocate(clean(rec["simulant_id"]), born.year if born else None, gender)
        by_simulant[clean(rec["simulant_id"])] = (rec, number)
        citizens.append({
            "so_dinh_danh": number,
            "ho_ten": full_name(rec["first_name"], rec["last_name"], citizen_order,
                                middle=rec["middle_name"]),
            "gioi_tinh": gender,
            "ngay_sinh": reshape_date(rec["date_of_birth"], "yyyymmdd", population_date_format),
        })

    owners, truth = [], []
    for i, rec in enumerate(census.to_dict("records"), start=1):
        ma_dong = f"C-{i:05d}"
        owners.append({
            "ma_dong": ma_dong, "tinh": clean(rec["state"]), "xa": clean(rec["city"]),
            **parcel(f"{rec['simulant_id']}|{rec['household_id']}"),
            "ho_ten": full_name(rec["first_name"], rec["last_name"], owner_order,
                                middle=rec["middle_initial"]),
            "nam_sinh": reshape_date(rec["date_of_birth"], "mm/dd/yyyy", "dd/mm/yyyy"),
            "dia_chi_chu": census_address(rec),
        })
        match = by_simulant.get(clean(rec["simulant_id"]))
        truth.append({"ma_dong": ma_dong, "so_dinh_danh": match[1] if match else "",
                      "nhom": differences(rec, match[0]) if match else "absent"})

    write_csv(out_dir / OWNERS_FILE, OWNER_COLUMNS, owners)
    write_csv(out_dir / POPULATION_FILE, POPULATION_COLUMNS, citizens)
    write_csv(out_dir / TRUTH_FILE, TRUTH_COLUMNS, truth)
    write_meta(out_dir, {
        "set": "census", "source": f"pseudopeople {psp.__version__} sample data:"
                                   " decennial_census (2020) × social_security (to 2020)",
        "seed": seed, "name_order": name_order, "owners_name_order": owner_order,
        "population_name_order": citizen_order, "owners_date_format": "dd/mm/yyyy",
        "population_date_format": population_date_format,
        "address_both_sides": False, "gender_both_sides": False,
        "owners": len(owners), "population": len(citizens),
        "social_security_records": len(ssa_all),
        "files": [OWNERS_FILE, POPULATION_FILE, TRUTH_FILE, META_FILE]})
    return out_dir


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="folder to write the set into")
    ap.add_argument("--name-order", default="mixed",
                    choices=["mixed", "vietnamese", "western", "swapped"])
    ap.add_argument("--population-date-format", default="dd/mm/yyyy",
                    choices=["dd/mm/yyyy", "yyyy-mm-dd", "mm/dd/yyyy"])
    ap.add_argument("--seed", type=int, default=0, help="pseudopeople's noise seed")
    args = ap.parse_args(argv)
    out = build_census(args.out, args.name_order, args.population_date_format, args.seed)
    print(out)


if __name__ == "__main__":
    main()
