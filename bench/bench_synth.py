"""Benchmark: `datdai synth` of the demo's default province (20,000 parcels), against writing the
same number of rows of plain text to a CSV file with the standard library (the floor: the
generator must at least write its register). Same process; prints the process's peak memory
(resident set) — run one size per process to compare sizes.

    .venv/bin/python bench/bench_synth.py [--parcels N]
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from datdai.synth import run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with open(Path(tmp) / "floor.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for i in range(args.parcels):
                w.writerow([i, "25195", i // 200 + 1, i % 200 + 1, 250.5, "ONT", "Nguyễn Văn An"])
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = run(Path(tmp) / "synth", parcels=args.parcels, seed=1)
        secs = time.perf_counter() - t0
    print(f"baseline (write {args.parcels:,} CSV rows): {base:.3f} s")
    print(f"datdai synth ({summary.counts['parcels']:,} parcels, all files): {secs:.1f} s "
          f"— {secs / base:.0f}× the baseline")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB → GiB
    print(f"peak memory (RSS): {peak:.2f} GiB; {summary.counts['citizens']:,} citizens")


if __name__ == "__main__":
    main()
