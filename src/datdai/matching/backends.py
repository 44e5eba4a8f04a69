"""Where the heavy part of reconciliation runs: DuckDB in this process, or Apache Spark.

The ID stages, the blocking and the Splink model (:mod:`datdai.matching.model`) are written once
in SQL that both engines accept; a backend gives them a place to create tables, Splink's database
API for that engine and the engine's name for Jaro–Winkler similarity. The decisions over the few
best candidates per owner row are taken afterwards in DuckDB, by the same code for both.
"""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from datdai.compute.spark_engine import SparkEngine
from datdai.matching.comparisons import DUCKDB, SPARK

MEMORY_LIMIT = "6GB"  # DuckDB's own; spills to disk beyond
DUCKDB_CONFIG = {"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=DUCKDB_CONFIG)
    con.execute("SET enable_progress_bar = false")  # the CLI draws its own
    return con


class DuckDBBackend:
    """Tables in one DuckDB connection, which also takes the decisions."""

    name = "duckdb"
    jaro_winkler = "jaro_winkler_similarity"
    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.con = con if con is not None else _connect()

    def put(self, name: str, table: pa.Table) -> None:
        """``table`` readable as ``name``: a view over the Arrow table, no copy."""
        self.con.register(name, table)

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def scalar(self, sql: str):
        return self.con.execute(sql).fetchall()[0][0]

    def row(self, sql: str) -> tuple:
        return self.con.execute(sql).fetchall()[0]

    def splink_api(self):
        from splink.backends.duckdb import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def local(self, names: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection holding ``names`` (here they already are)."""
        return self.con

    def trainer(self, names: tuple[str, ...]) -> DuckDBBackend:
        """Where the model trains on the sample tables ``names``: here."""
        return self

    def close(self) -> None:
        self.con.close()


class SparkBackend:
    """Tables as cached Spark views (local mode unless ``SPARK_REMOTE``/``SPARK_MASTER`` say
    otherwise, see :class:`~datdai.compute.spark_engine.SparkEngine`); the few best candidates
    per owner row and the ID pairs come back to a DuckDB connection for the decisions."""

    name = "spark"
    jaro_winkler = "jaro_winkler"  # Splink's Scala UDF, registered by SparkAPI
    dialect = SPARK

    def __init__(self, master: str | None = None) -> None:
        partitions = int(os.environ.get("DATDAI_SPARK_PARTITIONS", "8"))
        self.engine = SparkEngine(master=master, partitions=partitions,
                                  app_name="datdai-reconcile")
        self.spark = self.engine.spark
        from splink.backends.spark import SparkAPI

        # registers Splink's Scala UDFs (jaro_winkler, …) with the session
        self._api = SparkAPI(spark_session=self.spark, break_lineage_method="persist")
        self.con = _connect()

    def put(self, name: str, table: pa.Table) -> None:
        # Spark's Arrow conversion takes no dictionary-encoded columns: plain text
        table = table.cast(pa.schema([
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema]))
        self.engine.put(name, table)
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")

    def create(self, name: str, sql: str) -> None:
        self.engine.create(name, sql)

    def scalar(self, sql: str):
        return self.spark.sql(sql).collect()[0][0]

    def row(self, sql: str) -> tuple:
        return tuple(self.spark.sql(sql).collect()[0])

    def splink_api(self):
        return self._api

    def local(self, names: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
        """Bring the Spark tables ``names`` into the DuckDB connection."""
        for name in names:
            table = self.engine.query(f"SELECT * FROM {name}")
            self.con.register(f"{name}_arrow", table)
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
            self.con.unregister(f"{name}_arrow")
        return self.con

    def trainer(self, names: tuple[str, ...]) -> DuckDBBackend:
        """Where the model trains on the sample tables ``names`` (bounded in size, see
        :mod:`datdai.matching.match`): brought to this process's DuckDB connection, where
        Splink's many small training queries take milliseconds instead of a Spark job each."""
        return DuckDBBackend(self.local(names))

    def close(self) -> None:
        self.engine.close()
        self.con.close()


def backend(engine: str):
    if engine == "duckdb":
        return DuckDBBackend()
    if engine == "spark":
        return SparkBackend()
    raise ValueError(f"--engine phải là duckdb hoặc spark, không phải '{engine}'")
