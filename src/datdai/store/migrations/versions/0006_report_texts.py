"""report texts: sections II-IV of the monthly Project 06 report, entered by the office per month

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 00:00:00

The monthly report's figures come from the store; its sections II (problems), III (next month's
tasks) and IV (proposals) are text the office writes. One row per office scope (a province or
commune code, '' for the whole store) and month, editable until the report is sent.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_code', sa.String(length=16), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_texts')),
    sa.UniqueConstraint('scope_code', 'month', name=op.f('uq_report_texts_scope_code_month'))
    )


def downgrade() -> None:
    op.drop_table('report_texts')
