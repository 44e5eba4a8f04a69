"""Benchmark: loading a synthetic province into the store through the audit trail.

Baseline, in the same process and on the same data: the parties and parcels (the bulk of the
rows) inserted with plain executemany and no audit records, against the same rows inserted
through ``AuditTrail.insert_many``. The ratio says what the audit trail costs per row; the
full ``load_dataset`` time (all tables) is printed beside it.

    .venv/bin/python bench/bench_store_load.py [--parcels 20000] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from datdai import synth
from datdai.db import schema
from datdai.db.audit import AuditTrail
from datdai.db.store import open_store
from datdai.land import repository


def _rows(data):
    return ([repository.party_row(p) for p in data.parties], [repository.parcel_row(p) for p in data.parcels])


def _baseline(conn, data) -> None:
    """Parties and parcels with plain executemany, no audit trail."""
    parties, parcels = _rows(data)
    for table, rows in ((schema.parties, parties), (schema.parcels, parcels)):
        for chunk in repository.chunks(rows):
            conn.execute(insert(table), list(chunk))


def _audited(conn, data) -> None:
    """The same rows through the audit trail."""
    trail = AuditTrail(conn, actor="bench", source="bench", reason="bench")
    parties, parcels = _rows(data)
    for name, rows in (("parties", parties), ("parcels", parcels)):
        for chunk in repository.chunks(rows):
            trail.insert_many(name, list(chunk))


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
            raise SystemExit("run the PostgreSQL variant against empty databases by hand")
        audited = fresh("audited")
        t0 = time.perf_counter()
        with audited.transaction() as conn:
            _audited(conn, data)
        t_audited = time.perf_counter() - t0
        audited.close()
        full = fresh("full")
        t0 = time.perf_counter()
        with full.transaction() as conn:
            counts = repository.load_dataset(conn, data, actor="bench", source="bench", reason="bench")
        t_full = time.perf_counter() - t0
        full.close()
    rows_base = len(data.parties) + len(data.parcels)
    print(f"generate {args.parcels} parcels: {t_gen:.2f} s")
    print(f"baseline (parties+parcels, no audit): {rows_base} rows in {t_base:.2f} s")
    print(f"same rows through the audit trail: {t_audited:.2f} s")
    print(f"ratio audited/baseline: {t_audited / t_base:.2f}")
    print(f"load_dataset (all tables, audited): parcels={counts.parcels} parties={counts.parties} "
          f"rights={counts.rights} in {t_full:.2f} s")


if __name__ == "__main__":
    main()
