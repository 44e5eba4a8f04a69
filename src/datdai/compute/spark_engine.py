"""Apache Spark: the same preparation functions and rule SQL as DuckDB, for national batches.

Local mode by default (``local[2]``); ``SPARK_REMOTE`` (Spark Connect) or a ``master`` URL
runs it on a cluster. Batch-independent Python functions run through ``mapInArrow``, grouped
ones through ``groupBy(...).applyInArrow``; intermediate tables are local checkpoints on the
executors (lineage cut).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import pyarrow as pa

from datdai.compute.base import Dialect, Engine, sql_str


class SparkDialect(Dialect):
    name = "spark"

    def regex_replace(self, expr: str, pattern: str, repl: str) -> str:
        return f"regexp_replace({expr}, {sql_str(pattern)}, {sql_str(repl)})"

    def regex_match(self, expr: str, pattern: str) -> str:
        return f"({expr} RLIKE {sql_str(pattern)})"

    def join_distinct(self, expr: str, sep: str) -> str:
        return f"array_join(array_sort(collect_set({expr})), {sql_str(sep)})"


def _spark_schema(schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _batches(fn: Callable[[pa.Table], pa.Table], in_schema: pa.Schema, out_schema: pa.Schema):
    def run(batches):
        for b in batches:
            t = pa.Table.from_batches([b]).cast(in_schema)
            res = fn(t).cast(out_schema)
            yield from res.to_batches()
    return run


def _groups(fn: Callable[[pa.Table], pa.Table], in_schema: pa.Schema, out_schema: pa.Schema):
    def run(table: pa.Table) -> pa.Table:
        return fn(table.cast(in_schema)).cast(out_schema)
    return run


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str | None = None, partitions: int = 4,
                 app_name: str = "datdai") -> None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        b = SparkSession.builder.appName(app_name)
        if os.environ.get("SPARK_REMOTE"):
            b = b.remote(os.environ["SPARK_REMOTE"])
        else:
            b = b.master(master or os.environ.get("SPARK_MASTER", "local[2]"))
            from splink.backends.spark import similarity_jar_location

            # Splink's Scala similarity functions (jaro_winkler, …) for reconciliation
            b = (b.config("spark.jars", similarity_jar_location())
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.memory", os.environ.get("DATDAI_SPARK_MEMORY", "4g"))
                 .config("spark.sql.shuffle.partitions", str(partitions))
                 .config("spark.default.parallelism", str(partitions)))
        b = (b.config("spark.sql.ansi.enabled", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.session.timeZone", "UTC"))
        self.spark = b.getOrCreate()
        if not os.environ.get("SPARK_REMOTE"):
            self.spark.sparkContext.setLogLevel("ERROR")
        self.dialect = SparkDialect()
        self.partitions = partitions
        self._schemas: dict[str, pa.Schema] = {}
        self._frames: dict[str, object] = {}

    def _register(self, name: str, df, schema: pa.Schema) -> None:
        # kept on the executors once computed, its lineage cut: a table built from tables
        # built from tables would otherwise carry (and re-analyse) the whole plan of every
        # table before it, which grows with each step until the driver runs out of memory
        # (a 1,500-parcel reconciliation did, with 4 GB)
        df = df.localCheckpoint(eager=False)
        df.createOrReplaceTempView(name)
        self._frames[name] = df
        self._schemas[name] = schema

    def put(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            df = self.spark.createDataFrame([], _spark_schema(table.schema))
        else:
            df = self.spark.createDataFrame(table).repartition(self.partitions)
        self._register(name, df, table.schema)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def create(self, dest: str, sql: str) -> None:
        df = self.spark.sql(sql)
        self._register(dest, df, df.limit(0).toArrow().schema)

    def map_batches(self, src: str, fn, schema: pa.Schema, dest: str) -> None:
        df = self._frames[src].mapInArrow(_batches(fn, self._schemas[src], schema),
                                          _spark_schema(schema))
        self._register(dest, df, schema)

    def map_groups(self, src: str, key: str, fn, schema: pa.Schema, dest: str) -> None:
        df = self._frames[src].groupBy(key).applyInArrow(
            _groups(fn, self._schemas[src], schema), _spark_schema(schema))
        self._register(dest, df, schema)

    def drop(self, *names: str) -> None:
        for n in names:
            df = self._frames.pop(n, None)
            if df is not None:
                df.unpersist()
                self.spark.catalog.dropTempView(n)

    def close(self) -> None:
        for df in self._frames.values():
            df.unpersist()
        self._frames.clear()
