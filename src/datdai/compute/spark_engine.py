"""Apache Spark: the same preparation functions and rule SQL as DuckDB, for national batches.

Local mode by default (``local[2]``); ``SPARK_REMOTE`` (Spark Connect) or a ``master`` URL
(``SPARK_MASTER=spark://host:7077``, a standalone cluster: scripts/spark-cluster.sh starts one
on this machine) runs it on a cluster. Input streams (``put_batches``) are written as Parquet
folders — by province and commune when the caller says how — under a work folder the executors
can read (``DATDAI_SPARK_WORK``; on a cluster a shared filesystem), and read by the executors:
the driver never holds a whole table. Batch-independent Python functions run through
``mapInArrow``, grouped ones through ``groupBy(...).applyInArrow``; intermediate tables are
local checkpoints on the executors (lineage cut); results are written by the executors
(``write_csv``). The executors import datdai from where the driver does (``PYTHONPATH`` is passed
on): on a cluster of several machines, install the same version on each.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads

from datdai.compute.base import Dialect, Engine, Partition, sql_str


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
                 app_name: str = "datdai", work_dir: str | Path | None = None) -> None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        work = work_dir or os.environ.get("DATDAI_SPARK_WORK")
        self._own_work = work is None
        self.work_dir = Path(work) if work else Path(tempfile.mkdtemp(prefix="datdai-spark-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        b = SparkSession.builder.appName(app_name)
        if os.environ.get("SPARK_REMOTE"):
            b = b.remote(os.environ["SPARK_REMOTE"])
        else:
            master = master or os.environ.get("SPARK_MASTER", "local[2]")
            b = b.master(master)
            if not master.startswith("local"):
                # the executors' Python finds datdai where this process found it
                src = str(Path(__file__).resolve().parents[2])
                path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
                b = (b.config("spark.executorEnv.PYTHONPATH", path)
                     .config("spark.executor.memory",
                             os.environ.get("DATDAI_SPARK_EXECUTOR_MEMORY", "1g")))
            from splink.backends.spark import similarity_jar_location

            # Splink's Scala similarity functions (jaro_winkler, …) for reconciliation
            b = (b.config("spark.jars", similarity_jar_location())
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.memory", os.environ.get("DATDAI_SPARK_MEMORY", "4g"))
                 .config("spark.sql.shuffle.partitions", str(partitions))
                 .config("spark.default.parallelism", str(partitions)))
        b = (b.config("spark.sql.ansi.enabled", "false")
             # partition folders hold codes ("07120"): text, never numbers
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.session.timeZone", "UTC"))
        self.spark = b.getOrCreate()
        if not os.environ.get("SPARK_REMOTE"):
            self.spark.sparkContext.setLogLevel("ERROR")
        self.dialect = SparkDialect()
        self.partitions = partitions
        self._schemas: dict[str, pa.Schema] = {}
        self._frames: dict[str, object] = {}

    def _register(self, name: str, df, schema: pa.Schema, checkpoint: bool = True) -> None:
        # kept on the executors once computed, its lineage cut: a table built from tables
        # built from tables would otherwise carry (and re-analyse) the whole plan of every
        # table before it, which grows with each step until the driver runs out of memory
        # (a 1,500-parcel reconciliation did, with 4 GB)
        if checkpoint:
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

    def put_batches(self, name: str, schema: pa.Schema, batches: Iterable,
                    partition: Partition | None = None) -> None:
        """Write the stream as Parquet under the work folder (hive folders by the keys of
        ``partition``, e.g. ``tinh=70/xa=25345``), one batch at a time, then let the executors
        read it."""
        schema = pa.schema([f.with_type(pa.string()) if f.type == pa.large_string() else f
                            for f in schema], metadata=schema.metadata)
        dest = self.work_dir / f"{name}-{uuid.uuid4().hex[:8]}"
        rows = 0
        keys: list[str] = []

        def stream():
            nonlocal rows, keys
            for b in batches:
                t = b if isinstance(b, pa.Table) else pa.Table.from_batches([b])
                if t.num_rows == 0:
                    continue
                t = t.select(schema.names).cast(schema)
                rows += t.num_rows
                if partition is not None:
                    for key, values in partition(t).items():
                        if key not in keys:
                            keys.append(key)
                        t = t.append_column(pa.field(key, pa.string()), values)
                yield from t.to_batches()

        first = partition(schema.empty_table()) if partition is not None else {}
        full = pa.schema(list(schema) + [pa.field(k, pa.string()) for k in first],
                         metadata=schema.metadata)
        pads.write_dataset(
            stream(), dest, schema=full, format="parquet",
            partitioning=list(first) or None, partitioning_flavor="hive" if first else None,
            basename_template="part-{i}.parquet", existing_data_behavior="overwrite_or_ignore",
            max_partitions=1_000_000, max_open_files=256, create_dir=True)
        if rows == 0:
            self.put(name, schema.empty_table())
            return
        df = (self.spark.read.option("basePath", str(dest)).parquet(str(dest))
              .select(*schema.names))
        self._register(name, df, schema, checkpoint=False)

    def write_csv(self, sql: str, path: str | Path) -> None:
        """The executors write the rows (in the query's order) as CSV part files, each line
        formatted in SQL like the local writer's (text quoted, quotes doubled, nulls empty);
        this process only adds the header and joins the parts, byte for byte."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType

        df = self.spark.sql(sql)
        cells = []
        for f in df.schema.fields:
            c = F.col(f"`{f.name}`")
            if isinstance(f.dataType, StringType):
                cell = F.concat(F.lit('"'), F.regexp_replace(c, '"', '""'), F.lit('"'))
            else:
                cell = c.cast("string")
            cells.append(F.coalesce(cell, F.lit("")))
        parts = self.work_dir / f"csv-{uuid.uuid4().hex[:8]}"
        df.select(F.concat_ws(",", *cells).alias("line")).write.text(str(parts))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write((",".join(f'"{f.name}"' for f in df.schema.fields) + "\n").encode())
                for part in sorted(parts.glob("part-*")):
                    with part.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def create(self, dest: str, sql: str) -> None:
        from pyspark.sql.pandas.types import to_arrow_schema

        df = self.spark.sql(sql)
        # the schema from the plan: no Spark job just to learn it
        self._register(dest, df, to_arrow_schema(df.schema, timezone="UTC"))

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
        if self._own_work:
            shutil.rmtree(self.work_dir, ignore_errors=True)
