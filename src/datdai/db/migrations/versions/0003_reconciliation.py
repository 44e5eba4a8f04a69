"""reconciliation: owners exports, reconciliation runs, results and decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:40:00

The owners exports sent for matching with the row -> party/parcel mapping of each, the
reconciliation result files read back (ours or C06's), one row per result with a person's
decision on it, and the history of those decisions.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('c06_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_c06_exports'))
    )
    with op.batch_alter_table('c06_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_c06_exports_sha256'), ['sha256'], unique=False)

    op.create_table('c06_export_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.Integer(), nullable=False),
    sa.Column('ma_dong', sa.String(length=16), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['export_id'], ['c06_exports.id'], name=op.f('fk_c06_export_rows_export_id_c06_exports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_c06_export_rows_parcel_id_parcels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_c06_export_rows_party_id_parties'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_c06_export_rows')),
    sa.UniqueConstraint('export_id', 'ma_dong', name=op.f('uq_c06_export_rows_export_id_ma_dong'))
    )
    with op.batch_alter_table('c06_export_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_c06_export_rows_party_id'), ['party_id'], unique=False)

    op.create_table('reconcile_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['export_id'], ['c06_exports.id'], name=op.f('fk_reconcile_runs_export_id_c06_exports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconcile_runs')),
    sa.UniqueConstraint('export_id', 'sha256', name=op.f('uq_reconcile_runs_export_id_sha256'))
    )
    op.create_table('reconcile_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('ma_dong', sa.String(length=16), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.String(length=8), nullable=True),
    sa.Column('ket_qua', sa.String(length=16), nullable=False),
    sa.Column('candidates', sa.Text(), nullable=True),
    sa.Column('diem', sa.Float(), nullable=True),
    sa.Column('ly_do', sa.Text(), nullable=True),
    sa.Column('ho_ten_chuan', sa.Text(), nullable=True),
    sa.Column('ngay_sinh_chuan', sa.String(length=10), nullable=True),
    sa.Column('gioi_tinh_chuan', sa.String(length=4), nullable=True),
    sa.Column('cccd_chuan', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=12), nullable=True),
    sa.Column('chosen_number', sa.String(length=12), nullable=True),
    sa.Column('decided_by', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('applied_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applied_batch_id'], ['audit_batches.id'], name=op.f('fk_reconcile_results_applied_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_reconcile_results_parcel_id_parcels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_reconcile_results_party_id_parties'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['reconcile_runs.id'], name=op.f('fk_reconcile_results_run_id_reconcile_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconcile_results')),
    sa.UniqueConstraint('run_id', 'ma_dong', name=op.f('uq_reconcile_results_run_id_ma_dong'))
    )
    with op.batch_alter_table('reconcile_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconcile_results_party_id_run_id'), ['party_id', 'run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reconcile_results_run_id_status'), ['run_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reconcile_results_status_commune_code'), ['status', 'commune_code'], unique=False)

    op.create_table('reconcile_decision_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=True),
    sa.Column('chosen_number', sa.String(length=12), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('audit_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_batch_id'], ['audit_batches.id'], name=op.f('fk_reconcile_decision_events_audit_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['result_id'], ['reconcile_results.id'], name=op.f('fk_reconcile_decision_events_result_id_reconcile_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconcile_decision_events'))
    )
    with op.batch_alter_table('reconcile_decision_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconcile_decision_events_result_id'), ['result_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reconcile_decision_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconcile_decision_events_result_id'))

    op.drop_table('reconcile_decision_events')
    with op.batch_alter_table('reconcile_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconcile_results_status_commune_code'))
        batch_op.drop_index(batch_op.f('ix_reconcile_results_run_id_status'))
        batch_op.drop_index(batch_op.f('ix_reconcile_results_party_id_run_id'))

    op.drop_table('reconcile_results')
    op.drop_table('reconcile_runs')
    with op.batch_alter_table('c06_export_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_c06_export_rows_party_id'))

    op.drop_table('c06_export_rows')
    with op.batch_alter_table('c06_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_c06_exports_sha256'))

    op.drop_table('c06_exports')
