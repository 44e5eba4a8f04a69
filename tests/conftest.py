"""Shared fixtures: a fresh store on SQLite and on PostgreSQL/PostGIS.

PostgreSQL tests use the server of ``DATDAI_TEST_PG_URL`` (``make test`` starts one with
scripts/pg-test-server.sh); each test gets its own schema. Without the variable they are skipped,
unless ``DATDAI_REQUIRE_PG=1`` (CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("DATDAI_TEST_PG_URL")
REQUIRE_PG = os.environ.get("DATDAI_REQUIRE_PG") == "1"


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema},public')}"


def new_pg_schema():
    """(URL of a fresh schema on the test PostgreSQL, a function dropping it); skips the test
    without a server (fails with DATDAI_REQUIRE_PG=1)."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("DATDAI_TEST_PG_URL is not set but DATDAI_REQUIRE_PG=1")
        pytest.skip("no PostgreSQL: set DATDAI_TEST_PG_URL (make test does)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return _pg_schema_url(schema), drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A URL to an empty database (no tables yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url, drop = new_pg_schema()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(store_url):
    from datdai.db.store import open_store

    s = open_store(store_url, create=True)
    yield s
    s.close()


@pytest.fixture(scope="session")
def synthetic_province(tmp_path_factory):
    """A small synthetic province (300 parcels, seed 7) and its files, generated once."""
    from tests.matching.reconciliation import synthetic

    return synthetic(tmp_path_factory)
