"""The population register extract in the store: loaded as evidence, versioned, replaced whole.

An extract is one row of ``citizen_extracts`` (the file's name and SHA-256, the day C06
extracted it, how many citizens, when and by whom it was loaded); its citizens are the rows of
``citizens`` tied to it by ``extract_id``. Loading a new extract replaces every citizen row in
the same transaction and keeps the record of the earlier extracts (``replaced_at`` set): what a
past reconciliation was matched against stays known by its hash, while the register's personal
data is kept only once (it is C06's, not ours; a national extract is millions of rows).

Loading streams: the batches are written as they come (PostgreSQL: ``COPY … FROM STDIN``;
SQLite: ``executemany`` on the driver), all in the caller's transaction — a refusal found after
the last batch (a duplicate number) rolls everything back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, String, delete, func, insert, select, text, update

from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.db import schema as s

CITIZEN_COLUMNS = tuple(c.name for c in s.citizens.columns if c.name != "extract_id")
ROW = "dong"  # the spreadsheet row of each citizen in the batches (for the messages)
_REQUIRED_TEXT = {"so_dinh_danh", "ho_ten"}  # kept as read (an empty name stays ""), never null


@dataclass(frozen=True)
class ExtractLoad:
    extract_id: int
    rows: int
    replaced: int | None  # the extract this one replaced
    already_loaded: bool = False  # the same file (same SHA-256) is already the current extract


@dataclass(frozen=True)
class ExtractInfo:
    id: int
    file_name: str | None
    sha256: str | None
    extract_date: dt.date | None
    row_count: int
    loaded_at: dt.datetime
    loaded_by: str | None


def current_extract(conn: Connection) -> ExtractInfo | None:
    """The extract the ``citizens`` rows are from (the last loaded), or None when the store has
    none."""
    e = s.citizen_extracts
    row = conn.execute(select(e).where(e.c.replaced_at.is_(None)).order_by(e.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return ExtractInfo(id=row.id, file_name=row.file_name or row.source, sha256=row.sha256,
                       extract_date=row.extract_date, row_count=row.row_count,
                       loaded_at=row.loaded_at, loaded_by=row.loaded_by)


def _limits() -> dict[str, int]:
    return {c.name: c.type.length for c in s.citizens.columns
            if isinstance(c.type, String) and c.type.length and c.name in CITIZEN_COLUMNS}


def _prepared(batch: pa.Table, problems: ProblemCollector, limits: dict[str, int]) -> pa.Table:
    """The batch's citizen columns, blank optional values as null; values longer than their
    column are added to ``problems`` (with their row)."""
    rows = batch.column(ROW) if ROW in batch.column_names else None
    cols = []
    for name in CITIZEN_COLUMNS:
        v = batch.column(name).combine_chunks() if name in batch.column_names else pa.nulls(batch.num_rows,
                                                                                            pa.string())
        limit = limits.get(name)
        if limit is not None:
            too_long = pc.fill_null(pc.greater(pc.utf8_length(v), limit), False)
            if pc.any(too_long).as_py():
                where = pc.filter(rows, too_long).to_pylist() if rows is not None else [None]
                for r, value in zip(where, pc.filter(v, too_long).to_pylist()):
                    problems.add(f"giá trị '{value[:40]}' dài quá {limit} ký tự / longer than {limit}"
                                 " characters", r, name)
        if name not in _REQUIRED_TEXT:
            v = pc.if_else(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(v)), 0), pa.scalar(None, pa.string()), v)
        cols.append(v)
    return pa.table(cols, names=list(CITIZEN_COLUMNS))


def _copy_postgres(conn: Connection, table: pa.Table, extract_id: int) -> None:
    table = table.append_column("extract_id", pa.array([extract_id] * table.num_rows, pa.int64()))
    buf = io.BytesIO()
    # strings quoted, nulls unquoted and empty: COPY's CSV reads the one as text, the other as NULL
    pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(include_header=False))
    names = ", ".join([*CITIZEN_COLUMNS, "extract_id"])
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY citizens ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buf.getbuffer())


def _insert_sqlite(conn: Connection, table: pa.Table, extract_id: int) -> None:
    values = [table.column(n).to_pylist() for n in CITIZEN_COLUMNS]
    values.append([extract_id] * table.num_rows)
    marks = ", ".join("?" * len(values))
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.executemany(f"INSERT INTO citizens ({', '.join([*CITIZEN_COLUMNS, 'extract_id'])}) VALUES ({marks})",
                        zip(*values))
    finally:
        cur.close()


def load_extract(conn: Connection, batches: Iterable[pa.Table], *, file_name: str, sha256: str,
                 extract_date: dt.date | None, loaded_by: str, source: str,
                 progress: Callable[[int], None] | None = None) -> ExtractLoad:
    """Replace the stored extract by ``batches`` (tables of :data:`CITIZEN_COLUMNS` and ``dong``)
    in the transaction of ``conn``. The same file (same SHA-256 and extraction date) as the
    current extract is not loaded again. Values too long for their column are a
    :class:`~datdai.cleaning.readers.errors.DeliveryError` naming row and column (raised after the last
    batch; the caller's transaction rolls back)."""
    e = s.citizen_extracts
    current = current_extract(conn)
    if current is not None and current.sha256 == sha256 and current.extract_date == extract_date:
        return ExtractLoad(current.id, current.row_count, None, already_loaded=True)
    now = dt.datetime.now(dt.UTC)
    extract_id = conn.execute(insert(e).returning(e.c.id), {
        "source": source, "file_name": file_name, "sha256": sha256, "extract_date": extract_date,
        "loaded_by": loaded_by, "loaded_at": now, "row_count": 0}).scalar_one()
    conn.execute(update(e).where(e.c.id != extract_id, e.c.replaced_at.is_(None)).values(replaced_at=now))
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("TRUNCATE citizens"))  # transactional in PostgreSQL; no table refers to it
    else:
        conn.execute(delete(s.citizens))
    write = _copy_postgres if postgres else _insert_sqlite
    problems = ProblemCollector()
    limits = _limits()
    rows = 0
    refused: Exception | None = None  # the database's refusal (a number twice): the reader names the rows
    for batch in batches:
        if batch.num_rows == 0:
            continue
        prepared = _prepared(batch, problems, limits)
        if not problems and refused is None:
            try:
                write(conn, prepared, extract_id)
            except conn.dialect.dbapi.IntegrityError as exc:
                refused = exc  # read on: the reader's own check, after the last batch, says where
        rows += batch.num_rows
        if progress is not None:
            progress(rows)
    problems.raise_if_any(file_name, "giá trị không vừa cột của CSDL / values too long for the store")
    if refused is not None:
        raise DeliveryError(file_name, "cơ sở dữ liệu từ chối bản trích / the store refused the extract: "
                                       + str(refused).splitlines()[0])
    conn.execute(update(e).where(e.c.id == extract_id).values(row_count=rows))
    return ExtractLoad(extract_id, rows, current.id if current else None)


def write_extract_csv(conn: Connection, path: Path, columns: Sequence[str]) -> int:
    """The stored extract's ``columns`` as a CSV file (UTF-8, a header line) — what the matcher
    reads; returns the number of citizens written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    unknown = [c for c in columns if c not in CITIZEN_COLUMNS]
    if unknown:
        raise ValueError(f"not citizen columns: {unknown}")
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with open(path, "wb") as f, conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY (SELECT {names} FROM citizens ORDER BY so_dinh_danh) TO STDOUT "
                          "(FORMAT csv, HEADER true)") as copy:
                for data in copy:
                    f.write(data)
        return conn.execute(select(func.count()).select_from(s.citizens)).scalar_one()
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.execute(f"SELECT {names} FROM citizens ORDER BY so_dinh_danh")
            while rows := cur.fetchmany(50_000):
                w.writerows(rows)
                n += len(rows)
        finally:
            cur.close()
    return n
