"""The store facade: open a database (SQLite file or PostgreSQL/PostGIS), migrated and checked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from datdai.db import migrate
from datdai.db.engine import StoreError, backend_name, make_engine, redact, resolve_url


@dataclass
class Store:
    url: str
    engine: Engine

    @property
    def backend(self) -> str:
        return backend_name(self.url)

    @property
    def display_url(self) -> str:
        return redact(self.url)

    def revision(self) -> str | None:
        return migrate.current_revision(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def open_store(db: str | None = None, *, create: bool = False, upgrade: bool | None = None) -> Store:
    """Open the store at ``db`` (URL or SQLite path; ``DATDAI_DB`` when None).

    ``create`` allows a new SQLite file and applies migrations; otherwise the store must exist and
    be at the current schema (``datdai db upgrade`` brings an older one up). A store written by a
    newer datdai is refused with :class:`StoreError`, untouched.
    """
    url = resolve_url(db)
    engine = make_engine(url, create=create)
    try:
        migrate.check_known_revision(engine)
        if upgrade or (upgrade is None and create):
            migrate.upgrade(engine)
        elif not migrate.is_up_to_date(engine):
            raise StoreError(
                f"cơ sở dữ liệu {redact(url)} chưa ở phiên bản lược đồ hiện hành: chạy `datdai db upgrade` / "
                "the database schema is not current: run `datdai db upgrade`"
            )
    except Exception:
        engine.dispose()
        raise
    return Store(url=url, engine=engine)
