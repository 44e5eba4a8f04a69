"""Load benchmark of the API on loopback with wrk (issue 6, "Load").

    .venv/bin/python bench/bench_api.py [--parcels 5000] [--duration 20] [--connections 64]
    DATDAI_BENCH_PG_URL=postgresql://… .venv/bin/python bench/bench_api.py   # also PostgreSQL

For each backend (a SQLite file; PostgreSQL in a fresh schema when ``DATDAI_BENCH_PG_URL`` is set)
it builds the demo province (``datdai.apps.demo.run_demo``), starts ``datdai serve --workers 2
--no-access-log`` (uvloop + httptools), logs in the demo accounts ``dulieu`` (data officer) and
``c06`` over ``POST /api/v1/auth/token`` and runs wrk (``--latency``) on

* ``GET /api/v1/health`` — unauthenticated baseline;
* ``GET /api/v1/parcels?ma_xa=&so_to=&so_thua=`` — parcel lookup by key, as ``dulieu``;
* ``GET /api/v1/exchange/c06/land-by-citizen/{so_dinh_danh}`` — as ``c06``;

the two last authenticated and access-logged (each answer writes its access-log row: the script
counts the rows before and after). wrk rotates over up to 1,000 keys taken from the store. Each
measured run follows ``--warmup`` seconds (default 3) of the same load, not measured: a worker's
first second (lazy loading, its first full garbage collection, the auth cache) would otherwise
decide the p99 of a short run. It prints requests/s, latency p50/p90/p99 and the ratio to the
baseline, and refuses to call a run good when more than 1 % of the answers were not 2xx.

The per-client rate limit (``web/protection.py``, default 50/s per client and worker) would turn
this one-client benchmark into a measure of 429s, so the server runs with
``DATDAI_RATE_LIMIT=1000000/1000000``: the limiter still runs on every request, it just never
refuses. The uvicorn HTTP access log (console) is off; the personal-data access log is on.

wrk comes from Debian (``apt-get install wrk``); the script installs it when missing and it can
(root, or sudo without password), else says how.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATDAI = [sys.executable, "-m", "datdai.apps.cli"]
LUA = """
paths = {}
idx = 0
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
%(auth)s
request = function()
  idx = idx %% #paths + 1
  return wrk.format("GET", paths[idx])
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    cmd = ["apt-get", "install", "-y", "wrk"]
    if os.geteuid() != 0:
        cmd = ["sudo", "-n", *cmd]
    print("wrk chưa có, cài bằng / installing wrk:", " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd).returncode == 0 and shutil.which("wrk"):
        return shutil.which("wrk")
    sys.exit("Không cài được wrk / could not install wrk: run `sudo apt-get install wrk` "
             "(Debian/Ubuntu) or build it from https://github.com/wg/wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_demo(parcels: int, workdir: Path, db: str | None) -> str:
    from datdai.apps.demo import run_demo

    t0 = time.perf_counter()
    result = run_demo(parcels=parcels, seed=1, db=db, workdir=workdir)
    print(f"  demo: {parcels} thửa / parcels in {time.perf_counter() - t0:.0f} s → "
          f"{result.store_url.split('@')[-1]}", flush=True)
    return result.store_url


def sample_keys(url: str, limit: int = 1000) -> tuple[list[str], list[str]]:
    """Parcel lookup paths and land-by-citizen paths for keys that exist in the store."""
    from sqlalchemy import select

    from datdai.db.schema import parcels, parties, rights
    from datdai.db.store import open_store

    store = open_store(url)
    try:
        with store.read() as conn:
            rows = conn.execute(select(parcels.c.commune_code, parcels.c.sheet_no, parcels.c.parcel_no)
                                .order_by(parcels.c.id).limit(limit)).all()
            people = conn.execute(
                select(parties.c.personal_number).distinct()
                .join(rights, rights.c.party_id == parties.c.id)
                .where(parties.c.personal_number.is_not(None))
                .order_by(parties.c.personal_number).limit(limit)).scalars().all()
    finally:
        store.close()
    lookups = [f"/api/v1/parcels?ma_xa={c}&so_to={s}&so_thua={n}" for c, s, n in rows]
    citizens = [f"/api/v1/exchange/c06/land-by-citizen/{p}" for p in people]
    return lookups, citizens


def access_log_rows(url: str) -> int:
    from sqlalchemy import func, select

    from datdai.db.schema import access_log
    from datdai.db.store import open_store

    store = open_store(url)
    try:
        with store.read() as conn:
            return conn.execute(select(func.count()).select_from(access_log)).scalar_one()
    finally:
        store.close()


class Server:
    def __init__(self, url: str, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATDAI_RATE_LIMIT": "1000000/1000000"}
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [*DATDAI, "serve", "--db", url, "--port", str(self.port), "--workers", str(workers),
             "--no-access-log"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"datdai serve stopped (exit {self.proc.returncode}), see {log}")
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        time.sleep(1.0)  # let every worker finish starting
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"datdai serve did not answer within 60 s, see {log}")

    def token(self, username: str, password: str = "datdai-demo") -> str:
        data = urllib.parse.urlencode({"username": username, "password": password}).encode()
        with urllib.request.urlopen(self.base + "/api/v1/auth/token", data=data, timeout=10) as r:
            return json.load(r)["access_token"]

    def get(self, path: str, token: str | None) -> int:
        req = urllib.request.Request(self.base + path)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def to_ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    number, unit = float(m.group(1)), m.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk_script(paths: list[str], token: str | None, workdir: Path, name: str) -> Path:
    paths_file = workdir / f"{name}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    script = workdir / f"{name}.lua"
    script.write_text(LUA % {"paths": paths_file, "auth": auth})
    return script


def warm_up(wrk: str, base: str, script: Path, args) -> None:
    """Load not measured: a worker's first seconds (lazy loading, its first full GC, caches)."""
    if args.warmup > 0:
        subprocess.run([wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.warmup}s", "-s",
                        str(script), base], capture_output=True, check=True)


def run_wrk(wrk: str, base: str, script: Path, args) -> dict:
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
           "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    pct = {p: to_ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    return {"rps": rps, "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else "",
            "p50": pct["50"], "p90": pct["90"], "p99": pct["99"], "raw": out}


