"""What every engine offers, and the SQL dialect differences the rules must not care about."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import pyarrow as pa


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Dialect:
    """SQL that differs between DuckDB and Spark SQL. Everything else the rules write is the
    common subset (CASE, COALESCE, concat, printf, abs, sqrt, greatest, lower, trim,
    translate, joins, GROUP BY, window ROW_NUMBER)."""

    name = "common"

    def regex_replace(self, expr: str, pattern: str, repl: str) -> str:
        """Replace every match."""
        raise NotImplementedError

    def regex_match(self, expr: str, pattern: str) -> str:
        """True when the pattern matches somewhere in expr."""
        raise NotImplementedError

    def join_distinct(self, expr: str, sep: str) -> str:
        """Aggregate: the distinct non-null values, sorted, joined by sep."""
        raise NotImplementedError


class Engine(ABC):
    dialect: Dialect
    name: str

    @abstractmethod
    def put(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name``."""

    def put_batches(self, name: str, schema: pa.Schema, batches) -> None:
        """Make a stream of Arrow record batches (or tables) queryable as ``name``."""
        tables = [b if isinstance(b, pa.Table) else pa.Table.from_batches([b]) for b in batches]
        self.put(name, pa.concat_tables([t.cast(schema) for t in tables]) if tables
                 else schema.empty_table())

    @abstractmethod
    def query(self, sql: str) -> pa.Table:
        """Run a query, return the result as Arrow."""

    @abstractmethod
    def create(self, dest: str, sql: str) -> None:
        """Make the result of a query available as table ``dest`` (kept in the engine)."""

    @abstractmethod
    def map_batches(self, src: str, fn: Callable[[pa.Table], pa.Table], schema: pa.Schema,
                    dest: str) -> None:
        """``dest`` = ``fn`` applied to any batches of the rows of ``src`` (``fn`` must look
        only at the rows it is given)."""

    @abstractmethod
    def map_groups(self, src: str, key: str, fn: Callable[[pa.Table], pa.Table],
                   schema: pa.Schema, dest: str) -> None:
        """``dest`` = ``fn`` applied to the rows of ``src`` by groups of equal ``key`` (a call
        may get several whole groups, never part of one)."""

    def drop(self, *names: str) -> None:  # noqa: B027 - optional: free intermediate tables
        """Forget tables no longer needed (frees their memory)."""

    def count(self, name: str) -> int:
        return int(self.query(f"SELECT count(*) AS n FROM {name}")["n"][0].as_py())

    def close(self) -> None:  # noqa: B027 - optional
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
