"""report texts: sections II-IV of the monthly Project 06 report, entered by the office per month

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 00:00:00

The monthly report's figures come from the store; its sections II (problems), III (next month's
tasks) and IV (proposals) are text the office writes, with the difficulties per service of the
appendix and the document's particulars (number and symbol, date, place, governing and issuing
body, signer, recipients). One row per office scope (province or commune codes joined by ',', ''
for the whole store) and month, editable until the report is sent.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_code', sa.Text(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('proposals', sa.Text(), nullable=False),
    sa.Column('service_notes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=True),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('symbol', sa.String(length=40), nullable=True),
    sa.Column('report_date', sa.Date(), nullable=True),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('superior', sa.Text(), nullable=True),
    sa.Column('issuer', sa.Text(), nullable=True),
    sa.Column('signer_title', sa.Text(), nullable=True),
    sa.Column('signer_name', sa.Text(), nullable=True),
    sa.Column('recipients', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_texts')),
    sa.UniqueConstraint('scope_code', 'month', name=op.f('uq_report_texts_scope_code_month'))
    )


def downgrade() -> None:
    op.drop_table('report_texts')