def bench_backend(label: str, url: str, wrk: str, args, workdir: Path) -> list[dict]:
    lookups, citizens = sample_keys(url)
    server = Server(url, args.workers, workdir / f"serve-{label}.log")
    results = []
    try:
        staff, c06 = server.token("dulieu"), server.token("c06")
        routes = [("health", ["/api/v1/health"], None)]
        if lookups and server.get(lookups[0], staff) == 200:
            routes.append(("parcels", lookups, staff))
        else:
            print(f"  GET /api/v1/parcels?… → {server.get(lookups[0], staff) if lookups else '-'}; "
                  "dùng / using GET /api/v1/dossiers/{id}", flush=True)
            routes.append(("dossier", [f"/api/v1/dossiers/{i}" for i in range(1, 200)],
                           server.token("motcua")))
        if citizens and server.get(citizens[0], c06) == 200:
            routes.append(("land-by-citizen", citizens, c06))
        else:
            print("  land-by-citizen không có / not available:",
                  server.get(citizens[0], c06) if citizens else "no citizens", flush=True)
        for name, paths, token in routes:
            script = wrk_script(paths, token, workdir, f"{label}-{name}")
            warm_up(wrk, server.base, script, args)
            before = access_log_rows(url)
            r = run_wrk(wrk, server.base, script, args)
            r["access_log_rows"] = access_log_rows(url) - before
            r["backend"], r["name"] = label, name
            results.append(r)
            print(f"  {name:16} {r['rps']:9.0f} req/s  p50 {r['p50']:6.2f} ms  p90 {r['p90']:6.2f} ms"
                  f"  p99 {r['p99']:6.2f} ms  non-2xx {r['non_2xx']}  "
                  f"access-log +{r['access_log_rows']}", flush=True)
            time.sleep(2)
    finally:
        server.stop()
    return results


def pg_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    from sqlalchemy import create_engine, text

    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options={urllib.parse.quote(f'-csearch_path={schema},public')}"


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measured run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite", help="an existing demo SQLite file to reuse")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="datdai-bench-"))
    print(f"wrk {args.connections} kết nối / connections, {args.threads} luồng / threads, "
          f"{args.duration} s; datdai serve --workers {args.workers}; {os.cpu_count()} CPU; "
          f"thư mục / dir {workdir}", flush=True)
    results: list[dict] = []
    if not args.no_sqlite:
        print("SQLite", flush=True)
        url = (f"sqlite:///{Path(args.sqlite).resolve()}" if args.sqlite
               else build_demo(args.parcels, workdir / "demo-sqlite", None))
        results += bench_backend("sqlite", url, wrk, args, workdir)
    pg = os.environ.get("DATDAI_BENCH_PG_URL")
    if pg:
        print("PostgreSQL", flush=True)
        schema, url = pg_schema_url(pg)
        try:
            build_demo(args.parcels, workdir / "demo-pg", url)
            results += bench_backend("postgresql", url, wrk, args, workdir)
        finally:
            drop_schema(pg, schema)
    print("\nbackend     route             req/s    p50 ms   p90 ms   p99 ms  ×baseline  non-2xx")
    for r in results:
        base = next(b for b in results if b["backend"] == r["backend"] and b["name"] == "health")
        print(f"{r['backend']:11} {r['name']:16} {r['rps']:7.0f}  {r['p50']:7.2f}  {r['p90']:7.2f}"
              f"  {r['p99']:7.2f}  {r['rps'] / base['rps']:8.2f}  {r['non_2xx']:7}")
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "raw"}
                                         for r in results], indent=2))
    bad = [r for r in results if r["non_2xx"] > 0.01 * r["requests"]]
    if bad:
        sys.exit("Quá 1 % câu trả lời không phải 2xx / more than 1 % non-2xx answers: "
                 + ", ".join(f"{r['backend']}/{r['name']}" for r in bad))


if __name__ == "__main__":
    main()
