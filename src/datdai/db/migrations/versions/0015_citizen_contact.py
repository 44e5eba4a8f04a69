"""citizen contact: where an account is told of its dossiers' changes

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-07 00:00:00

``users.email`` and ``users.phone``: filled from the identity provider's ``email`` and
``phone_number`` claims when a citizen logs in through OpenID Connect (or set by the office);
services/notifications.py addresses the e-mail / SMS of a dossier's state change to them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.Text(), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('phone')
        batch.drop_column('email')
