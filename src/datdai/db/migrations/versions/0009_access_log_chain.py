"""access log: a hash chain over its rows, REPLACE refused on SQLite

Revision ID: 0009
Revises: 0014
Create Date: 2026-12-07 00:00:00

Each access-log row gets its place in a chain (``seq``), the SHA-256 of its content and subjects
(``content_hash``, computed by the writer), the previous row's hash (``prev_hash``) and its own
(``row_hash`` = SHA-256 of ``prev_hash || content_hash``); ``datdai access-log verify`` walks the
chain and reports edited, deleted and inserted rows (``auth/access_log.py``). Rows written before
this migration keep NULLs and are reported as written before the chain.

Who links a row into the chain:

* **PostgreSQL**: a BEFORE INSERT trigger, under a transaction-level advisory lock (so that the
  writers of every worker process take turns until they commit), reads the last row of the chain
  and fills ``seq``, ``prev_hash`` and ``row_hash``.
* **SQLite**: the writer's one INSERT statement computes them from the last row (SQLite lets one
  writer at a time in; ``datdai_sha256`` is registered on every connection by the store). A BEFORE
  INSERT trigger refuses a row that does not continue the chain.

And on SQLite, ``INSERT OR REPLACE`` / ``REPLACE INTO`` of an existing row (which deletes it
without firing the DELETE trigger) is refused by a BEFORE INSERT trigger on both tables;
PostgreSQL has no REPLACE, and its ``ON CONFLICT DO UPDATE`` fires the UPDATE trigger of 0005.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0014'
branch_labels = None
depends_on = None

MESSAGE = 'nhật ký truy cập chỉ được ghi thêm / the access log is append-only'
CHAIN_MESSAGE = ('dòng nhật ký không nối tiếp chuỗi băm / the row does not continue the '
                 'access-log hash chain')
GENESIS = '0' * 64
LOCK_KEY = 6_453_961_204_409  # pg_advisory_xact_lock: the access log's chain


def upgrade() -> None:
    op.add_column('access_log', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('access_log', sa.Column('content_hash', sa.String(length=64), nullable=True))
    op.add_column('access_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('access_log', sa.Column('row_hash', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_access_log_seq'), 'access_log', ['seq'], unique=True)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION datdai_access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE last_seq integer; last_hash text; BEGIN "
            "IF NEW.content_hash IS NULL OR length(NEW.content_hash) <> 64 THEN "
            f"RAISE EXCEPTION '{CHAIN_MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
            f"PERFORM pg_advisory_xact_lock({LOCK_KEY}); "
            "SELECT seq, row_hash INTO last_seq, last_hash FROM access_log "
            "WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1; "
            "NEW.seq := COALESCE(last_seq, 0) + 1; "
            f"NEW.prev_hash := COALESCE(last_hash, '{GENESIS}'); "
            "NEW.row_hash := encode(sha256(convert_to(NEW.prev_hash || NEW.content_hash, 'UTF8')), 'hex'); "
            "RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log "
                   "FOR EACH ROW EXECUTE FUNCTION datdai_access_log_chain()")
        return
    for table in ('access_log', 'access_log_subjects'):
        op.execute(f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                   f"WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    op.execute(
        "CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log WHEN "
        "NEW.seq IS NULL OR NEW.content_hash IS NULL OR NEW.row_hash IS NULL "
        "OR NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log) "
        f"OR NEW.prev_hash IS NOT COALESCE((SELECT row_hash FROM access_log WHERE seq = NEW.seq - 1), '{GENESIS}') "
        f"BEGIN SELECT RAISE(ABORT, '{CHAIN_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS access_log_chain ON access_log")
        op.execute("DROP FUNCTION IF EXISTS datdai_access_log_chain()")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_chain")
        for table in ('access_log', 'access_log_subjects'):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    op.drop_index(op.f('ix_access_log_seq'), table_name='access_log')
    with op.batch_alter_table('access_log', recreate='never') as batch:
        for column in ('row_hash', 'prev_hash', 'content_hash', 'seq'):
            batch.drop_column(column)
