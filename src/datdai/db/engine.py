"""Opening the store: URL resolution, engine creation, and the errors a user can act on.

``--db`` takes a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://…``) or a plain
path to a SQLite file; ``DATDAI_DB`` sets the default.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from datdai.kernel.errors import Unavailable

DEFAULT_DB_ENV = "DATDAI_DB"


class StoreError(Unavailable):
    """A problem with the store the user can fix (bad path, server down, newer schema): exit code 2."""


def resolve_url(db: str | os.PathLike | None, default: str | None = None) -> str:
    """A SQLAlchemy URL from a URL or a plain SQLite path (``DATDAI_DB`` when ``db`` is None)."""
    raw = str(db) if db is not None else os.environ.get(DEFAULT_DB_ENV) or default
    if not raw:
        raise StoreError(
            "chưa chỉ định cơ sở dữ liệu: dùng --db hoặc biến DATDAI_DB / no database given (--db or DATDAI_DB)"
        )
    if "://" not in raw:
        return "sqlite:///" + str(Path(raw).expanduser().resolve())
    try:
        make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"URL cơ sở dữ liệu không hợp lệ / invalid database URL '{raw}': {exc}") from exc
    return raw


def backend_name(url: str) -> str:
    return make_url(url).get_backend_name()


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _check_sqlite_path(url: str, create: bool) -> None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if path.exists():
        if not os.access(path, os.R_OK | (os.W_OK if create else 0)):
            raise StoreError(f"không đọc/ghi được tệp cơ sở dữ liệu / cannot access database file '{path}'")
        return
    if not create:
        raise StoreError(f"không có tệp cơ sở dữ liệu / database file not found: '{path}'")
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(f"thư mục không tồn tại / directory does not exist: '{parent}'")
    if not os.access(parent, os.W_OK):
        raise StoreError(f"không ghi được vào thư mục / directory not writable: '{parent}'")


def sha256_hex(text: str | None) -> str | None:
    """SHA-256 of a text (UTF-8) in hex: ``datdai_sha256`` on SQLite connections, where the
    access log's writer links a row into its hash chain (``auth/access_log.py``)."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_sqlite_functions(dbapi_connection) -> None:
    dbapi_connection.create_function("datdai_sha256", 1, sha256_hex, deterministic=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    register_sqlite_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, create: bool = False) -> Engine:
    """An engine for the store, checked to be reachable. ``create`` allows a new SQLite file."""
    backend = backend_name(url)
    if backend == "sqlite":
        _check_sqlite_path(url, create)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif backend == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    else:
        raise StoreError(f"chưa hỗ trợ hệ quản trị '{backend}' / unsupported backend (sqlite, postgresql)")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(
            f"không kết nối được cơ sở dữ liệu / cannot connect to the database {redact(url)}: {reason}"
        ) from exc
    return engine
