"""Alembic environment: run with the connection given by datdai.db.migrate."""

from alembic import context

from datdai.db.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through datdai.db.migrate
    raise RuntimeError("run migrations through `datdai db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
