"""The report tests' store: one populated province per backend, built once per test process
(about 10 s), read by every test of the report and of ``datdai report`` (none writes to it)."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import new_pg_schema
from tests.reporting.province import build

_BUILT: dict[str, object] = {}  # backend → ReportProvince: one build per process, whichever module asks


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def report_province(request, tmp_path_factory, synthetic_province):
    """The populated province of :mod:`tests.reporting.province` on each backend (read only)."""
    backend = request.param
    if backend in _BUILT:
        return _BUILT[backend]
    work = tmp_path_factory.mktemp(f"bao-cao-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{work / 'store.db'}"
    else:
        url, drop = new_pg_schema()
        request.config.add_cleanup(drop)  # at the end of the session, after every module using it
    _BUILT[backend] = build(url, synthetic_province, work)
    return _BUILT[backend]


@pytest.fixture
def artifacts():
    """Where a test keeps files worth looking at: ``test-artifacts/`` at the repository root when
    ``DATDAI_ARTIFACTS`` is set (CI uploads it), else nowhere."""
    if not os.environ.get("DATDAI_ARTIFACTS"):
        return None
    root = Path(__file__).resolve().parents[2] / "test-artifacts"
    root.mkdir(exist_ok=True)
    return root


def keep(path: Path, artifacts: Path | None, name: str | None = None) -> None:
    if artifacts is not None:
        shutil.copy(path, artifacts / (name or path.name))


def render_store(province, fmt: str, *, communes=None, scope: str = ""):
    """(the report of the province's store in ``fmt``, the independent counts); made once per
    process for the same arguments (the store is not changed by the tests that read it)."""
    return _render_store(province.url, fmt, tuple(communes) if communes is not None else None, scope)


@functools.cache
def _render_store(url: str, fmt: str, communes, scope: str):
    from datdai.db.store import open_store
    from datdai.reporting.build import store_report
    from tests.reporting.province import MONTH, TODAY, expected

    store = open_store(url)
    try:
        with store.read() as conn:
            data = store_report(conn, MONTH, fmt, communes=communes, scope=scope, as_of=TODAY, today=TODAY)
            return data, expected(conn, communes=communes)
    finally:
        store.close()
