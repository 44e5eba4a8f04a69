"""DuckDB: the local default.

Tables live in DuckDB (in memory, or in a database file when ``path`` is given, so a delivery
larger than memory spills to disk). Python functions are streamed over record batches
(``map_batches``) or over chunks of whole groups (``map_groups``) on a small thread pool:
shapely 2 and Arrow compute release the GIL, so both cores work and nothing is pickled.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pyarrow as pa

from datdai.compute.base import Dialect, Engine, sql_str


class DuckDBDialect(Dialect):
    name = "duckdb"

    def regex_replace(self, expr: str, pattern: str, repl: str) -> str:
        return f"regexp_replace({expr}, {sql_str(pattern)}, {sql_str(repl)}, 'g')"

    def regex_match(self, expr: str, pattern: str) -> str:
        return f"regexp_matches({expr}, {sql_str(pattern)})"

    def join_distinct(self, expr: str, sep: str) -> str:
        return f"string_agg(DISTINCT {expr}, {sql_str(sep)} ORDER BY {expr})"


def _ordered_parallel(fn: Callable, items: Iterable, workers: int) -> Iterator:
    """``map(fn, items)`` on ``workers`` threads, in order, with at most 2 × workers in flight
    (so a stream of batches is never read ahead into memory)."""
    if workers <= 1:
        yield from map(fn, items)
        return
    it = iter(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = [pool.submit(fn, x) for x in itertools.islice(it, 2 * workers)]
        while pending:
            done = pending.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(fn, nxt))
            yield done.result()


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, path: str | None = None, workers: int | None = None,
                 memory_limit: str | None = None, batch_rows: int = 250_000) -> None:
        self.dialect = DuckDBDialect()
        self.con = duckdb.connect(path or ":memory:")
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = {sql_str(memory_limit)}")
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.batch_rows = batch_rows
        self._n = 0
        self._lock = threading.Lock()

    # -- tables ----------------------------------------------------------------------------
    def _tmp(self) -> str:
        with self._lock:
            self._n += 1
            return f"__arrow_{self._n}"

    def put(self, name: str, table: pa.Table) -> None:
        self.put_batches(name, table.schema, [table])

    def put_batches(self, name: str, schema: pa.Schema, batches: Iterable[pa.Table],
                    partition=None) -> None:
        """Create table ``name`` from a stream of Arrow tables or record batches (one table in
        this process: ``partition`` is not needed)."""
        schema = pa.schema([f.with_type(pa.string()) if f.type == pa.large_string() else f
                            for f in schema])
        tmp = self._tmp()
        con = self.con.cursor()  # one connection per call: callers may run steps on threads
        con.register(tmp, schema.empty_table())
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {tmp}")
        con.unregister(tmp)
        pending: list[pa.Table] = []
        rows = 0

        def flush() -> None:
            nonlocal pending, rows
            if not pending:
                return
            chunk = pa.concat_tables([p.cast(schema) for p in pending])
            con.register(tmp, chunk)
            con.execute(f"INSERT INTO {name} SELECT * FROM {tmp}")
            con.unregister(tmp)
            pending, rows = [], 0

        # Inserting a few large chunks is much cheaper than many small batches.
        for b in batches:
            if b.num_rows == 0:
                continue
            pending.append(b if isinstance(b, pa.Table) else pa.Table.from_batches([b]))
            rows += b.num_rows
            if rows >= self.batch_rows:
                flush()
        flush()
        con.close()

    def drop(self, *names: str) -> None:
        con = self.con.cursor()
        try:
            for n in names:
                con.execute(f"DROP TABLE IF EXISTS {n}")
        finally:
            con.close()

    def query(self, sql: str) -> pa.Table:
        con = self.con.cursor()
        try:
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()

    def create(self, dest: str, sql: str) -> None:
        con = self.con.cursor()
        try:
            con.execute(f"CREATE OR REPLACE TABLE {dest} AS {sql}")
        finally:
            con.close()

    # -- Python over rows --------------------------------------------------------------------
    def _batches(self, sql: str) -> Iterator[pa.Table]:
        reader = self.con.cursor().sql(sql).to_arrow_reader(self.batch_rows)
        for batch in reader:
            yield pa.Table.from_batches([batch])

    def map_batches(self, src: str, fn, schema: pa.Schema, dest: str) -> None:
        results = _ordered_parallel(lambda t: fn(t).cast(schema),
                                    self._batches(f"SELECT * FROM {src}"), self.workers)
        self.put_batches(dest, schema, results)

    def map_groups(self, src: str, key: str, fn, schema: pa.Schema, dest: str) -> None:
        sizes = self.con.cursor().execute(
            f"SELECT {key}, count(*) FROM {src} GROUP BY {key} ORDER BY {key}").fetchall()
        if not sizes:
            self.put(dest, schema.empty_table())
            return
        # Chunks of whole groups, about batch_rows each (at least one per worker).
        total = sum(n for _, n in sizes)
        target = max(1, min(self.batch_rows, -(-total // self.workers)))
        ranges, lo, acc = [], sizes[0][0], 0
        for i, (k, n) in enumerate(sizes):
            acc += n
            if acc >= target or i == len(sizes) - 1:
                ranges.append((lo, k))
                acc = 0
                if i + 1 < len(sizes):
                    lo = sizes[i + 1][0]

        def chunk(r):
            a, b = r
            part = self.con.cursor().sql(
                f"SELECT * FROM {src} WHERE {key} BETWEEN {int(a)} AND {int(b)}").to_arrow_table()
            return fn(part).cast(schema)

        self.put_batches(dest, schema, _ordered_parallel(chunk, ranges, self.workers))

    def close(self) -> None:
        self.con.close()
