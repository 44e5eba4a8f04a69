"""Fast reads for the hottest API routes, on the event loop, without the ORM/Core execution layer.

The parcel lookup by key and C06's ``land-by-citizen`` are load-benchmark targets (issue 6: 3,000
requests/s on SQLite, 2,000 on PostgreSQL with p99 under 50 ms, on 2 cores). Measured per request,
one indexed SELECT costs ≈ 70 µs through a SQLAlchemy ``Connection`` against ≈ 10 µs on the
driver's cursor, and handing the work to a thread costs more than the query itself. So these routes
read here:

* The statements are still written with SQLAlchemy Core (one source of truth with the rest of
  the store); :class:`Read` compiles each once per dialect, with ``construct_expanded_state`` for
  ``IN`` lists (cached by list length), and runs the SQL text on the driver.
* **SQLite**: one ``sqlite3`` connection per worker process, ``query_only``, used on the event loop.
  A read never waits in WAL mode (readers do not block on writers), and an indexed lookup takes
  tens of µs, less than a thread hop. Each :meth:`Reader.session` is one read transaction, so the
  queries of a request see one snapshot.
* **PostgreSQL**: an ``asyncpg`` pool (each statement prepared once per connection); the event
  loop goes on serving other requests during the round trips. Each query is its own statement
  (autocommit): the two reads of a request may see two snapshots.

Rows come back as named tuples with the select's column keys. Types are the driver's: on SQLite a
``Date`` is its ISO text and a ``Numeric`` a float, on PostgreSQL a ``date`` and a ``Decimal`` —
callers convert (``float(x)``, ``str``/``date`` both allowed for dates).

Writes (the access-log row of each answer) do not go through here: see ``access/access_writer.py``.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import URL, Dialect, make_url

from datdai.db.store import Store

__all__ = ["Read", "Reader", "as_float", "asyncpg_connect_args", "iso_date", "open_reader"]


def as_float(v) -> float | None:
    """A raw ``Numeric``/``Float`` value (float, int or Decimal) as a float."""
    return None if v is None else float(v)


def iso_date(v: dt.date | str | None) -> str | None:
    """A raw ``Date`` value (a date, or ISO text on SQLite) as ``yyyy-mm-dd``."""
    return v if v is None or isinstance(v, str) else v.isoformat()


class Read:
    """A Core ``select`` compiled for raw execution. ``expanding`` names its expanding ``IN``
    parameter, if any (its SQL is built per list length and cached)."""

    def __init__(self, statement: Select, expanding: str | None = None) -> None:
        self.statement = statement
        self.expanding = expanding
        self.row = collections.namedtuple("Row", statement.selected_columns.keys(), rename=True)
        self._compiled: dict[tuple[str, int], tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def sql(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Sequence[Any] | Mapping[str, Any]]:
        """The SQL text and driver parameters for ``params``."""
        n = len(params[self.expanding]) if self.expanding else 0
        key = (dialect.name, n)
        entry = self._compiled.get(key)
        if entry is None:
            compiled = self.statement.compile(dialect=dialect)
            # the statement's own values (literals) fill what the caller does not give
            defaults = {k: v for k, v in compiled.params.items() if k not in params}
            sample = {**defaults, **params}
            if self.expanding:
                sample[self.expanding] = list(range(n))
            state = compiled.construct_expanded_state(sample)
            names = tuple(state.positiontup) if state.positiontup is not None else None
            entry = self._compiled[key] = (state.statement, names, defaults)
        text, names, defaults = entry
        values = {**defaults, **params} if defaults else dict(params)
        if self.expanding:
            for i, v in enumerate(values.pop(self.expanding), 1):
                values[f"{self.expanding}_{i}"] = v
        if names is not None:  # positional (qmark) driver
            return text, [values[name] for name in names]
        return text, values


class Reader:
    """Raw reads of one worker process; :meth:`session` gives a :class:`ReadSession`."""

    dialect: Dialect

    def session(self):  # pragma: no cover - interface
        raise NotImplementedError

    async def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SqliteReader(Reader):
    def __init__(self, store: Store) -> None:
        self.dialect = store.engine.dialect
        database = store.engine.url.database
        # autocommit mode (isolation_level=None): BEGIN/COMMIT below delimit each read snapshot
        self.conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA query_only=ON")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.lock = asyncio.Lock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqliteSession]:
        async with self.lock:  # one snapshot at a time on the one connection
            self.conn.execute("BEGIN")
            try:
                yield SqliteSession(self)
            finally:
                self.conn.execute("COMMIT")

    async def close(self) -> None:
        self.conn.close()


class SqliteSession:
    def __init__(self, reader: SqliteReader) -> None:
        self.reader = reader

    async def fetch(self, read: Read, params: Mapping[str, Any]) -> list[Any]:
        text, values = read.sql(self.reader.dialect, params)
        make = read.row._make
        return [make(r) for r in self.reader.conn.execute(text, values)]


def asyncpg_connect_args(url: str | URL) -> dict[str, Any]:
    """``asyncpg.connect`` keyword arguments for a SQLAlchemy PostgreSQL URL; libpq's ``options``
    (``-c name=value``, as the tests' ``search_path``) become ``server_settings``."""
    u = make_url(url)
    args: dict[str, Any] = {"host": u.host, "port": u.port, "user": u.username, "password": u.password,
                            "database": u.database}
    settings: dict[str, str] = {}
    for name, value in u.query.items():
        values = value if isinstance(value, tuple) else (value,)
        if name == "options":
            for v in values:
                settings.update(re.findall(r"(?:-c\s*|--)([A-Za-z_][\w.]*)=(\S+)", v))
        elif name == "application_name":
            settings[name] = values[-1]
        elif name == "connect_timeout":
            args["timeout"] = float(values[-1])
        elif name == "sslmode":
            args["ssl"] = values[-1]
    if settings:
        args["server_settings"] = settings
    return {k: v for k, v in args.items() if v is not None}


POOL_ENV = "DATDAI_PG_READ_POOL"
DEFAULT_POOL = 8


def read_pool_size() -> int:
    """Connections of each worker's read pool (``DATDAI_PG_READ_POOL``, default 8): a request holds
    one only for its query's round trip. Under wrk (2 workers, 64 connections) 8 and 16 did about
    equally, 2 and 4 clearly worse (requests queue for a connection while PostgreSQL idles)."""
    try:
        return max(1, int(os.environ.get(POOL_ENV, DEFAULT_POOL)))
    except ValueError:
        return DEFAULT_POOL


class PostgresReader(Reader):
    """asyncpg: its protocol is compiled (Cython), and per query it cost less than half of psycopg's
    async path in Python (measured with py-spy under wrk: ``AsyncConnection.wait`` and the pipeline
    code were a third of a worker's time)."""

    def __init__(self, store: Store, *, min_size: int = 2, max_size: int | None = None) -> None:
        from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

        max_size = max_size or read_pool_size()
        min_size = min(min_size, max_size)

        self.dialect = asyncpg_dialect.dialect()  # compiles to asyncpg's $n parameters
        self.connect_args = asyncpg_connect_args(store.engine.url)
        self.min_size, self.max_size = min_size, max_size
        self.pool = None
        self._open_lock = asyncio.Lock()

    async def _pool(self):
        if self.pool is None:
            async with self._open_lock:
                if self.pool is None:
                    import asyncpg

                    self.pool = await asyncpg.create_pool(min_size=self.min_size, max_size=self.max_size,
                                                          reset=_keep_session, **self.connect_args)
        return self.pool

    @asynccontextmanager
    async def session(self) -> AsyncIterator[PostgresSession]:
        pool = await self._pool()
        async with pool.acquire() as conn:
            yield PostgresSession(self, conn)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


async def _keep_session(_conn) -> None:
    """The pool's reset on release. asyncpg's default runs ``RESET ALL``, ``UNLISTEN *``,
    ``pg_advisory_unlock_all()``… on every release: a round trip and PostgreSQL work per request
    (pg_stat_statements under the API benchmark: one reset per lookup). The reads here change no
    session state (no SET, LISTEN, advisory lock or cursor), so there is nothing to reset; an open
    transaction is still rolled back by asyncpg before this is called."""


class PostgresSession:
    def __init__(self, reader: PostgresReader, conn) -> None:
        self.reader = reader
        self.conn = conn

    async def fetch(self, read: Read, params: Mapping[str, Any]) -> list[Any]:
        text, values = read.sql(self.reader.dialect, params)
        make = read.row._make
        return [make(r) for r in await self.conn.fetch(text, *values)]


def open_reader(store: Store) -> Reader:
    if store.backend == "sqlite":
        return SqliteReader(store)
    return PostgresReader(store)
