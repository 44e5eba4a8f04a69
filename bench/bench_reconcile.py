"""Benchmark: ``datdai reconcile`` against a plain exact join, on the same files, same process.

Baseline (the floor no matcher can beat): DuckDB reads both CSV files (all text) and joins the
owners' ``cccd_cmnd`` with the citizens' ``so_dinh_danh``. Then the full reconciliation (read,
normalise, three stages, result file). Prints both times, their ratio, and the peak memory of the
reconciliation alone (run again in a child process).

    .venv/bin/python bench/bench_reconcile.py --data DIR   # a `datdai synth` output folder
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def baseline(owners: Path, population: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    con = duckdb.connect()
    n = con.sql(
        f"SELECT count(*) FROM read_csv('{owners}', all_varchar = true) o"
        f" JOIN read_csv('{population}', all_varchar = true) p"
        " ON o.cccd_cmnd = p.so_dinh_danh").fetchall()[0][0]
    con.close()
    return time.perf_counter() - t0, int(n)


def reconcile(owners: Path, population: Path) -> tuple[float, object]:
    from datdai.reconcile.result import reconcile_files

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = reconcile_files(owners, population, Path(tmp) / "ket_qua_doi_soat.csv")
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--only-reconcile", action="store_true")
    args = ap.parse_args()
    owners, population = args.data / "chu_su_dung.csv", args.data / "dan_cu.csv"
    if args.only_reconcile:
        reconcile(owners, population)
        return
    base, exact = baseline(owners, population)
    secs, result = reconcile(owners, population)
    subprocess.run([sys.executable, __file__, "--data", str(args.data), "--only-reconcile"],
                   check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    t = result.table
    counts = t.group_by("ket_qua").aggregate([([], "count_all")]).to_pylist()
    print(f"data: {args.data} ({t.num_rows:,} owner rows)")
    print(f"baseline exact join (DuckDB read_csv + join on the number): {base:.2f} s, "
          f"{exact:,} rows joined")
    print(f"datdai reconcile: {secs:.2f} s — {secs / base:.1f}× the baseline; "
          f"peak RSS of the reconciliation alone {peak:.2f} GiB")
    print("results:", {c["ket_qua"]: c["count_all"] for c in counts})


if __name__ == "__main__":
    main()
