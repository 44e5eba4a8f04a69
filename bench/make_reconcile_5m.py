"""Build the benchmark data of issue 4: 1,000,000 owner rows against 5,000,000 citizens.

The owners and their truth come from one synthetic province of about 700,000 parcels
(≈1.0M owner rows, ≈1.76M citizens); the population extract is filled up to 5,000,000 with the
citizens of other synthetic provinces (other names, birth places and communes, as the national
register holds), deduplicated on ``so_dinh_danh`` and shuffled.

    .venv/bin/python bench/make_reconcile_5m.py --out /tmp/bench5m     # ≈10 min, ≈2.3 GB
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

from datdai.synth import run

CITIZENS = 5_000_000
# (province, parcels, seed): the first gives the owners
PROVINCES = (("Nghệ An", 700_000, 21), ("Bình Phước", 1_000_000, 22), ("Thái Bình", 200_000, 23),
             ("Hà Giang", 40_000, 24))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    parts = []
    for province, parcels, seed in PROVINCES:
        folder = args.out / f"tinh-{seed}"
        if not (folder / "dan_cu.csv").exists():
            print(f"synth {province}: {parcels:,} parcels …", flush=True)
            run(folder, parcels=parcels, seed=seed, province=province)
        parts.append(folder / "dan_cu.csv")
    owners = args.out / f"tinh-{PROVINCES[0][2]}"
    shutil.copy(owners / "chu_su_dung.csv", args.out / "chu_su_dung.csv")
    (args.out / "truth").mkdir(exist_ok=True)
    shutil.copy(owners / "truth" / "owners.csv", args.out / "truth" / "owners.csv")
    con = duckdb.connect()
    union = " UNION ALL ".join(f"SELECT *, {k} AS nguon FROM read_csv('{p}', all_varchar = true)"
                               for k, p in enumerate(parts))
    con.execute(f"""COPY (
        SELECT * EXCLUDE (nguon, thu_tu) FROM (
            SELECT *, row_number() OVER (PARTITION BY so_dinh_danh ORDER BY nguon) AS thu_tu
            FROM ({union}))
        WHERE thu_tu = 1
        -- every citizen of the owners' province, then the others, up to the total
        ORDER BY nguon = 0 DESC, hash(so_dinh_danh) LIMIT {CITIZENS}
    ) TO '{args.out / "dan_cu_sorted.parquet"}'""")
    con.execute(f"""COPY (SELECT * FROM '{args.out / "dan_cu_sorted.parquet"}'
                         ORDER BY hash(so_dinh_danh || '#'))
                   TO '{args.out / "dan_cu.csv"}' (HEADER, DELIMITER ',')""")
    (args.out / "dan_cu_sorted.parquet").unlink()
    n_o = con.sql(f"SELECT count(*) FROM read_csv('{args.out / 'chu_su_dung.csv'}')").fetchall()
    n_p = con.sql(f"SELECT count(*) FROM read_csv('{args.out / 'dan_cu.csv'}')").fetchall()
    print(f"{args.out}: {n_o[0][0]:,} owner rows, {n_p[0][0]:,} citizens")


if __name__ == "__main__":
    main()
