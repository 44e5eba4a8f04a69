"""Schema migrations (Alembic), run programmatically: ``datdai db upgrade`` and on store creation."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from datdai.db.engine import StoreError


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("datdai.db").joinpath("migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_known_revision(engine: Engine) -> str | None:
    """The store's revision; StoreError when it was written by a newer datdai."""
    rev = current_revision(engine)
    if rev is not None:
        script = ScriptDirectory.from_config(alembic_config())
        known = {s.revision for s in script.walk_revisions()}
        if rev not in known:
            raise StoreError(
                f"cơ sở dữ liệu ở phiên bản lược đồ mới hơn ({rev}) so với phần mềm này "
                f"(mới nhất {script.get_current_head()}): hãy cập nhật datdai / "
                "the database comes from a newer datdai; upgrade datdai"
            )
    return rev


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; returns the revision now in force."""
    check_known_revision(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return current_revision(engine) or ""


def downgrade(engine: Engine, revision: str = "base") -> str:
    """Undo migrations down to ``revision`` (``base``: no datdai table left); returns the revision
    now in force ("" at base)."""
    check_known_revision(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
    return current_revision(engine) or ""


def is_up_to_date(engine: Engine) -> bool:
    return check_known_revision(engine) == head_revision()
