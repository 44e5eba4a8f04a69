"""``datdai db upgrade``: the store's schema migrations."""

from __future__ import annotations

from datdai.apps.commands.common import DbOption, db_app, out


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Áp dụng các bản nâng cấp lược đồ / apply schema migrations."""
    from datdai.db import migrate
    from datdai.db.engine import make_engine, redact, resolve_url

    url = resolve_url(db)
    engine = make_engine(url, create=True)
    try:
        before = migrate.check_known_revision(engine)
        after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    out.print(f"{redact(url)}: {before or '(trống / empty)'} → {after}")
