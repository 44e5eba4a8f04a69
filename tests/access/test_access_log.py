"""The access log's hash chain (auth/access_log.py, migration 0009): every writer links its rows —
the request path, the batched writer of the hot routes, several at once — and ``verify`` finds
every row edited, deleted or inserted behind the triggers' back; on SQLite REPLACE is refused."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from datdai.access.access_log import (
    DELETED,
    EDITED,
    GENESIS,
    INSERTED,
    chain_hash,
    verify_access_log,
    write_access_log,
)
from datdai.access.access_writer import Entry, open_writer
from datdai.db.schema import access_log


def _write(conn, i: int, subjects=("070077613811",)) -> int:
    return write_access_log(conn, username=f"u{i}", role="can_bo_du_lieu", action="xem thửa đất",
                            resource=f"parcels/{i}", purpose="tra cứu", subjects=subjects,
                            client_ip="10.0.0.1")


def _report(store):
    with store.read() as conn:
        return verify_access_log(conn, chunk=7)  # small pages: the walk crosses page ends


def _untriggered(store, statements: list[str]) -> None:
    """Run ``statements`` as someone who removed the log's protections would."""
    with store.transaction() as conn:
        if store.backend == "postgresql":
            conn.execute(text("ALTER TABLE access_log DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE access_log_subjects DISABLE TRIGGER USER"))
        else:
            names = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name LIKE 'access_log%'")).all()
            for name, _ in names:
                conn.execute(text(f"DROP TRIGGER {name}"))
        for s in statements:
            conn.execute(text(s))
        if store.backend == "postgresql":
            conn.execute(text("ALTER TABLE access_log ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE access_log_subjects ENABLE TRIGGER USER"))
        else:
            for _, sql in names:
                conn.execute(text(sql))


def test_rows_are_chained_and_verify(store):
    with store.transaction() as conn:
        for i in range(20):
            _write(conn, i, subjects=() if i % 3 else ("070077613811", f"P-{i}"))
    report = _report(store)
    assert report.ok and report.rows == report.chained == 20 and report.before_chain == 0
    with store.read() as conn:
        rows = conn.execute(select(access_log).order_by(access_log.c.seq)).all()
    assert [r.seq for r in rows] == list(range(1, 21))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    assert all(r.row_hash == chain_hash(r.prev_hash, r.content_hash) for r in rows)
    assert report.head_seq == 20 and report.head_hash == rows[-1].row_hash


def test_concurrent_writers_make_one_chain(store):
    """Threads writing through their own transactions and the batched writer of the hot routes at
    the same time: one chain, no fork, nothing lost."""
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(15):
                with store.transaction() as conn:
                    _write(conn, 1000 * k + i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    async def batched() -> None:
        writer = open_writer(store)
        try:
            await asyncio.gather(*(writer.write(Entry(username=f"hot{i}", role="he_thong_c06", action="tra cứu",
                                                       resource=f"c06/{i}", purpose="cư trú", subjects=[f"{i:012d}"]))
                                   for i in range(60)))
        finally:
            await writer.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    asyncio.run(batched())
    for t in threads:
        t.join()
    assert not errors, errors
    report = _report(store)
    assert report.ok, report.problems
    assert report.chained == report.rows == 3 * 15 + 60


def test_verify_finds_edited_deleted_and_inserted_rows(store):
    with store.transaction() as conn:
        ids = [_write(conn, i) for i in range(12)]
    edited, gone, subject_of, last = ids[2], ids[5], ids[8], ids[11]
    _untriggered(store, [
        f"UPDATE access_log SET purpose = 'khác' WHERE id = {edited}",
        f"DELETE FROM access_log_subjects WHERE log_id = {gone}",
        f"DELETE FROM access_log WHERE id = {gone}",
        f"UPDATE access_log_subjects SET subject = '079999999999' WHERE log_id = {subject_of}",
        "INSERT INTO access_log (id, at, username, role, action, resource, purpose, subject_count) "
        f"VALUES ({last + 100}, CURRENT_TIMESTAMP, 'x', 'admin', 'chèn', 'r', 'p', 0)",
    ])
    report = _report(store)
    found = {(p.kind, p.log_id) for p in report.problems}
    assert found == {(EDITED, edited), (DELETED, ids[6]), (EDITED, subject_of), (INSERTED, last + 100)}
    assert report.head_seq == 12


def test_verify_finds_a_row_slipped_into_the_chain(store):
    """A forged row given the place of a real one and a consistent hash of its own: the next
    row's link does not match it."""
    with store.transaction() as conn:
        ids = [_write(conn, i) for i in range(4)]
        row = conn.execute(select(access_log).where(access_log.c.id == ids[1])).one()
    forged = chain_hash(row.prev_hash, "f" * 64)
    _untriggered(store, [
        f"DELETE FROM access_log_subjects WHERE log_id = {ids[1]}",
        f"DELETE FROM access_log WHERE id = {ids[1]}",
        "INSERT INTO access_log (id, at, username, role, action, resource, purpose, subject_count, seq, "
        f"content_hash, prev_hash, row_hash) VALUES ({ids[1]}, CURRENT_TIMESTAMP, 'x', 'admin', 'a', 'r', 'p', "
        f"0, {row.seq}, '{'f' * 64}', '{row.prev_hash}', '{forged}')",
    ])
    kinds = {(p.kind, p.log_id) for p in _report(store).problems}
    assert (EDITED, ids[1]) in kinds and (INSERTED, ids[2]) in kinds


def test_replace_is_refused(store):
    with store.transaction() as conn:
        log_id = _write(conn, 1)
        subject_id = conn.execute(text("SELECT id FROM access_log_subjects")).scalar_one()
    if store.backend == "postgresql":  # no REPLACE; an upsert is an UPDATE, refused since 0005
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as conn:
            conn.execute(text(f"INSERT INTO access_log_subjects (id, log_id, subject) VALUES "
                              f"({subject_id}, {log_id}, 'x') ON CONFLICT (id) DO UPDATE SET subject = 'x'"))
        return
    with store.read() as conn:
        head = conn.execute(select(access_log.c.row_hash)).scalar_one()
    for verb in ("INSERT OR REPLACE", "REPLACE"):
        # a row that would continue the chain, so that only the REPLACE is at fault
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as conn:
            conn.execute(text(f"{verb} INTO access_log (id, at, username, role, action, resource, purpose, "
                              f"subject_count, seq, content_hash, prev_hash, row_hash) VALUES ({log_id}, "
                              f"CURRENT_TIMESTAMP, 'x', 'admin', 'a', 'r', 'p', 0, 2, '{'a' * 64}', '{head}', "
                              f"'{'b' * 64}')"))
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as conn:
            conn.execute(text(f"{verb} INTO access_log_subjects (id, log_id, subject) VALUES "
                              f"({subject_id}, {log_id}, 'x')"))
    # a row that does not continue the chain is refused too
    with pytest.raises(DBAPIError, match="chuỗi băm"), store.transaction() as conn:
        conn.execute(text("INSERT INTO access_log (at, username, role, action, resource, purpose, subject_count) "
                          "VALUES (CURRENT_TIMESTAMP, 'x', 'admin', 'a', 'r', 'p', 0)"))
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(access_log)).scalar_one() == 1
    assert _report(store).ok
