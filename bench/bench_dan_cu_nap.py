"""Benchmark: ``datdai dan-cu nap`` (a population extract into the store) against reading the same
file with pyarrow, same process.

Baseline (the floor: the file read once, nothing checked or written): ``pyarrow.csv.read_csv``
of the extract with every column as text. Then the load (encoding check, streamed reading,
NFC, checks, the write: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, duplicate check, one
transaction) into a fresh SQLite file and, with ``--pg URL``, a fresh PostgreSQL schema. Prints
the times (wall, and this process's CPU: on a shared machine the steadier figure), rows per
second and the ratio to the baseline. The target is 5M citizens in under 60 s on each backend.

    .venv/bin/python bench/bench_dan_cu_nap.py --rows 1000000 [--pg postgresql+psycopg://…]

The extract is generated (19 columns, Vietnamese names and addresses, ~330 bytes a row) into a
temporary folder unless ``--file`` names one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from datdai.matching.inputs import POPULATION_COLUMNS

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Quang",
         "Sơn", "Thảo", "Trung", "Tuấn", "Vy", "Yến"]
PLACES = ["Ấp {n}, Xã Tân Lợi, Huyện Đồng Phú, Tỉnh Bình Phước",
          "Khu phố {n}, Phường Tân Bình, Thành phố Đồng Xoài, Tỉnh Bình Phước",
          "Thôn {n}, Xã Đắk Nhau, Huyện Bù Đăng, Tỉnh Bình Phước",
          "Số {n} đường Phú Riềng Đỏ, Phường Tân Xuân, Thành phố Đồng Xoài, Tỉnh Bình Phước"]


def _pick(rng, values, n) -> pa.Array:
    return pa.array(np.array(values, dtype=object)[rng.integers(0, len(values), n)], pa.string())


def _names(rng, n) -> pa.Array:
    parts = [np.array(v, dtype=object)[rng.integers(0, len(v), n)] for v in (FAMILY, MIDDLE, GIVEN)]
    return pa.array(parts[0] + " " + parts[1] + " " + parts[2], pa.string())


def _places(rng, n) -> pa.Array:
    kinds = rng.integers(0, len(PLACES), n)
    numbers = rng.integers(1, 200, n)
    return pa.array([PLACES[k].format(n=m) for k, m in zip(kinds, numbers)], pa.string())


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """``rows`` citizens with unique numbers, written in slices of 500k."""
    rng = np.random.default_rng(seed)
    with pacsv.CSVWriter(path, pa.schema([(c, pa.string()) for c in POPULATION_COLUMNS])) as w:
        for start in range(0, rows, 500_000):
            n = min(500_000, rows - start)
            serial = np.arange(start, start + n)
            day, month = rng.integers(1, 29, n), rng.integers(1, 13, n)
            year = rng.integers(1930, 2010, n)
            cols = {
                "so_dinh_danh": pa.array([f"070{i:09d}" for i in serial]),
                "so_cmnd": pa.array([f"28{i:07d}" for i in serial]),
                "ho_ten": _names(rng, n),
                "gioi_tinh": _pick(rng, ["Nam", "Nữ"], n),
                "dan_toc": _pick(rng, ["Kinh", "Kinh", "Kinh", "Xtiêng", "Tày"], n),
                "ton_giao": _pick(rng, ["Không", "Không", "Phật giáo", "Công giáo"], n),
                "tinh_trang_hon_nhan": _pick(rng, ["Đã kết hôn", "Chưa kết hôn"], n),
                "ngay_sinh": pa.array([f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(day, month, year)]),
                "noi_dang_ky_khai_sinh": _places(rng, n),
                "quoc_tich": pa.array(["Việt Nam"] * n),
                "que_quan": _places(rng, n),
                "thuong_tru": _places(rng, n),
                "noi_o_hien_tai": _places(rng, n),
                "cha": _names(rng, n),
                "me": _names(rng, n),
                "vo_chong": _names(rng, n),
                "nguoi_dai_dien": pa.array([""] * n),
                "chu_ho": _names(rng, n),
                "so_so_ho_khau": pa.array([f"{i % 300_000:09d}" for i in serial]),
            }
            w.write_table(pa.table(cols))


def baseline(path: Path) -> tuple[float, float, int]:
    t0, c0 = time.perf_counter(), time.process_time()
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in POPULATION_COLUMNS}))
    return time.perf_counter() - t0, time.process_time() - c0, table.num_rows


def load(url: str, path: Path) -> tuple[float, float, int]:
    from datdai.db.store import open_store
    from datdai.matching.population_load import load_population

    store = open_store(url, create=True)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        done = load_population(store, path, actor="bench")
        return time.perf_counter() - t0, time.process_time() - c0, done.rows
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--file", type=Path, help="an existing dan_cu.csv instead of a generated one")
    ap.add_argument("--pg", help="a PostgreSQL URL: a fresh schema is made there and dropped after")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "dan_cu.csv"
            t0 = time.perf_counter()
            generate(path, args.rows)
            print(f"generated {args.rows:,} citizens in {time.perf_counter() - t0:.1f} s "
                  f"({path.stat().st_size / 2**20:.0f} MiB)")
        base, base_cpu, n = baseline(path)
        print(f"baseline pyarrow read_csv: {base:.2f} s wall, {base_cpu:.2f} s CPU of this process"
              f" ({n:,} rows)")
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'store.db'}")]
        if args.pg:
            targets.append(("postgresql", args.pg))
        for name, url in targets:
            drop = None
            if name == "postgresql":
                url, drop = _pg_schema(url)
            try:
                secs, cpu, rows = load(url, path)
            finally:
                if drop:
                    drop()
            print(f"dan-cu nap {name}: {secs:.2f} s wall, {cpu:.2f} s CPU of this process, "
                  f"{rows / secs:,.0f} rows/s, "
                  f"{secs / base:.1f}× the baseline; 5M at this rate ≈ {secs * 5_000_000 / rows:.0f} s")


def _pg_schema(url: str):
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema},public')}", drop


if __name__ == "__main__":
    main()
