"""outbox lease: which dispatcher is sending a message, and until when

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00

``outbox.claimed_by`` / ``outbox.lease_until``: a dispatcher claims a due message with a
conditional UPDATE (pending, and no lease or an expired one) before sending it, so two dispatchers
(two ``datdai serve`` workers, or ``datdai outbox chay`` beside the server) never send the same
message at the same time, on SQLite as on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('lease_until')
        batch.drop_column('claimed_by')
