"""The group-commit access-log writer (web/access_writer.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

from datdai.access.access_log import query_access_log
from datdai.access.access_writer import AccessLogUnavailable, Entry, open_writer
from tests.apps.web.api.dossier_api_helpers import make_api


async def _break(writer) -> None:
    """Make the writer's next commit fail for real: its SQLite connection closed, or its PostgreSQL
    connection gone and the server address wrong (nothing listens on port 1)."""
    await writer.sink.close()
    if hasattr(writer.sink, "connect_args"):
        writer.sink.connect_args = {**writer.sink.connect_args, "port": 1, "timeout": 2}


def _entry(i: int) -> Entry:
    return Entry(username="c06", role="he_thong_c06", action="tra cứu", resource=f"r/{i}",
                 purpose="thủ tục cư trú", subjects=[f"0700{i:08d}", f"0700{i:08d}", "H1"], client_ip="10.0.0.1")


def test_many_concurrent_writes_are_committed_in_fewer_transactions(store):
    async def run():
        writer = open_writer(store)
        try:
            await asyncio.gather(*(writer.write(_entry(i)) for i in range(200)))
            return writer.batches, writer.entries
        finally:
            await writer.close()

    batches, entries = asyncio.run(run())
    assert entries == 200 and batches < 200
    with store.read() as conn:
        total, rows = query_access_log(conn, username="c06", limit=1000)
    assert total == 200
    by_resource = {r.resource: r for r in rows}
    assert by_resource["r/7"].subjects == ("070000000007", "H1")  # duplicates dropped, order kept
    assert by_resource["r/7"].purpose == "thủ tục cư trú" and by_resource["r/7"].client_ip == "10.0.0.1"
    with store.read() as conn:
        total, _ = query_access_log(conn, subject="070000000123")
    assert total == 1


def test_a_failed_commit_fails_every_request_of_its_batch(store):
    async def run():
        writer = open_writer(store)
        await _break(writer)
        results = await asyncio.gather(*(writer.write(_entry(i)) for i in range(3)), return_exceptions=True)
        return results

    results = asyncio.run(run())
    assert all(isinstance(r, AccessLogUnavailable) for r in results)
    with store.read() as conn:
        assert query_access_log(conn, username="c06")[0] == 0


def test_sqlite_writer_waits_for_another_writer_without_blocking_the_loop(store):
    if store.backend != "sqlite":
        return
    other = sqlite3.connect(store.engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
    release = threading.Event()

    def hold_then_release():
        release.wait(5)
        other.execute("COMMIT")

    holder = threading.Thread(target=hold_then_release)
    holder.start()

    async def run():
        writer = open_writer(store)
        ticks = 0
        write = asyncio.ensure_future(writer.write(_entry(1)))
        while not write.done() and ticks < 1000:
            await asyncio.sleep(0.001)  # the loop runs while the write waits for the lock
            ticks += 1
            if ticks == 20:
                assert not write.done()
                release.set()
        await write
        await writer.close()
        return ticks

    try:
        ticks = asyncio.run(run())
    finally:
        release.set()
        holder.join()
        other.close()
    assert ticks >= 20
    with store.read() as conn:
        assert query_access_log(conn, username="c06")[0] == 1


def test_api_answers_503_without_data_when_the_access_log_is_down(store):
    with make_api(store) as api:
        api.client.app.state.auth_cache_seconds = 10  # so that the second request takes the hot route
        h = api.key("c06")
        url = "/api/v1/exchange/c06/land-by-citizen/070077613811"
        api.client.get(url, headers=h)
        writer = api.client.app.state.access_writer

        api.client.portal.call(_break, writer)
        for _ in range(2):  # the FastAPI route and the hot route alike
            r = api.client.get(url, headers=h)
            assert r.status_code == 503, r.text
            assert "nhật ký truy cập" in r.json()["detail"] and "land_rights" not in r.text
            assert r.headers["retry-after"] == "5"
