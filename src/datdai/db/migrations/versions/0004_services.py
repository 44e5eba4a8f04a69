"""services: service catalog, dossiers, their events, pauses and documents, obligations, outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:05:53

The service catalog as stored (seeded from the catalog data on first use, not here: the migration
does not depend on the catalog's version), dossiers with their transitions, the pauses of the
legal clock and the documents of each, the financial obligations of a right, and the outbox of
messages to partners (Model 46).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('group_name', sa.Text(), nullable=True),
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('limit_days_disadvantaged', sa.Integer(), nullable=True),
    sa.Column('legal_source', sa.Text(), nullable=False),
    sa.Column('essential', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('code', name=op.f('uq_services_code'))
    )
    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('service_code', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('applicant_party_id', sa.Integer(), nullable=True),
    sa.Column('applicant_personal_number', sa.String(length=12), nullable=True),
    sa.Column('applicant_name', sa.Text(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.String(length=8), nullable=True),
    sa.Column('disadvantaged', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('timeliness', sa.String(length=10), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('notary_contract_no', sa.String(length=60), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('population_check', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_party_id'], ['parties.id'], name=op.f('fk_dossiers_applicant_party_id_parties')),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_dossiers_parcel_id_parcels')),
    sa.ForeignKeyConstraint(['service_code'], ['services.code'], name=op.f('fk_dossiers_service_code_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_dossiers_idempotency_key')),
    sa.UniqueConstraint('notary_contract_no', name=op.f('uq_dossiers_notary_contract_no'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_applicant_personal_number'), ['applicant_personal_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_parcel_id'), ['parcel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_service_code_received_at'), ['service_code', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_state'), ['state'], unique=False)

    op.create_table('dossier_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('component_code', sa.String(length=60), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=True),
    sa.Column('stored_path', sa.Text(), nullable=False),
    sa.Column('digitized', sa.Boolean(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.Text(), nullable=False),
    sa.Column('reused_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_documents_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reused_from_id'], ['dossier_documents.id'], name=op.f('fk_dossier_documents_reused_from_id_dossier_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_documents')),
    sa.UniqueConstraint('dossier_id', 'component_code', 'sha256', name=op.f('uq_dossier_documents_dossier_id_component_code_sha256'))
    )
    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_documents_sha256'), ['sha256'], unique=False)

    op.create_table('dossier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('audit_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_batch_id'], ['audit_batches.id'], name=op.f('fk_dossier_events_audit_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_events_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_events'))
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_events_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('paused_from', sa.Date(), nullable=False),
    sa.Column('paused_to', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_pauses_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_pauses'))
    )
    with op.batch_alter_table('dossier_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_pauses_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('partner', sa.String(length=30), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_outbox_dossier_id_dossiers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_status_next_attempt_at'), ['status', 'next_attempt_at'], unique=False)

    op.create_table('financial_obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('right_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=0), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('dossier_code', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['right_id'], ['rights.id'], name=op.f('fk_financial_obligations_right_id_rights'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financial_obligations')),
    sa.UniqueConstraint('right_id', 'kind', name=op.f('uq_financial_obligations_right_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('financial_obligations')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status_next_attempt_at'))

    op.drop_table('outbox')
    with op.batch_alter_table('dossier_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_pauses_dossier_id'))

    op.drop_table('dossier_pauses')
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_events_dossier_id'))

    op.drop_table('dossier_events')
    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_documents_sha256'))

    op.drop_table('dossier_documents')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_state'))
        batch_op.drop_index(batch_op.f('ix_dossiers_service_code_received_at'))
        batch_op.drop_index(batch_op.f('ix_dossiers_parcel_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_applicant_personal_number'))

    op.drop_table('dossiers')
    op.drop_table('services')
