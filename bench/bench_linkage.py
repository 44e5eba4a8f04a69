"""Benchmark: ``datdai`` reconciliation against a plain Splink model, on public person-linkage sets.

The sets (``bench/linkage``) are FEBRL dataset 4 (``febrl4``: 5,000 owners × 5,000 citizens),
FEBRL dataset 3 split into duplicates × originals (``febrl3``) and pseudopeople's simulated
census × social-security register (``census``). None carries an ID number, so both matchers
link on name, date of birth and (FEBRL) address only.

* ours: ``datdai.matching.result.reconcile_files(owners, population, out)``, timed; KHOP rows
  count as matches, CAN_XAC_MINH as sent to review;
* Splink 5 (DuckDB, link_only) with plain settings: first name and surname
  (``NameComparison``), date of birth (``DateOfBirthComparison`` on an ISO string), address
  (``JaccardAtThresholds``, or ``LevenshteinAtThresholds`` with ``--address-comparison``) and
  postcode (``ExactMatch``) when both files have an address;
  predictions blocked on surname, first name, date of birth; u by random sampling, m by EM on
  two blocking rules (first name + surname, date of birth). Each owner row takes its best
  candidate; it is a match at p ≥ 0.5 (resp. 0.99). Splink is told how the converter wrote the
  names and dates (``meta.json``: name order, date layout); our matcher is not.

    .venv/bin/python bench/bench_linkage.py --set febrl4
    .venv/bin/python bench/bench_linkage.py --set all --data-dir /work/linkage-data

With ``--data-dir DIR`` each set lives in ``DIR/<set>``; a folder that already holds the set is
used as it is (``--rebuild`` writes it again). ``census`` is built by running
``bench/linkage/census.py`` with ``--pp-python`` (a venv that has pseudopeople). The result
files are left in the set's folder (``ket_qua_doi_soat.csv``, ``ket_qua_splink_p050.csv``,
``ket_qua_splink_p099.csv``).
"""

from __future__ import annotations

import argparse
import logging
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage.check import check_set  # noqa: E402
from linkage.common import (  # noqa: E402
    GIVEN_FIRST,
    OWNERS_FILE,
    POPULATION_FILE,
    SURNAME_FIRST,
    TRUTH_FILE,
    read_meta,
    write_csv,
)
from linkage.metrics import KHONG_KHOP, KHOP, format_score, score  # noqa: E402

SETS = ("febrl4", "febrl3", "census")
THRESHOLDS = (0.5, 0.99)
RESULT_COLUMNS = ("ma_dong", "ket_qua", "so_dinh_danh", "diem", "ly_do")
CENSUS_SCRIPT = Path(__file__).resolve().parent / "linkage" / "census.py"


# --- the sets -------------------------------------------------------------------------------------

def _complete(folder: Path) -> bool:
    return all((folder / f).is_file() for f in (OWNERS_FILE, POPULATION_FILE, TRUTH_FILE))


