"""The access log written by group commit, on the event loop, for API routes that answer many
requests a second.

Every answer carrying personal data writes its access-log row *before* it is sent (Decree 13/2023:
every processing is recorded; an answer whose record cannot be written is not given). One
transaction per request would make the commit the bottleneck: on SQLite the writers of all worker
processes queue on one lock, on PostgreSQL each commit is a WAL flush and a round trip.

:class:`AccessLogWriter` commits for many requests at once. A request calls ``await
writer.write(entry)``: the entry joins the pending batch and the request waits until the batch is
committed. One flush runs at a time per worker process; while it runs, newly arriving entries form
the next batch. An idle server therefore commits each entry at once (a batch of one, no added
delay), a busy one as many entries per transaction as arrived during the previous commit. If a
commit fails, every request of that batch gets :class:`AccessLogUnavailable` (503) and no data.

The flush runs on the event loop, not on a thread: a thread that has to win the GIL back from a
busy event loop after each driver call waits up to the 5 ms switch interval every time, and the
requests of its batch with it (measured: p99 of 150–280 ms under load).

* **SQLite** (:class:`SqliteSink`): its own connection; the write lock is taken with ``BEGIN
  IMMEDIATE`` without SQLite's busy handler (which would sleep on the loop): when another process
  holds it, the flush awaits a short ``asyncio.sleep`` and tries again. The inserts of a batch and the
  commit (WAL, ``synchronous=NORMAL``: no fsync) take well under a millisecond. Each insert links its
  row into the log's hash chain (``auth/access_log.py``: the same statement as every other writer).
* **PostgreSQL** (:class:`PostgresSink`): one asyncpg connection per worker; each entry and its
  subjects in one statement (a data-modifying CTE), the batch pipelined (``executemany``) in one
  transaction. The trigger of migration 0009 links each row into the hash chain.

The statements are compiled from the Core tables in ``store/schema.py``; values go through the
column types' bind processors, so rows read back through SQLAlchemy exactly as if written by it
(``auth/access_log.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam

from datdai.access.access_log import GENESIS, SQLITE_CHAIN_INSERT, entry_row
from datdai.access.users import utcnow
from datdai.db.engine import register_sqlite_functions
from datdai.db.fast_reads import asyncpg_connect_args
from datdai.db.schema import access_log, access_log_subjects
from datdai.db.store import Store
from datdai.kernel.errors import Unavailable

__all__ = ["AccessLogUnavailable", "AccessLogWriter", "Entry", "open_writer"]

ENTRY_COLUMNS = ("at", "username", "role", "action", "resource", "purpose", "client_ip", "subject_count",
                 "content_hash")
LOCK_WAIT_SECONDS = 10.0  # as the store's busy_timeout


class AccessLogUnavailable(Unavailable):
    """The access-log row could not be written: the answer must not be sent."""


@dataclass(frozen=True)
class Entry:
    username: str
    role: str
    action: str
    resource: str
    purpose: str
    subjects: Sequence[str] = ()
    client_ip: str | None = None
    at: dt.datetime = field(default_factory=utcnow)

    def row(self) -> tuple[dict, list[str]]:
        return entry_row(username=self.username, role=self.role, action=self.action, resource=self.resource,
                         purpose=self.purpose, subjects=self.subjects, client_ip=self.client_ip, at=self.at)


class SqliteSink:
    def __init__(self, store: Store) -> None:
        dialect = store.engine.dialect
        subject = access_log_subjects.insert().values(log_id=bindparam("log_id"),
                                                      subject=bindparam("subject")).compile(dialect=dialect)
        self.entry_sql = SQLITE_CHAIN_INSERT  # named parameters, linked into the hash chain
        self.subject_sql, self.subject_order = str(subject), tuple(subject.positiontup)
        at_type = access_log.c.at.type
        self.at_processor = at_type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
        self.conn = sqlite3.connect(store.engine.url.database, isolation_level=None, check_same_thread=False)
        register_sqlite_functions(self.conn)
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=0")  # never sleep on the event loop: see _begin

    async def _begin(self) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        delay = 0.0005
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.008)

    async def commit(self, entries: list[Entry]) -> None:
        await self._begin()
        try:
            cur = self.conn.cursor()
            subjects = []
            for e in entries:
                row, unique = e.row()
                row["at"] = self.at_processor(row["at"])
                row["genesis"] = GENESIS
                cur.execute(self.entry_sql, row)
                log_id = cur.lastrowid
                subjects.extend({"log_id": log_id, "subject": s} for s in unique)
            if subjects:
                cur.executemany(self.subject_sql, [[s[c] for c in self.subject_order] for s in subjects])
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        self.conn.close()


class PostgresSink:
    """A whole batch in one statement (atomic on its own: no BEGIN/COMMIT round trips): the
    entries' ids drawn from the table's sequence, the entries and their subjects inserted from
    arrays. One statement per entry cost PostgreSQL about twice the CPU (measured under wrk)."""

    def __init__(self, store: Store) -> None:
        self.connect_args = asyncpg_connect_args(store.engine.url)
        log, subj = access_log.name, access_log_subjects.name
        types = {c: _PG_ARRAY_TYPES[type(access_log.c[c].type).__name__] for c in ENTRY_COLUMNS}
        arrays = ", ".join(f"${i}::{types[c]}[]" for i, c in enumerate(ENTRY_COLUMNS, 1))
        cols = ", ".join(ENTRY_COLUMNS)
        n = len(ENTRY_COLUMNS)
        self.sql = (
            f"WITH rows AS (SELECT nextval(pg_get_serial_sequence('{log}', 'id')) AS id, u.* "
            f"FROM unnest({arrays}) WITH ORDINALITY AS u({cols}, ord)), "
            f"e AS (INSERT INTO {log} (id, {cols}) SELECT id, {cols} FROM rows) "
            f"INSERT INTO {subj} (log_id, subject) SELECT rows.id, s.subject "
            f"FROM unnest(${n + 1}::bigint[], ${n + 2}::text[]) AS s(ord, subject) JOIN rows ON rows.ord = s.ord")
        self.conn = None

    async def _connection(self):
        import asyncpg

        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncpg.connect(**self.connect_args)
        return self.conn

    async def commit(self, entries: list[Entry]) -> None:
        conn = await self._connection()
        columns: dict[str, list] = {c: [] for c in ENTRY_COLUMNS}
        subject_ord: list[int] = []
        subjects: list[str] = []
        for i, e in enumerate(entries, 1):
            row, unique = e.row()
            for c in ENTRY_COLUMNS:
                columns[c].append(row[c])
            subject_ord.extend([i] * len(unique))
            subjects.extend(unique)
        await conn.execute(self.sql, *columns.values(), subject_ord, subjects)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()


_PG_ARRAY_TYPES = {"DateTime": "timestamptz", "String": "text", "Text": "text", "Integer": "int"}


class AccessLogWriter:
    def __init__(self, sink: SqliteSink | PostgresSink) -> None:
        self.sink = sink
        self._pending: list[tuple[Entry, asyncio.Future]] = []
        self._flushing = False
        self.batches = 0  # committed transactions (for tests and the benchmark)
        self.entries = 0

    async def write(self, entry: Entry) -> None:
        """Returns once ``entry`` is committed; raises :class:`AccessLogUnavailable` if it cannot be."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._pending.append((entry, done))
        if not self._flushing:
            self._flushing = True
            loop.create_task(self._flush())
        await asyncio.shield(done)  # a cancelled request still has its row written

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self.sink.commit([e for e, _ in batch])
                except Exception as exc:  # noqa: BLE001 - every waiter learns of it
                    error = AccessLogUnavailable(f"{type(exc).__name__}: {exc}")
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                else:
                    self.batches += 1
                    self.entries += len(batch)
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._flushing = False

    async def close(self) -> None:
        await self.sink.close()


def open_writer(store: Store) -> AccessLogWriter:
    return AccessLogWriter(SqliteSink(store) if store.backend == "sqlite" else PostgresSink(store))
