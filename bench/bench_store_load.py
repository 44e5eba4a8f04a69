"""Benchmark: loading a synthetic province into the store through the audit trail.

Baseline, in the same process and on the same data: the same rows inserted with plain
executemany and no audit records. The ratio says what the audit trail costs.

    .venv/bin/python bench/bench_store_load.py [--parcels 20000] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from datdai import synth
from datdai.store import repository, schema
from datdai.store.store import open_store


def _baseline(conn, data) -> None:
    """Parties and parcels only, the bulk of the rows, with no audit trail."""
    rows = [repository.party_row(p) for p in data.parties]
    for chunk in repository._chunks(rows):
        conn.execute(insert(schema.parties), list(chunk))
    rows = [repository.parcel_row(p) for p in data.parcels]
    for chunk in repository._chunks(rows):
        conn.execute(insert(schema.parcels), list(chunk))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=20000)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    t0 = time.perf_counter()
    result = synth.generate(parcels=args.parcels, seed=1)
    t_gen = time.perf_counter() - t0
    data = result.land
    with tempfile.TemporaryDirectory() as tmp:
        def fresh(name):
            url = str(Path(tmp) / f"{name}.db") if args.db == "sqlite" else args.db
            return open_store(url, create=True)

        base = fresh("base")
        t0 = time.perf_counter()
        with base.transaction() as conn:
            _baseline(conn, data)
        t_base = time.perf_counter() - t0
        base.close()
        if args.db != "sqlite":
            raise SystemExit("run the PostgreSQL variant against two empty databases by hand")
        full = fresh("full")
        t0 = time.perf_counter()
        with full.transaction() as conn:
            counts = repository.load_dataset(conn, data, actor="bench", source="bench", reason="bench")
        t_full = time.perf_counter() - t0
        full.close()
    rows_base = len(data.parties) + len(data.parcels)
    print(f"generate {args.parcels} parcels: {t_gen:.2f} s")
    print(f"baseline (parties+parcels, no audit): {rows_base} rows in {t_base:.2f} s")
    print(f"load_dataset (all tables, audited): parcels={counts.parcels} parties={counts.parties} "
          f"rights={counts.rights} in {t_full:.2f} s")
    print(f"ratio full/baseline: {t_full / t_base:.2f}")


if __name__ == "__main__":
    main()
