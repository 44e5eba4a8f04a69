"""Migrations from empty, up and down, and the refusal of a database from a newer datdai."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from datdai.store import migrate
from datdai.store.db import StoreError, make_engine
from datdai.store.schema import metadata
from datdai.store.store import open_store


def _tables(engine):
    return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}


def test_upgrade_from_empty_creates_every_table(store_url):
    engine = make_engine(store_url, create=True)
    try:
        assert migrate.current_revision(engine) is None
        assert migrate.upgrade(engine) == migrate.head_revision()
        assert _tables(engine) == set(metadata.tables) | {"alembic_version"}
        assert migrate.upgrade(engine) == migrate.head_revision()  # rerun: nothing to do
        with engine.begin() as conn:
            from alembic import command

            command.downgrade(migrate.alembic_config(conn), "base")
        assert _tables(engine) == {"alembic_version"}
        migrate.upgrade(engine)
        assert _tables(engine) == set(metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_newer_database_is_refused_untouched(store_url):
    s = open_store(store_url, create=True)
    with s.transaction() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    s.close()
    with pytest.raises(StoreError, match="mới hơn"):
        open_store(store_url, create=True)
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    finally:
        engine.dispose()


def test_existing_store_must_be_migrated(store_url):
    engine = make_engine(store_url, create=True)
    engine.dispose()
    with pytest.raises(StoreError, match="db upgrade"):
        open_store(store_url)
