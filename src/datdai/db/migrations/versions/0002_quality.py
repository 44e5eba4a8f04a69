"""quality: deliveries, quality runs, findings and their history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:40:00

Deliveries imported, the quality runs over them, the findings (one row per finding, found again
by its fingerprint on a re-check) and the events of each finding's review.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('parcel_source', sa.Text(), nullable=False),
    sa.Column('register_source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('audit_batch_id', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['audit_batch_id'], ['audit_batches.id'], name=op.f('fk_deliveries_audit_batch_id_audit_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_deliveries_fingerprint'))
    )
    op.create_table('quality_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=True),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('fix_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_quality_runs_delivery_id_deliveries')),
    sa.ForeignKeyConstraint(['fix_batch_id'], ['audit_batches.id'], name=op.f('fk_quality_runs_fix_batch_id_audit_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_runs'))
    )
    with op.batch_alter_table('quality_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_runs_delivery_id'), ['delivery_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=True),
    sa.Column('commune_code', sa.String(length=8), nullable=True),
    sa.Column('sheet_no', sa.String(length=20), nullable=True),
    sa.Column('parcel_no', sa.String(length=20), nullable=True),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=16), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('map_value', sa.Text(), nullable=True),
    sa.Column('register_value', sa.Text(), nullable=True),
    sa.Column('proposed_fix', sa.Text(), nullable=True),
    sa.Column('auto_fixable', sa.Boolean(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audit_change_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_change_id'], ['audit_changes.id'], name=op.f('fk_findings_audit_change_id_audit_changes')),
    sa.ForeignKeyConstraint(['last_run_id'], ['quality_runs.id'], name=op.f('fk_findings_last_run_id_quality_runs')),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_findings_parcel_id_parcels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_findings_party_id_parties'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['quality_runs.id'], name=op.f('fk_findings_run_id_quality_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_findings_fingerprint'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_commune_status', ['commune_code', 'status', 'rule_code', 'severity', 'parcel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_last_run_id'), ['last_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_parcel_id'), ['parcel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_rule_code_status'), ['rule_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_run_id'), ['run_id'], unique=False)

    op.create_table('quality_run_communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('parcels', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['quality_runs.id'], name=op.f('fk_quality_run_communes_run_id_quality_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_run_communes')),
    sa.UniqueConstraint('run_id', 'commune_code', name=op.f('uq_quality_run_communes_run_id_commune_code'))
    )
    with op.batch_alter_table('quality_run_communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_run_communes_commune_code'), ['commune_code'], unique=False)

    op.create_table('finding_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('audit_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_batch_id'], ['audit_batches.id'], name=op.f('fk_finding_events_audit_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_events_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_events'))
    )
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_events_finding_id'), ['finding_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finding_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_events_finding_id'))

    op.drop_table('finding_events')
    with op.batch_alter_table('quality_run_communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_run_communes_commune_code'))

    op.drop_table('quality_run_communes')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_run_id'))
        batch_op.drop_index(batch_op.f('ix_findings_rule_code_status'))
        batch_op.drop_index(batch_op.f('ix_findings_party_id'))
        batch_op.drop_index(batch_op.f('ix_findings_parcel_id'))
        batch_op.drop_index(batch_op.f('ix_findings_last_run_id'))
        batch_op.drop_index('ix_findings_commune_status')

    op.drop_table('findings')
    with op.batch_alter_table('quality_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_runs_delivery_id'))

    op.drop_table('quality_runs')
    op.drop_table('deliveries')
