"""Benchmark: ``datdai reconcile`` against a plain exact join, on the same files, same process.

Baseline (the floor no matcher can beat): DuckDB reads both CSV files (all text) and joins the
owners' ``cccd_cmnd`` with the citizens' ``so_dinh_danh``. Then the full reconciliation (read,
normalise, three stages, result file). Prints both times, their ratio, and the peak memory of the
reconciliation alone (run again in a child process).

    .venv/bin/python bench/bench_reconcile.py --data DIR   # a `datdai synth` output folder

DIR holds ``chu_su_dung.csv`` and ``dan_cu.csv``; when it also holds ``truth/owners.csv`` (as a
``datdai synth`` folder does) or ``truth.csv`` (a set of ``bench/linkage``, e.g. the independent
generator ``bench/linkage/vn_other.py``, whose addresses are all distinct) precision, recall
and the review rate are printed, per noise type with ``--per-noise``. The seconds of each step
(reading and normalising, ID stages, blocking, training, scoring, decisions) are printed too. The issue's size (1M owner rows × 5M citizens) is built by
``bench/make_reconcile_5m.py``.
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


def reconcile(owners: Path, population: Path, engine: str) -> tuple[float, object]:
    from datdai.matching.result import reconcile_files

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = reconcile_files(owners, population, Path(tmp) / "ket_qua_doi_soat.csv",
                                 engine=engine)
    return time.perf_counter() - t0, result


def accuracy(table, truth_path: Path, per_noise: bool) -> None:
    """Precision of KHOP, recall over the truly matchable rows, share sent to review."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW truth AS SELECT ma_dong, so_dinh_danh AS dung, "
                f"coalesce(noise, '') AS noise FROM read_csv('{truth_path}', all_varchar = true)")
    con.register("res", table.select(["ma_dong", "ket_qua", "so_dinh_danh"]))
    groups = ("unnest(CASE WHEN noise = '' THEN ['CLEAN'] ELSE string_split(noise, ';') END)"
              if per_noise else "'ALL'")
    rows = con.sql(f"""SELECT nhom, count(*) AS n,
            count(*) FILTER (WHERE ket_qua = 'KHOP') AS khop,
            count(*) FILTER (WHERE ket_qua = 'KHOP' AND so_dinh_danh = dung) AS dung,
            count(*) FILTER (WHERE coalesce(dung, '') <> '') AS ghep_duoc,
            count(*) FILTER (WHERE ket_qua = 'CAN_XAC_MINH') AS xem_xet
        FROM (SELECT *, {groups} AS nhom FROM res JOIN truth USING (ma_dong))
        GROUP BY nhom ORDER BY nhom""").fetchall()
    for nhom, n, khop, dung, ghep_duoc, xem_xet in rows:
        print(f"  {nhom:22s} rows {n:9,}  precision {dung / max(khop, 1):.5f}  "
              f"recall {dung / max(ghep_duoc, 1):.4f}  review {xem_xet / n:.4f}  "
              f"wrong KHOP {khop - dung}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--per-noise", action="store_true")
    ap.add_argument("--only-reconcile", action="store_true")
    args = ap.parse_args()
    owners, population = args.data / "chu_su_dung.csv", args.data / "dan_cu.csv"
    if args.only_reconcile:
        reconcile(owners, population, args.engine)
        return
    base, exact = baseline(owners, population)
    secs, result = reconcile(owners, population, args.engine)
    subprocess.run([sys.executable, __file__, "--data", str(args.data), "--only-reconcile",
                    "--engine", args.engine], check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    t = result.table
    counts = t.group_by("ket_qua").aggregate([([], "count_all")]).to_pylist()
    print(f"data: {args.data} ({t.num_rows:,} owner rows)")
    print(f"baseline exact join (DuckDB read_csv + join on the number): {base:.2f} s, "
          f"{exact:,} rows joined")
    print(f"datdai reconcile: {secs:.2f} s — {secs / base:.1f}× the baseline; "
          f"peak RSS of the reconciliation alone {peak:.2f} GiB")
    print("results:", {c["ket_qua"]: c["count_all"] for c in counts})
    steps = result.summary.get("thoi_gian", {})
    print("seconds per step:", ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    truth = args.data / "truth" / "owners.csv"
    if truth.exists():
        print("accuracy on the generator's truth:")
        accuracy(t, truth, args.per_noise)
    elif (args.data / "truth.csv").exists():  # a set of bench/linkage (ma_dong,so_dinh_danh,nhom)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from linkage.metrics import format_score, score

        print("accuracy on the set's truth:")
        print(format_score(score(t.select(["ma_dong", "ket_qua", "so_dinh_danh"]),
                                 args.data / "truth.csv"), per_group=args.per_noise))


if __name__ == "__main__":
    main()
