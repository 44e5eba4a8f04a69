"""Benchmark: ``datdai check`` on a large synthetic delivery.

Baseline, in the same process and on the same files: merely reading both files — the map with
``pyogrio.read_arrow`` + ``shapely.from_wkb``, the register with DuckDB ``read_csv`` (all
columns typed as text). Then the full check (readers, preparation, every rule, the findings
CSV). Prints both times, their ratio, the time per step, and the peak memory of the process.

    .venv/bin/python bench/bench_check.py [--parcels 1000000] [--data DIR] [--engine duckdb]

``--data`` reuses a delivery written earlier by ``datdai synth`` (default: /tmp/datdai-bench-N,
generated when missing — about 5 minutes for a million parcels).
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
import numpy as np
import pyogrio
import shapely


def baseline(parcels: Path, register: Path) -> float:
    t0 = time.perf_counter()
    _, table = pyogrio.read_arrow(parcels)
    geom = [c for c in table.column_names if c in ("geom", "geometry", "wkb_geometry")][0]
    shapely.from_wkb(np.asarray(table[geom].to_numpy(zero_copy_only=False), dtype=object))
    con = duckdb.connect()
    con.sql(f"SELECT * FROM read_csv('{register}', all_varchar = true)").to_arrow_table()
    con.close()
    return time.perf_counter() - t0


def full_check(parcels: Path, register: Path, engine: str, out: Path) -> tuple[float, object]:
    from datdai.cleaning.check import check_delivery
    from datdai.cleaning.findings import write_findings_csv
    from datdai.compute import open_engine

    t0 = time.perf_counter()
    with open_engine(engine) as eng:
        result, read = check_delivery(parcels, register, engine=eng)
    t_read_check = time.perf_counter() - t0
    write_findings_csv(result.findings, out)
    return time.perf_counter() - t0, (result, t_read_check)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--engine", default="duckdb")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check-only", action="store_true",
                    help="only the check (used for the peak-memory run in a child process)")
    args = ap.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"datdai-bench-{args.parcels}"
    parcels, register = data / "thua_dat.gpkg", data / "so_dia_chinh.csv"
    if not (parcels.exists() and register.exists()):
        print(f"generating {args.parcels:,} parcels into {data} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "datdai", "synth", "--out", str(data),
                        "--parcels", str(args.parcels), "--seed", str(args.seed)], check=True,
                       stdout=subprocess.DEVNULL)
    if args.check_only:
        with tempfile.TemporaryDirectory() as tmp:
            full_check(parcels, register, args.engine, Path(tmp) / "loi_du_lieu.csv")
        return
    base = baseline(parcels, register)
    with tempfile.TemporaryDirectory() as tmp:
        total, (result, t_check) = full_check(parcels, register, args.engine,
                                              Path(tmp) / "loi_du_lieu.csv")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"delivery: {data} ({result.parcels.num_rows:,} parcel keys)")
    print(f"baseline read (pyogrio + shapely + duckdb read_csv): {base:.2f} s")
    print(f"datdai check ({args.engine}): {total:.2f} s (read + rules {t_check:.2f} s, "
          f"CSV {total - t_check:.2f} s) — {total / base:.1f}× the baseline")
    subprocess.run([sys.executable, __file__, "--data", str(data), "--engine", args.engine,
                    "--check-only"], check=True)
    alone = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    print(f"findings: {result.findings.num_rows:,}; peak RSS of this process (baseline + check) "
          f"{peak:.2f} GiB; of the check alone (child process) {alone:.2f} GiB")
    for step, secs in sorted(result.timings.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {step:22s} {secs:6.2f} s")


if __name__ == "__main__":
    main()
