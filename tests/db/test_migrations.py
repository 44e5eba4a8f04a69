"""Migrations from empty, up and down, and the refusal of a database from a newer datdai."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from datdai.db import migrate
from datdai.db.engine import StoreError, make_engine
from datdai.db.schema import metadata
from datdai.db.store import open_store


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


def test_quality_migration_up_and_down_keeps_the_land_data(store_url):
    from alembic import command
    from sqlalchemy import func, select

    from datdai.db.schema import parcels
    from datdai.land import repository
    from tests.land.factories import small_dataset

    quality = {"deliveries", "quality_runs", "quality_run_communes", "findings", "finding_events"}
    engine = make_engine(store_url, create=True)
    try:
        migrate.upgrade(engine, "0001")
        assert not quality & _tables(engine)
        with engine.begin() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        assert migrate.upgrade(engine, "0002") == "0002"
        assert quality <= _tables(engine)
        names = {ix["name"] for ix in inspect(engine).get_indexes("findings")}
        assert {"ix_findings_commune_status", "ix_findings_rule_code_status"} <= names
        uniques = inspect(engine).get_unique_constraints("findings")
        assert [u["column_names"] for u in uniques] == [["fingerprint"]]
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0001")
        assert not quality & _tables(engine)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(parcels)).scalar_one() == 3
    finally:
        engine.dispose()


def test_reconciliation_migration_up_and_down_keeps_the_rest(store_url):
    from alembic import command
    from sqlalchemy import func, select

    from datdai.db.schema import findings, parcels
    from datdai.land import repository
    from tests.land.factories import small_dataset

    reconciliation = {"c06_exports", "c06_export_rows", "reconcile_runs", "reconcile_results",
                      "reconcile_decision_events"}
    engine = make_engine(store_url, create=True)
    try:
        migrate.upgrade(engine, "0002")
        assert not reconciliation & _tables(engine)
        with engine.begin() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        assert migrate.upgrade(engine, "0003") == "0003"
        assert reconciliation <= _tables(engine)
        uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("reconcile_results")}
        assert uniques == {("run_id", "ma_dong")}
        uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("reconcile_runs")}
        assert uniques == {("export_id", "sha256")}
        names = {ix["name"] for ix in inspect(engine).get_indexes("reconcile_results")}
        assert {"ix_reconcile_results_party_id_run_id", "ix_reconcile_results_run_id_status"} <= names
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0002")
        assert not reconciliation & _tables(engine)
        assert "findings" in _tables(engine)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(parcels)).scalar_one() == 3
            assert conn.execute(select(func.count()).select_from(findings)).scalar_one() == 0
    finally:
        engine.dispose()


def test_services_migration_up_and_down_keeps_the_rest(store_url):
    from alembic import command
    from sqlalchemy import func, select

    from datdai.db.schema import parcels, rights
    from datdai.land import repository
    from tests.land.factories import small_dataset

    services = {"services", "dossiers", "dossier_events", "dossier_pauses", "dossier_documents",
                "financial_obligations", "outbox"}
    engine = make_engine(store_url, create=True)
    try:
        migrate.upgrade(engine, "0003")
        assert not services & _tables(engine)
        with engine.begin() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        assert migrate.upgrade(engine, "0004") == "0004"
        assert services <= _tables(engine)
        insp = inspect(engine)
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("dossiers")}
        assert uniques == {("code",), ("idempotency_key",), ("notary_contract_no",)}
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("outbox")}
        assert uniques == {("idempotency_key",)}
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("financial_obligations")}
        assert uniques == {("right_id", "kind")}
        names = {ix["name"] for ix in insp.get_indexes("dossiers")}
        assert {"ix_dossiers_service_code_received_at", "ix_dossiers_state"} <= names
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0003")
        assert not services & _tables(engine)
        assert "reconcile_results" in _tables(engine)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(parcels)).scalar_one() == 3
            assert conn.execute(select(func.count()).select_from(rights)).scalar_one() == 4
    finally:
        engine.dispose()


def test_auth_migration_up_and_down_keeps_the_rest(store_url):
    from alembic import command
    from sqlalchemy import func, select
    from sqlalchemy.exc import DBAPIError

    from datdai.db.schema import parcels
    from datdai.land import repository
    from tests.land.factories import small_dataset

    auth = {"users", "api_keys", "access_tokens", "access_log", "access_log_subjects"}
    engine = make_engine(store_url, create=True)
    try:
        migrate.upgrade(engine, "0004")
        assert not auth & _tables(engine)
        with engine.begin() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        assert migrate.upgrade(engine, "0005") == "0005"
        assert auth <= _tables(engine)
        insp = inspect(engine)
        assert {tuple(u["column_names"]) for u in insp.get_unique_constraints("users")} == {("username",)}
        assert {tuple(u["column_names"]) for u in insp.get_unique_constraints("api_keys")} == {("prefix",)}
        names = {ix["name"] for ix in insp.get_indexes("access_log_subjects")}
        assert {"ix_access_log_subjects_subject", "ix_access_log_subjects_log_id"} <= names
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO access_log (at, username, role, action, resource, purpose, "
                              "subject_count) VALUES (CURRENT_TIMESTAMP, 'a', 'admin', 'x', 'y', 'z', 0)"))
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM access_log"))
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0004")
        assert not auth & _tables(engine)
        assert "dossiers" in _tables(engine)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(parcels)).scalar_one() == 3
        migrate.upgrade(engine)  # and up again: the trigger function is recreated cleanly
        assert auth <= _tables(engine)
    finally:
        engine.dispose()


def test_access_log_chain_migration_up_and_down(store_url):
    """0009: rows written before it stay (outside the chain), new rows are chained; down and up
    again keep the rows."""
    from alembic import command
    from sqlalchemy import func, select

    from datdai.access.access_log import verify_access_log, write_access_log
    from datdai.db.schema import access_log

    engine = make_engine(store_url, create=True)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO access_log (at, username, role, action, resource, purpose, "
                              "subject_count) VALUES (CURRENT_TIMESTAMP, 'a', 'admin', 'x', 'y', 'z', 0)"))
        assert migrate.upgrade(engine, "0009") == "0009"
        with engine.begin() as conn:
            write_access_log(conn, username="b", role="admin", action="x", resource="y", purpose="z",
                             subjects=["070077613811"])
        with engine.connect() as conn:
            report = verify_access_log(conn)
        assert report.ok and (report.rows, report.before_chain, report.chained) == (2, 1, 1)
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), "0008")
        assert "seq" not in {c["name"] for c in inspect(engine).get_columns("access_log")}
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(access_log.alias())).scalar_one() == 2
        migrate.upgrade(engine)
        assert "row_hash" in {c["name"] for c in inspect(engine).get_columns("access_log")}
    finally:
        engine.dispose()
