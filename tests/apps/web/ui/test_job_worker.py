"""Web jobs run in a worker process: the job's outcome is written by the worker; a worker killed
(-9) leaves the server's runner alive and the job marked failed (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from datdai.access.principal import Principal
from datdai.apps.web.ui import job_runner as jr
from datdai.db import schema as s

ADMIN = Principal("admin", "admin", frozenset(), None, False)


def _row(store, job_id: int):
    with store.read() as conn:
        return conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).one()


def _wait_finished(store, job_id: int, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while (row := _row(store, job_id)).status not in jr.FINISHED:
        assert time.monotonic() < deadline, row
        time.sleep(0.1)
    return row


@pytest.mark.slow  # a worker process importing the readers: 45 s measured on a loaded 2-core machine
def test_a_job_runs_in_a_worker_process_and_a_killed_worker_fails_the_job(store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATDAI_INBOX", str(tmp_path / "giao-nop"))
    runner = jr.JobRunner(store)
    try:
        # killed as soon as it starts: the server's runner survives and records the failure
        doomed = jr.create_job(store, jr.IMPORT, {"delivery": "khong-co"}, ADMIN)
        runner.submit(doomed, ADMIN)
        deadline = time.monotonic() + 30
        while (child := runner.child) is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert child.pid != os.getpid()
        os.kill(child.pid, signal.SIGKILL)
        row = _wait_finished(store, doomed)
        assert row.status == jr.FAILED and row.message == jr.WORKER_DIED.format(code=-signal.SIGKILL)
        # the next job runs in a new worker, which writes its own outcome and runner
        job = jr.create_job(store, jr.IMPORT, {"delivery": "khong-co"}, ADMIN)
        runner.submit(job, ADMIN)
        row = _wait_finished(store, job)
        assert row.status == jr.FAILED and "Không còn thấy giao nộp “khong-co”" in row.message
        assert row.runner != jr.runner_id() and row.runner.rpartition(":")[2].isdigit()  # the worker's pid
        assert runner.worker.is_alive()
    finally:
        runner.stop()
