"""``datdai serve``: the per-worker app factory, and several uvicorn workers answering."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from datdai.apps.web import serve
from datdai.db.store import open_store


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url, create=True).close()
    return url


def test_factory_opens_its_own_store_and_closes_it(sqlite_url):
    with mock.patch.dict(os.environ, {serve.ENV_DB: sqlite_url}):
        app = serve.app_factory()
    store = app.state.store
    with mock.patch.object(store, "close", wraps=store.close) as close:
        with TestClient(app) as client:
            r = client.get("/api/v1/health")
            assert r.status_code == 200 and r.json()["backend"] == "sqlite"
            assert close.call_count == 0
        assert close.call_count == 1


def test_event_loop_and_parser_are_the_fast_ones():
    assert serve.event_loop_and_parser() == ("uvloop", "httptools")  # uvicorn[standard]


@pytest.mark.slow
def test_serve_with_two_workers(sqlite_url, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "datdai.apps.cli", "serve", "--db", sqlite_url,
                             "--port", str(port), "--workers", "2", "--no-access-log"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as r:
                    body = json.load(r)
                    headers = r.headers
            except OSError:
                time.sleep(0.2)
        assert body is not None and body["status"] == "ok", (tmp_path / "serve.log").read_text()
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "2 tiến trình / workers, uvloop + httptools" in output
    assert output.count("Started server process") == 2
