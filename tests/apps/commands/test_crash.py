"""Crash tests: ``datdai import`` killed (-9) inside its write transaction leaves nothing in the
store, and the rerun gives the same store as an import never interrupted (SQLite and PostgreSQL).

The kill point is observed, not guessed: on SQLite another connection cannot take the write lock
(``BEGIN IMMEDIATE`` refused at once), on PostgreSQL the import's session holds the row lock of its INSERTs into
``parcels`` (``pg_locks``) — both only while the transaction is open. (Kills of the outbox
dispatcher: tests/dossiers/test_outbox_worker.py; of the demo set-up: tests/apps/test_demo.py; of a web
job's worker: tests/web/ui/test_job_runner.py.)"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from datdai.db import schema as s
from datdai.db.store import open_store

TABLES = (s.deliveries, s.quality_runs, s.findings, s.finding_events, s.parties, s.parcels,
          s.identity_documents, s.rights, s.holdings, s.certificates, s.audit_batches, s.audit_changes)


def _counts(url: str) -> dict[str, int]:
    store = open_store(url)
    try:
        with store.read() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}
    finally:
        store.close()


def _import_args(url: str, delivery) -> list[str]:
    return [sys.executable, "-m", "datdai", "import", "--parcels", str(delivery / "thua_dat.gpkg"),
            "--register", str(delivery / "so_dia_chinh.csv"), "--db", url, "--actor", "nhan-vien"]


def _in_write_transaction(store) -> bool:
    """Whether a session other than ours is inside a write to ``parcels``."""
    if store.backend == "sqlite":  # the write lock is taken: BEGIN IMMEDIATE fails at once
        probe = sqlite3.connect(make_url(store.url).database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with store.read() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = 'parcels' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()")).scalar_one())


@pytest.mark.slow  # three imports of 300 parcels in CLI processes
def test_import_killed_inside_its_transaction_leaves_nothing_and_reruns_identically(store_url, synth_delivery,
                                                                                    tmp_path):
    open_store(store_url, create=True).close()
    empty = _counts(store_url)
    assert set(empty.values()) == {0}
    proc = subprocess.Popen(_import_args(store_url, synth_delivery), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    watcher = open_store(store_url)
    try:
        deadline = time.monotonic() + 300
        while not _in_write_transaction(watcher):
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        watcher.close()
    proc.wait(30)
    time.sleep(0.5)  # PostgreSQL: the server ends the dead client's session
    assert _counts(store_url) == empty  # nothing of it committed
    rerun = subprocess.run(_import_args(store_url, synth_delivery), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    # the same delivery into a store never interrupted
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    open_store(clean, create=True).close()
    subprocess.run(_import_args(clean, synth_delivery), capture_output=True, check=True)
    after = _counts(store_url)
    assert after == _counts(clean) and after["parcels"] > 290 and after["deliveries"] == 1
