"""Benchmark: loading the admin-unit reference data (old and 2025 units, address index) in a
fresh interpreter, against a fresh interpreter that only imports the standard ``sqlite3``
module (the floor: starting Python). Five runs each, medians.

    .venv/bin/python bench/bench_refdata_load.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys

LOAD = (
    "import time; t = time.perf_counter()\n"
    "from datdai.kernel import admin_units as a\n"
    "assert len(a.old_communes('70')) == 111 and a.new_communes('75')\n"
    "assert a.admin_units_for_province('70')\n"
    "assert a.address_key('xã Tân Hưng, H. Hớn Quản, Bình Phước').new_commune_code\n"
    "print(time.perf_counter() - t)\n"
)
BASELINE = "import time; t = time.perf_counter()\nimport sqlite3\nprint(time.perf_counter() - t)\n"


def run(code: str) -> float:
    import time

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    base = statistics.median(run(BASELINE) for _ in range(5))
    load = statistics.median(run(LOAD) for _ in range(5))
    print(f"fresh interpreter + sqlite3: {base:.3f} s; + admin units loaded and queried: "
          f"{load:.3f} s ({load / base:.1f}× the baseline, {load - base:.3f} s for the data)")


if __name__ == "__main__":
    main()
