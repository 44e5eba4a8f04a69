"""reconcile evidence: why each candidate was proposed, and what the run said about itself

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:00:00

``reconcile_results.evidence``: per candidate listed in the result (best first), its probability,
its weight in bits and each field's level and bits (the ``.giai_thich.csv`` a ``datdai
reconcile`` run writes beside its result; empty for results returned by C06).
``reconcile_runs.summary``: the run's notes (how the files were read), warnings (what makes the
result doubtful), blocking and model figures (the ``.tom_tat.json`` beside the result).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('reconcile_results') as batch:
        batch.add_column(sa.Column('evidence', _json(), nullable=True))
    with op.batch_alter_table('reconcile_runs') as batch:
        batch.add_column(sa.Column('summary', _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reconcile_runs') as batch:
        batch.drop_column('summary')
    with op.batch_alter_table('reconcile_results') as batch:
        batch.drop_column('evidence')
