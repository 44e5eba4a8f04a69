"""Benchmark: how the cost of each step grows with the size of a province.

For each size (parcels) a synthetic province is written once (``datdai synth``, kept in
``--data``), then each step runs as the command line runs it, in its own process:

- ``check`` — ``datdai check`` on DuckDB (and ``check-spark`` with ``--engine spark`` when
  ``SPARK_MASTER`` is set: scripts/spark-cluster.sh starts a local cluster);
- ``reconcile`` — ``datdai reconcile`` of the owners export with the population extract
  (and ``reconcile-spark`` likewise);
- ``load-pg`` — ``datdai import`` into a fresh schema of the PostgreSQL/PostGIS of ``--pg``
  (or ``DATDAI_TEST_PG_URL``), when one is given.

Printed per size and step: wall time and peak memory (resident set of the command's process
tree as the kernel accounts it to the waiting parent: the Spark executors, which run in the
cluster's workers, are not in it), then per step and pair of consecutive sizes the fitted
growth exponent: log(t₂ / t₁) / log(n₂ / n₁) (1 = linear), and the same for memory.

    .venv/bin/python bench/bench_growth.py                      # 0.25M 0.5M 1M 2M
    .venv/bin/python bench/bench_growth.py 25000 50000 100000 200000 --steps check reconcile
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("check", "reconcile", "check-spark", "reconcile-spark", "load-pg")


def _run(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in GiB, stderr tail) of ``datdai ARGS`` in a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "datdai", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    # wait4 gives this child's own resource use (the largest resident set of it and the
    # descendants it waited for)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"datdai {' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return secs, usage.ru_maxrss / 1024 ** 2, stderr[-500:]


def _province(data: Path, parcels: int, seed: int) -> Path:
    out = data / f"p{parcels}-s{seed}"
    if not (out / "truth" / "summary.json").exists():
        secs, peak, _ = _run(["synth", "--out", str(out), "--parcels", str(parcels),
                              "--seed", str(seed)])
        print(f"  synth {parcels:>9,}: {secs:7.1f} s  {peak:5.2f} GiB (not a step)", flush=True)
    return out


def _pg_schema(url: str) -> tuple[str, callable]:
    """(URL of a fresh schema, a function printing its size on disk and dropping it)."""
    from sqlalchemy import create_engine, text

    schema = f"growth_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as c:
            size = c.execute(text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :s AND c.relkind IN ('r', 'm')"), {"s": schema}).scalar()
            print(f"  load-pg: the store takes {size / 1024 ** 2:,.0f} MiB on disk"
                  " (tables, indexes, TOAST)", flush=True)
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema},public')}", drop


def _step(step: str, prov: Path, work: Path, pg: str | None) -> tuple[float, float]:
    delivery = ["--parcels", str(prov / "thua_dat.gpkg"),
                "--register", str(prov / "so_dia_chinh.csv")]
    spark = {"SPARK_MASTER": os.environ.get("SPARK_MASTER", "")}
    if step in ("check", "check-spark"):
        extra = ["--engine", "spark"] if step == "check-spark" else []
        return _run(["check", *delivery, "--out", str(work / f"{step}.csv"), *extra],
                    spark)[:2]
    if step in ("reconcile", "reconcile-spark"):
        extra = ["--engine", "spark"] if step == "reconcile-spark" else []
        return _run(["reconcile", "--owners", str(prov / "chu_su_dung.csv"),
                     "--population", str(prov / "dan_cu.csv"),
                     "--out", str(work / f"{step}.csv"), *extra], spark)[:2]
    if step == "load-pg":
        url, drop = _pg_schema(pg)
        try:
            return _run(["import", *delivery, "--db", url])[:2]
        finally:
            drop()
    raise ValueError(step)


def exponent(n1: int, n2: int, v1: float, v2: float) -> float:
    """The slope of log(v) against log(n) between two sizes."""
    return math.log(v2 / v1) / math.log(n2 / n1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int,
                    default=[250_000, 500_000, 1_000_000, 2_000_000])
    ap.add_argument("--steps", nargs="+", choices=STEPS, default=None,
                    help="default: check, reconcile, their Spark runs when SPARK_MASTER is set,"
                         " load-pg when a PostgreSQL URL is given")
    ap.add_argument("--data", type=Path, default=Path("bench-data/growth"),
                    help="where the synthetic provinces are kept between runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg", default=os.environ.get("DATDAI_TEST_PG_URL"),
                    help="PostgreSQL/PostGIS URL for load-pg (a schema is made and dropped)")
    ap.add_argument("--json", type=Path, help="also write the measures here")
    args = ap.parse_args()
    steps = args.steps or [s for s in STEPS
                           if not s.endswith("-spark") or os.environ.get("SPARK_MASTER")]
    steps = [s for s in steps if s != "load-pg" or args.pg]
    sizes = sorted(args.sizes)
    args.data.mkdir(parents=True, exist_ok=True)

    measures: dict[str, dict[int, tuple[float, float]]] = {s: {} for s in steps}
    for n in sizes:
        prov = _province(args.data, n, args.seed)
        work = args.data / f"out-{n}"
        work.mkdir(exist_ok=True)
        for step in steps:
            secs, peak = _step(step, prov, work, args.pg)
            measures[step][n] = (secs, peak)
            print(f"{step:<16} {n:>10,} parcels: {secs:8.1f} s  {peak:6.2f} GiB peak", flush=True)

    print("\ngrowth exponent per step (time; memory), between consecutive sizes:")
    for step in steps:
        parts = []
        for n1, n2 in zip(sizes, sizes[1:]):
            (t1, m1), (t2, m2) = measures[step][n1], measures[step][n2]
            parts.append(f"{n1 // 1000}k→{n2 // 1000}k: {exponent(n1, n2, t1, t2):.2f};"
                         f" {exponent(n1, n2, m1, m2):.2f}")
        if len(sizes) > 1:
            (t1, m1), (t2, m2) = measures[step][sizes[0]], measures[step][sizes[-1]]
            parts.append(f"whole range: {exponent(sizes[0], sizes[-1], t1, t2):.2f};"
                         f" {exponent(sizes[0], sizes[-1], m1, m2):.2f}")
        print(f"  {step:<16} " + "  ".join(parts))
    if args.json:
        args.json.write_text(json.dumps({s: {str(n): v for n, v in m.items()}
                                         for s, m in measures.items()}, indent=2))


if __name__ == "__main__":
    main()
