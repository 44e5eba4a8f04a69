"""What every engine offers, and the SQL dialect differences the rules must not care about."""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

# The partition columns of a table stored by province and commune: ``fn(batch) -> {name: values}``
# (e.g. {"tinh": …, "xa": …}); they name the folders, not columns of the table.
Partition = Callable[[pa.Table], dict[str, pa.Array]]


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

    def put_batches(self, name: str, schema: pa.Schema, batches,
                    partition: Partition | None = None) -> None:
        """Make a stream of Arrow record batches (or tables) queryable as ``name``.
        ``partition`` says how the engine may store it in parts (an engine with workers
        elsewhere writes it as Parquet folders by those keys, read by the workers); an engine
        in this process may ignore it."""
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

    def write_csv(self, sql: str, path: str | Path) -> None:
        """Write the result of a query (text and integer columns) as CSV — header row, text
        quoted, nulls empty — atomically: a failed write leaves no file. Here in this process;
        an engine with workers has them write it."""
        table = self.query(sql)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="needed"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

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
