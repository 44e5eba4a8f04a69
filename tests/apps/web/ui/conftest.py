"""Browser tests of the web app: a real ``datdai serve`` on 127.0.0.1 (a free port) over a small
generated province, and Debian's headless Chromium driven by Playwright.

The province is built the way ``datdai demo`` builds its own (synthetic delivery → store → quality
checks and safe fixes → reconciliation with the population extract → a year of dossiers through
the real lifecycle → the demo accounts), with fewer dossiers a month to keep the set-up short.
The delivery folder beside the store (``giao-nop``, the web app's inbox) also receives a second
delivery, of another province, for the import job. Screenshots go to ``test-artifacts/ui/``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "ui"
PASSWORD = "datdai-demo"
OTHER_DELIVERY = "binh-duong"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, workdir: Path, env: dict[str, str] | None = None):
    """``datdai serve`` on a free port; (process, base URL) once /api/v1/health answers."""
    port = free_port()
    log = open(workdir / f"serve-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "datdai", "serve", "--db", db_url, "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                            env={**os.environ, "DATDAI_RATE_LIMIT": "0", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"datdai serve did not start: {(workdir / f'serve-{port}.log').read_text()[-2000:]}")
        time.sleep(0.2)


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def build_province(workdir: Path, parcels: int = 300, seed: int = 7) -> str:
    """The demo's steps on a small province; returns the store URL."""
    from datdai import synth
    from datdai.access.demo import create_demo_accounts
    from datdai.apps.demo import _check_and_fix, _reconcile
    from datdai.db.files import FileStore, default_root
    from datdai.db.store import open_store
    from datdai.land import repository
    from datdai.synth.dossiers import generate_dossiers

    delivery = workdir / "giao-nop"
    delivery.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'datdai.db'}"
    store = open_store(url, create=True)
    try:
        result = synth.generate(parcels=parcels, seed=seed)
        synth.write(result, delivery)
        with store.transaction() as conn:
            repository.load_dataset(conn, result.land, actor="kiem-thu", source="tỉnh giả lập", reason="kiểm thử")
            repository.replace_citizens(conn, result.citizens, source=str(delivery / "dan_cu.csv"))
        _check_and_fix(store, result, delivery, None)
        _reconcile(store, workdir, delivery, None)
        today = dt.date.today()
        with store.transaction() as conn:
            generate_dossiers(conn, year=today.year, seed=seed, per_month=6, today=today,
                              files=FileStore(default_root(url)))
            create_demo_accounts(conn)
    finally:
        store.close()
    # a delivery of another province, for the import job (only the map layer and the register)
    other = synth.generate(parcels=40, seed=5, province="Bình Dương")
    tmp = workdir / "tmp-binh-duong"
    synth.write(other, tmp)
    (delivery / OTHER_DELIVERY).mkdir()
    for name in ("thua_dat.gpkg", "so_dia_chinh.csv"):
        shutil.move(str(tmp / name), delivery / OTHER_DELIVERY / name)
    shutil.rmtree(tmp)
    return url


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ui-tinh")
    url = build_province(workdir)
    return workdir, url


@pytest.fixture(scope="module")
def server(province):
    workdir, url = province
    proc, base = start_server(url, workdir)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-debian.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """A browser context logged in as one account."""

    def __init__(self, browser, base: str, username: str | None) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN",
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if username:
            self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto(self.base + "/ui/dang-nhap")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state("load")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, server):
    opened: list[Session] = []

    def open_as(username: str | None) -> Session:
        s = Session(browser, server, username)
        opened.append(s)
        return s

    yield open_as
    for s in opened:
        assert not s.errors, f"JavaScript errors: {s.errors}"
        s.close()


def unlabeled_fields(page) -> list[str]:
    """The visible form fields with no accessible name from a label (label[for], a wrapping label,
    aria-label or aria-labelledby)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.outerHTML.slice(0, 120))""")
