"""The outbox dispatcher running by itself against a real partner process on loopback
(``partner_server.py``): retries after failures and timeouts, a dispatcher killed (-9) while the
partner holds the request, a partner restarted, two dispatchers at once, and the background task
of ``datdai serve``. The partner keeps one effect per ``Idempotency-Key``: every test asserts it saw
exactly one accepted effect per message (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from datdai.apps.web import serve
from datdai.db.store import open_store
from datdai.dossiers import outbox as ob

SERVER = Path(__file__).with_name("partner_server.py")
T0 = dt.datetime(2025, 6, 5, 2, 0, tzinfo=dt.UTC)


class PartnerProcess:
    def __init__(self, state: Path, token: str | None = None) -> None:
        self.state, self.token, self.proc, self.port = state, token, None, None
        state.mkdir(parents=True, exist_ok=True)

    def start(self) -> PartnerProcess:
        (self.state / "port").unlink(missing_ok=True)
        args = [sys.executable, str(SERVER), str(self.state)] + (["--token", self.token] if self.token else [])
        args += ["--port", str(self.port)] if self.port else []  # restarted: where it was
        self.proc = subprocess.Popen(args)
        deadline = time.monotonic() + 20
        while not (self.state / "port").exists():
            assert self.proc.poll() is None and time.monotonic() < deadline, "the partner did not start"
            time.sleep(0.05)
        self.port = int((self.state / "port").read_text())
        self.url = f"http://127.0.0.1:{self.port}/nhan"
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def mode(self, mode: str) -> None:
        (self.state / "mode").write_text(mode)

    def _lines(self, name: str) -> list[str]:
        path = self.state / name
        return path.read_text().split() if path.exists() else []

    def received(self) -> list[str]:
        return self._lines("received.log")

    def accepted(self) -> list[str]:
        return self._lines("accepted.log")


@pytest.fixture
def partner(tmp_path):
    p = PartnerProcess(tmp_path / "partner", token="bi-mat").start()
    yield p
    p.stop()


def _env(partner: PartnerProcess, timeout: float = 2.0) -> dict[str, str]:
    return {**os.environ, "DATDAI_PARTNER_THUE_URL": partner.url, "DATDAI_PARTNER_THUE_TOKEN": "bi-mat",
            "DATDAI_PARTNER_THUE_TIMEOUT": str(timeout), "DATDAI_PARTNERS": ""}


def _chay(url: str, env: dict, *args: str) -> list[str]:
    return [sys.executable, "-m", "datdai", "outbox", "chay", "--db", url, "--interval", "0.2", *args]


def _enqueue(store, keys, partner="THUE"):
    with store.transaction() as conn:
        return [ob.enqueue(conn, "THUE.CHUYEN_THONG_TIN_DIA_CHINH", partner, {"ma_hs": k}, k, at=T0)[0].id
                for k in keys]


def _states(store) -> dict[str, tuple]:
    with store.read() as conn:
        return {m.idempotency_key: (m.status, m.attempts, m.last_error, m.claimed_by) for m in ob.messages(conn)}


@pytest.mark.slow  # 3-4 CLI processes: 30-50 s measured on a loaded 2-core machine
def test_failures_and_timeouts_are_retried_then_sent_once(store, partner):
    [mid] = _enqueue(store, ["thue:HS-1:1"])
    env = _env(partner, timeout=1.0)
    partner.mode("fail")
    r = subprocess.run(_chay(store.url, env, "--once", "--base-delay", "0"), env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    status, attempts, error, claimed = _states(store)["thue:HS-1:1"]
    assert (status, attempts, claimed) == ("CHO_GUI", 1, None) and "HTTP 503" in error
    partner.mode("hang:3")
    r = subprocess.run(_chay(store.url, env, "--once", "--base-delay", "0"), env=env, capture_output=True, text=True)
    status, attempts, error, _ = _states(store)["thue:HS-1:1"]
    assert (status, attempts) == ("CHO_GUI", 2) and "quá thời gian chờ 1 s" in error, r.stderr
    partner.mode("ok")
    r = subprocess.run(_chay(store.url, env, "--once", "--base-delay", "0"), env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "đã gửi / sent thue:HS-1:1" in r.stderr, r.stderr
    assert _states(store)["thue:HS-1:1"] == ("DA_GUI", 3, None, None)  # the old error is cleared
    assert partner.accepted() == ["thue:HS-1:1"] and partner.received() == ["thue:HS-1:1"] * 3
    # a wrong credential is a failure too (the partner answers 401)
    _enqueue(store, ["thue:HS-2:1"])
    bad = {**env, "DATDAI_PARTNER_THUE_TOKEN": "sai"}
    subprocess.run(_chay(store.url, bad, "--once", "--max-attempts", "1"), env=bad, capture_output=True, check=True)
    status, attempts, error, _ = _states(store)["thue:HS-2:1"]
    assert (status, attempts) == ("LOI", 1) and "HTTP 401" in error
    assert partner.accepted() == ["thue:HS-1:1"]


@pytest.mark.slow  # 3-4 CLI processes: 30-50 s measured on a loaded 2-core machine
def test_dispatcher_killed_mid_send_then_rerun_and_partner_restarted(store, partner):
    _enqueue(store, ["thue:HS-9:1", "thue:HS-9:2"])
    env = _env(partner, timeout=1.5)
    partner.mode("slow:2")  # the effect is applied, the answer comes 2 s later
    proc = subprocess.Popen(_chay(store.url, env, "--lease", "4"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while partner.received() != ["thue:HS-9:1"]:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # mid-send: the partner has it, the store does not know
    proc.wait(10)
    killed_at = time.monotonic()
    states = _states(store)
    assert states["thue:HS-9:1"][:3] == ("CHO_GUI", 0, None) and states["thue:HS-9:1"][3] is not None  # leased
    assert states["thue:HS-9:2"] == ("CHO_GUI", 0, None, None)
    partner.stop()
    partner.mode("ok")
    partner.start()  # the partner restarted: it still knows what it accepted
    r = subprocess.run(_chay(store.url, env, "--once", "--lease", "4"), env=env, capture_output=True, text=True)
    if time.monotonic() - killed_at < 4:  # within the dead dispatcher's lease: not sent again yet
        assert "thue:HS-9:1" not in r.stderr
    while time.monotonic() - killed_at < 4.2:
        time.sleep(0.1)
    r = subprocess.run(_chay(store.url, env, "--once", "--lease", "4"), env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert {k: v[0] for k, v in _states(store).items()} == {"thue:HS-9:1": "DA_GUI", "thue:HS-9:2": "DA_GUI"}
    assert sorted(partner.accepted()) == ["thue:HS-9:1", "thue:HS-9:2"]  # one effect each
    assert partner.received().count("thue:HS-9:1") == 2  # sent twice: at least once, by its key once


@pytest.mark.slow  # 3-4 CLI processes: 30-50 s measured on a loaded 2-core machine
def test_two_dispatchers_at_once_never_send_one_message_twice(store, partner):
    keys = [f"thue:HS-{i}:1" for i in range(24)]
    _enqueue(store, keys)
    env = _env(partner)
    partner.mode("slow:0.05")
    procs = [subprocess.Popen(_chay(store.url, env, "--once"), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(partner.received()) == sorted(keys)  # each message sent exactly once
    assert sorted(partner.accepted()) == sorted(keys)
    assert {v[0] for v in _states(store).values()} == {"DA_GUI"}
    sent = [sum(f"sent {k}\n" in o + "\n" for k in keys) for o in outputs]
    assert sum(sent) == len(keys)


def test_serve_sends_the_outbox_in_the_background(tmp_path, partner):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url, create=True)
    try:
        _enqueue(store, ["thue:HS-7:1"])
        env = {serve.ENV_DB: url, "DATDAI_PARTNER_THUE_URL": partner.url, "DATDAI_PARTNER_THUE_TOKEN": "bi-mat"}
        with mock.patch.dict(os.environ, env):
            app = serve.app_factory()
            with TestClient(app):
                deadline = time.monotonic() + 20
                while _states(store)["thue:HS-7:1"][0] != "DA_GUI":
                    assert time.monotonic() < deadline, _states(store)
                    time.sleep(0.1)
        assert partner.accepted() == ["thue:HS-7:1"]
        # with the dispatcher turned off (a separate `datdai outbox chay` runs) nothing is sent
        _enqueue(store, ["thue:HS-7:2"])
        with mock.patch.dict(os.environ, {**env, serve.ENV_DISPATCH: "0"}):
            with TestClient(serve.app_factory()):
                time.sleep(0.5)
        assert _states(store)["thue:HS-7:2"][0] == "CHO_GUI"
    finally:
        store.close()
