"""The raw reader of the hot routes (web/reads.py) returns what SQLAlchemy returns, on both
backends; asyncpg connection arguments from our URLs; the OpenAPI security documentation."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import bindparam, literal, select

from datdai.apps.web.api import exchange_c06, parcels
from datdai.apps.web.app import create_app
from datdai.db import schema as s
from datdai.db.fast_reads import Read, as_float, asyncpg_connect_args, iso_date, open_reader
from tests.dossiers.dossier_helpers import AN, load_land


def _normal(value):
    """Driver values as SQLAlchemy's: ISO text for dates, floats for numerics."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    return value


def _raw(store, read: Read, params: dict) -> list[tuple]:
    async def run():
        reader = open_reader(store)
        try:
            async with reader.session() as db:
                return await db.fetch(read, params)
        finally:
            await reader.close()

    return [tuple(_normal(v) for v in row) for row in asyncio.run(run())]


def _core(store, read: Read, params: dict) -> list[tuple]:
    with store.read() as conn:
        return [tuple(_normal(v) for v in row) for row in conn.execute(read.statement, params)]


def test_raw_reads_equal_sqlalchemy(store):
    load_land(store)
    with store.read() as conn:
        ids = conn.execute(select(s.parcels.c.id).order_by(s.parcels.c.id)).scalars().all()
    cases = [
        (parcels.KEY_READ, {"ma_xa": "25216", "so_to": 12, "so_thua": 2, "limit": 101, "offset": 0}),
        (parcels.KEY_READ, {"ma_xa": "25216", "so_to": 12, "so_thua": 99, "limit": 101, "offset": 0}),
        (parcels.ID_READ, {"parcel_id": ids[0]}),
        (exchange_c06.LAND_READ, {"number": AN}),
        (exchange_c06.LAND_READ, {"number": "099999999999"}),
    ]
    for n in (1, 2, 3, 1):  # IN lists of several lengths (each compiled once and cached)
        cases.append((parcels.RIGHTS_READ, {"parcel_ids": ids[:n]}))
    for read, params in cases:
        raw = _raw(store, read, params)
        assert raw == _core(store, read, {**params}), (read.statement, params)
    assert _raw(store, parcels.KEY_READ, cases[0][1])  # not vacuous
    rows = _raw(store, exchange_c06.LAND_READ, {"number": AN})
    # the literal via column comes from the statement: An himself (P1, no rights) and his household
    assert {r[3] for r in rows} == {"TRUC_TIEP", "THANH_VIEN"}


def test_read_fills_the_statement_literals_and_repeated_parameters(store):
    p = s.parties
    read = Read(select(p.c.id, literal("X").label("tag"))
                .where((p.c.code == bindparam("code")) | (p.c.full_name == bindparam("code"))))
    load_land(store)
    assert _raw(store, read, {"code": "H1"}) == _core(store, read, {"code": "H1"})
    assert len(_raw(store, read, {"code": "H1"})) == 1


def test_driver_value_helpers():
    assert as_float(None) is None and as_float(Decimal("1.5")) == 1.5 and as_float(2) == 2.0
    assert iso_date(None) is None and iso_date("2060-03-16") == "2060-03-16"
    assert iso_date(dt.date(2060, 3, 16)) == "2060-03-16"


def test_asyncpg_connect_args_from_our_urls():
    args = asyncpg_connect_args("postgresql+psycopg://u:p%40ss@db.example:5433/land?"
                                "options=-csearch_path%3Dbench_1%2Cpublic%20-c%20statement_timeout%3D5000"
                                "&application_name=datdai&connect_timeout=7&sslmode=require")
    assert args == {"host": "db.example", "port": 5433, "user": "u", "password": "p@ss", "database": "land",
                    "timeout": 7.0, "ssl": "require",
                    "server_settings": {"search_path": "bench_1,public", "statement_timeout": "5000",
                                        "application_name": "datdai"}}
    assert asyncpg_connect_args("postgresql://localhost/x") == {"host": "localhost", "database": "x"}


def test_openapi_security_on_exactly_the_routes_that_need_credentials(store):
    with TestClient(create_app(store)) as client:
        spec = client.get("/openapi.json").json()
    open_routes = {("/api/v1/health", "get"), ("/api/v1/calendar/deadline", "get"), ("/api/v1/auth/token", "post")}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if (path, method) in open_routes:
                assert "security" not in op, (path, method)
            else:
                assert op["security"] == [{"bearer": []}, {"api_key": []}], (path, method)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["api_key"] == {"type": "apiKey", "description": schemes["api_key"]["description"],
                                  "in": "header", "name": "X-API-Key"}
    assert schemes["bearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"


def test_hot_statements_only_search_indexes_on_sqlite(store):
    """The hot routes' statements never scan a table (a parenthesised join once made SQLite read
    every right of the store for each parcel lookup)."""
    if store.backend != "sqlite":
        return
    import re
    import sqlite3

    load_land(store)
    conn = sqlite3.connect(store.engine.url.database)
    try:
        for read, params in [
            (parcels.KEY_READ, {"ma_xa": "25216", "so_to": 12, "so_thua": 2, "limit": 101, "offset": 0}),
            (exchange_c06.LAND_READ, {"number": AN}),
            (parcels.ID_READ, {"parcel_id": 1}),
        ]:
            sql, values = read.sql(store.engine.dialect, params)
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, values)]
            # scans of the statements' own small intermediate results (a page, a citizen's holders,
            # the parties found by the number and their own links) are fine; a table's are not
            scans = [step for step in plan
                     if re.match(r"(SCAN|MATERIALIZE) (?!page\b|holders\b|anon_|found\b|own\b)", step)]
            assert not scans, (read.statement, plan)
    finally:
        conn.close()
