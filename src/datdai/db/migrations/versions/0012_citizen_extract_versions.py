"""population extracts as versioned evidence: the file, its hash, its extraction date, who loaded it

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 00:00:00

``citizen_extracts`` gains ``file_name``, ``sha256`` (of the file's bytes), ``extract_date`` (the
day C06 extracted it, as the office was told), ``loaded_by`` and ``replaced_at``. Loading a new
extract (``datdai dan-cu nap``) replaces the ``citizens`` rows and keeps every earlier extract's
record (its hash, date and row count: what a past reconciliation was matched against).
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('citizen_extracts') as batch:
        batch.add_column(sa.Column('file_name', sa.Text(), nullable=True))
        batch.add_column(sa.Column('sha256', sa.String(64), nullable=True))
        batch.add_column(sa.Column('extract_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('loaded_by', sa.Text(), nullable=True))
        batch.add_column(sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('citizen_extracts') as batch:
        for name in ('replaced_at', 'loaded_by', 'extract_date', 'sha256', 'file_name'):
            batch.drop_column(name)
