"""DuckDB: the local default. Arrow tables are registered zero-copy; groups are mapped on a
small thread pool so both cores work on the geometry."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.engines.base import Dialect, Engine, sql_str


class DuckDBDialect(Dialect):
    name = "duckdb"

    def regex_replace(self, expr: str, pattern: str, repl: str) -> str:
        return f"regexp_replace({expr}, {sql_str(pattern)}, {sql_str(repl)}, 'g')"

    def regex_match(self, expr: str, pattern: str) -> str:
        return f"regexp_matches({expr}, {sql_str(pattern)})"

    def join_distinct(self, expr: str, sep: str) -> str:
        return f"string_agg(DISTINCT {expr}, {sql_str(sep)} ORDER BY {expr})"


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, workers: int | None = None, memory_limit: str | None = None) -> None:
        self.dialect = DuckDBDialect()
        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = {sql_str(memory_limit)}")
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._tables: dict[str, pa.Table] = {}

    def put(self, name: str, table: pa.Table) -> None:
        self._tables[name] = table
        self.con.register(name, table)

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def create(self, dest: str, sql: str) -> None:
        self.put(dest, self.query(sql))

    def map_batches(self, src: str, fn, schema: pa.Schema, dest: str) -> None:
        self.put(dest, fn(self._tables[src]).cast(schema))

    def map_groups(self, src: str, key: str, fn, schema: pa.Schema, dest: str) -> None:
        table = self._tables[src]
        if table.num_rows == 0:
            self.put(dest, schema.empty_table())
            return
        # Sort by key and cut into one row-balanced part per worker, never inside a group.
        table = table.take(pc.sort_indices(table[key]))
        sizes = table.group_by(key, use_threads=False).aggregate(
            [([], "count_all")])["count_all"].to_numpy()
        n_parts = max(1, min(self.workers, len(sizes)))
        ends = np.cumsum(sizes)
        cuts = sorted({int(ends[np.searchsorted(ends, table.num_rows * k / n_parts)])
                       for k in range(1, n_parts)} | {table.num_rows})
        parts, start = [], 0
        for end in cuts:
            if end > start:
                parts.append(table.slice(start, end - start))
            start = end
        if len(parts) == 1:
            results = [fn(parts[0])]
        else:
            # shapely 2 releases the GIL inside its vectorised GEOS calls: threads are enough,
            # and nothing has to be pickled.
            with ThreadPoolExecutor(max_workers=len(parts)) as pool:
                results = list(pool.map(fn, parts))
        results = [r.cast(schema) for r in results if r.num_rows]
        self.put(dest, pa.concat_tables(results) if results else schema.empty_table())

    def close(self) -> None:
        self.con.close()