def ensure_set(name: str, folder: Path, rebuild: bool, pp_python: Path) -> float:
    """Build the set into ``folder`` unless it is there; returns the seconds spent."""
    if _complete(folder) and not rebuild:
        return 0.0
    t0 = time.perf_counter()
    if name == "febrl4":
        from linkage.febrl import build_febrl4

        build_febrl4(folder)
    elif name == "febrl3":
        from linkage.febrl import build_febrl_dedup

        build_febrl_dedup(folder)
    elif name == "census":
        if not pp_python.is_file():
            raise SystemExit(f"census: {pp_python} not found; make a venv with pseudopeople"
                             f" (see {CENSUS_SCRIPT}) or pass --data-dir with a built set")
        subprocess.run([str(pp_python), str(CENSUS_SCRIPT), "--out", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        raise ValueError(name)
    return time.perf_counter() - t0


# --- ours -----------------------------------------------------------------------------------------

def run_ours(folder: Path) -> tuple[float, dict | None, str | None]:
    """(seconds, scores, error) of ``reconcile_files`` on the set (read, normalise, match,
    write; the import of the package is not timed)."""
    out = folder / "ket_qua_doi_soat.csv"
    t0 = time.perf_counter()
    try:
        from datdai.matching.result import reconcile_files

        t0 = time.perf_counter()
        reconcile_files(folder / OWNERS_FILE, folder / POPULATION_FILE, out)
    except Exception as exc:  # the matcher is work in progress: report, go on with Splink
        traceback.print_exc(limit=3)
        return time.perf_counter() - t0, None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    return seconds, score(out, folder / TRUTH_FILE), None


# --- Splink baseline ------------------------------------------------------------------------------

_DATE_SHAPES = {
    "dd/mm/yyyy": re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),
    "mm/dd/yyyy": re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    "yyyy-mm-dd": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
}
_YYYYMMDD = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_POSTCODE = re.compile(r"\b(\d{4,5})$")


def iso_date(text: str, layout: str) -> str | None:
    """``yyyy-mm-dd`` of a date written as ``layout`` (or the yyyymmdd the FEBRL converter
    keeps when a date is invalid), not validated, so that a typo still compares as a string."""
    text = (text or "").strip()
    m = _DATE_SHAPES[layout].match(text) or _YYYYMMDD.match(text)
    if m is None:
        return None
    return f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"


def split_name(full: str, order: str) -> tuple[str | None, str | None]:
    """(first name, surname) of a name written in ``order``; a lone word is the surname (the
    same rule on both sides, so a pair with a missing part still compares alike)."""
    words = (full or "").lower().split()
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    if order == SURNAME_FIRST:
        return words[-1], words[0]
    if order == GIVEN_FIRST:
        return words[0], words[-1]
    raise ValueError(order)


def splink_frame(path: Path, id_col: str, name_order: str, date_col: str, date_layout: str,
                 address_col: str):
    """The Splink input of one file: unique_id, first_name, surname, dob, address, postcode."""
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    names = [split_name(v, name_order) for v in df["ho_ten"]]
    address = df[address_col].str.lower().str.strip().replace("", None)
    postcode = address.str.extract(_POSTCODE, expand=False)
    return pd.DataFrame({
        "unique_id": df[id_col], "first_name": [n[0] for n in names],
        "surname": [n[1] for n in names],
        "dob": [iso_date(v, date_layout) for v in df[date_col]],
        "address": address, "postcode": postcode.where(postcode.notna(), None),
    })


def run_splink(folder: Path, meta: dict, address_comparison: str = "jaccard",
               u_pairs: float = 5e6) -> tuple[float, dict[float, dict], dict]:
    """(seconds, scores per threshold, model facts) of the plain Splink model on the set.
    ``address_comparison`` is ``jaccard`` (DuckDB's jaccard of the character sets, fast) or
    ``levenshtein`` (edit distance, ~25 s per million u pairs on the FEBRL addresses)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    owners = splink_frame(folder / OWNERS_FILE, "ma_dong", meta.get("owners_name_order",
                          SURNAME_FIRST), "nam_sinh", "dd/mm/yyyy", "dia_chi_chu")
    citizens = splink_frame(folder / POPULATION_FILE, "so_dinh_danh",
                            meta.get("population_name_order", GIVEN_FIRST), "ngay_sinh",
                            meta.get("population_date_format", "dd/mm/yyyy"), "thuong_tru")
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d",
                                 invalid_dates_as_null=False),
    ]
    with_address = owners["address"].notna().any() and citizens["address"].notna().any()
    if with_address:
        comparisons.append(cl.LevenshteinAtThresholds("address", [3, 8])
                           if address_comparison == "levenshtein"
                           else cl.JaccardAtThresholds("address", [0.9, 0.7]))
        if owners["postcode"].notna().any() and citizens["postcode"].notna().any():
            comparisons.append(cl.ExactMatch("postcode"))
    prior = 1.0 / max(len(owners), len(citizens))  # one citizen at most per owner row
    settings = SettingsCreator(
        link_type="link_only", unique_id_column_name="unique_id", comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on("surname"), block_on("first_name"),
                                                block_on("dob")],
        probability_two_random_records_match=prior,
        retain_matching_columns=False, retain_intermediate_calculation_columns=False)
    db = DuckDBAPI()
    linker = Linker([db.register(owners, dataset_display_name="a_owners"),
                     db.register(citizens, dataset_display_name="b_population")],
                    settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=min(THRESHOLDS))
    pairs = pred.as_pandas_dataframe()
    n_pairs = len(pairs)
    # owners are the left side (their source name sorts first); swap any row that is not
    left_is_owner = pairs["source_dataset_l"] == "a_owners"
    owner_id = pairs["unique_id_l"].where(left_is_owner, pairs["unique_id_r"])
    citizen_id = pairs["unique_id_r"].where(left_is_owner, pairs["unique_id_l"])
    pairs = pairs.assign(ma_dong=owner_id, so_dinh_danh=citizen_id)
    best = (pairs.sort_values(["ma_dong", "match_probability", "so_dinh_danh"],
                              ascending=[True, False, True])
            .drop_duplicates("ma_dong").set_index("ma_dong"))
    seconds = time.perf_counter() - t0
    scores = {}
    for threshold in THRESHOLDS:
        rows = []
        for ma_dong in owners["unique_id"]:
            hit = best.loc[ma_dong] if ma_dong in best.index else None
            ok = hit is not None and hit["match_probability"] >= threshold
            rows.append({"ma_dong": ma_dong, "ket_qua": KHOP if ok else KHONG_KHOP,
                         "so_dinh_danh": hit["so_dinh_danh"] if ok else "",
                         "diem": f"{hit['match_probability']:.6f}" if hit is not None else "",
                         "ly_do": "splink"})
        write_csv(folder / f"ket_qua_splink_p{round(threshold * 100):03d}.csv", RESULT_COLUMNS,
                  rows)
        scores[threshold] = score(rows, folder / TRUTH_FILE)
    facts = {"pairs_p_ge_min": n_pairs, "address": bool(with_address),
             "comparisons": [c.create_output_column_name() for c in comparisons]}
    return seconds, scores, facts


# --- report ---------------------------------------------------------------------------------------

def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="febrl4", choices=[*SETS, "all"])
    ap.add_argument("--data-dir", type=Path, help="folder of the sets (default: a temp dir)")
    ap.add_argument("--rebuild", action="store_true", help="write the sets again")
    ap.add_argument("--pp-python", type=Path, default=Path("/work/pp-venv/bin/python"),
                    help="python of a venv with pseudopeople, to build the census set")
    ap.add_argument("--skip-ours", action="store_true")
    ap.add_argument("--skip-splink", action="store_true")
    ap.add_argument("--per-group", action="store_true", help="scores per truth group (nhom)")
    ap.add_argument("--address-comparison", default="jaccard", choices=["jaccard", "levenshtein"],
                    help="Splink's address comparison")
    ap.add_argument("--u-pairs", type=float, default=5e6,
                    help="random pairs for Splink's u probabilities")
    args = ap.parse_args(argv)

    names = SETS if args.set == "all" else (args.set,)
    tmp = None
    if args.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-linkage-")
        base = Path(tmp.name)
    else:
        base = args.data_dir
    table = []
    try:
        for name in names:
            folder = base / name
            built = ensure_set(name, folder, args.rebuild, args.pp_python)
            meta = read_meta(folder)
            problems, _facts = check_set(folder)
            if problems:
                raise SystemExit(f"{name}: the set does not follow the formats:\n  "
                                 + "\n  ".join(problems))
            n_rows = sum(1 for _ in open(folder / OWNERS_FILE, encoding="utf-8")) - 1
            n_pop = sum(1 for _ in open(folder / POPULATION_FILE, encoding="utf-8")) - 1
            print(f"\n== {name}: {n_rows} owner rows × {n_pop} citizens ({folder};"
                  f" built in {built:.1f} s)" if built else
                  f"\n== {name}: {n_rows} owner rows × {n_pop} citizens ({folder})", flush=True)
            row = {"set": name, "rows": n_rows, "ours": None, "ours_s": None, "ours_err": None,
                   "splink": {}, "splink_s": None}
            if not args.skip_ours:
                row["ours_s"], row["ours"], row["ours_err"] = run_ours(folder)
                if row["ours"]:
                    print(f"ours ({row['ours_s']:.1f} s):")
                    print(format_score(row["ours"], args.per_group))
                else:
                    print(f"ours: failed after {row['ours_s']:.1f} s: {row['ours_err']}")
            if not args.skip_splink:
                row["splink_s"], row["splink"], facts = run_splink(
                    folder, meta, args.address_comparison, args.u_pairs)
                print(f"splink ({row['splink_s']:.1f} s, {facts['pairs_p_ge_min']} pairs at"
                      f" p ≥ {min(THRESHOLDS)}, comparisons {', '.join(facts['comparisons'])}):")
                for threshold, s in row["splink"].items():
                    print(f"p ≥ {threshold}")
                    print(format_score(s, args.per_group))
            table.append(row)
    finally:
        if tmp is not None:
            tmp.cleanup()

    head = (f"{'set':<8} {'rows':>6} | {'ours P':>6} {'R':>5} {'review':>6} {'time s':>6} |"
            f" {'sp.5 P':>6} {'R':>5} | {'sp.99 P':>7} {'R':>5} | {'sp s':>5}")
    print("\n" + head + "\n" + "-" * len(head))
    for r in table:
        o = r["ours"] or {}
        sp = [r["splink"].get(t, {}) for t in THRESHOLDS]
        state = "failed" if r["ours_err"] else "-"
        ours = (f"{_pct(o.get('precision')):>6} {_pct(o.get('recall')):>5}"
                f" {_pct(o.get('review_rate')):>6}" if o else f"{state:>6} {'':>5} {'':>6}")
        ours_s = "-" if r["ours_s"] is None else f"{r['ours_s']:.1f}"
        splink_s = "-" if r["splink_s"] is None else f"{r['splink_s']:.1f}"
        print(f"{r['set']:<8} {r['rows']:>6} | {ours} {ours_s:>6} |"
              f" {_pct(sp[0].get('precision')):>6} {_pct(sp[0].get('recall')):>5} |"
              f" {_pct(sp[1].get('precision')):>7} {_pct(sp[1].get('recall')):>5} |"
              f" {splink_s:>5}")
    print("(precision = correct KHOP / KHOP, recall = correct KHOP / rows with a true citizen,"
          " review = CAN_XAC_MINH / rows; percentages)")


if __name__ == "__main__":
    main()
