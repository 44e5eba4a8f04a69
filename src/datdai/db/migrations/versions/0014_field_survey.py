"""field survey: submissions and their enrichment proposals; address parts of a parcel

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-07 00:00:00

``survey_submissions`` (one row per submission, unique by its instance ID) and
``survey_proposals`` (one per field whose submitted value differs from the store), and
``parcel_addresses`` (audited: house number, street or hamlet, commune old and 2025 names, per
parcel or per house/apartment), which the survey fills.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'parcel_addresses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parcel_id', sa.Integer(), nullable=False),
        sa.Column('asset_id', sa.Integer(), nullable=True),
        sa.Column('house_number', sa.String(40), nullable=True),
        sa.Column('street', sa.Text(), nullable=True),
        sa.Column('commune_code', sa.String(8), nullable=True),
        sa.Column('commune_name_old', sa.Text(), nullable=True),
        sa.Column('commune_name_new', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='CASCADE',
                                name=op.f('fk_parcel_addresses_parcel_id_parcels')),
        sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], ondelete='CASCADE',
                                name=op.f('fk_parcel_addresses_asset_id_assets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_parcel_addresses')),
    )
    op.create_index(op.f('ix_parcel_addresses_parcel_id'), 'parcel_addresses', ['parcel_id'])
    op.create_table(
        'survey_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(100), nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('file_name', sa.Text(), nullable=False),
        sa.Column('entity_key', sa.String(40), nullable=True),
        sa.Column('commune_code', sa.String(8), nullable=True),
        sa.Column('parcel_id', sa.Integer(), nullable=True),
        sa.Column('confirmation', sa.String(16), nullable=True),
        sa.Column('surveyor', sa.Text(), nullable=True),
        sa.Column('surveyed_on', sa.Date(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('qr_payload', sa.Text(), nullable=True),
        sa.Column('qr_number', sa.String(12), nullable=True),
        sa.Column('qr_status', sa.String(12), nullable=True),
        sa.Column('photos', _json(), nullable=True),
        sa.Column('values', _json(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='SET NULL',
                                name=op.f('fk_survey_submissions_parcel_id_parcels')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_submissions')),
        sa.UniqueConstraint('instance_id', name=op.f('uq_survey_submissions_instance_id')),
    )
    op.create_index(op.f('ix_survey_submissions_commune_code_status'), 'survey_submissions',
                    ['commune_code', 'status'])
    op.create_index(op.f('ix_survey_submissions_parcel_id'), 'survey_submissions', ['parcel_id'])
    op.create_table(
        'survey_proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('parcel_id', sa.Integer(), nullable=True),
        sa.Column('commune_code', sa.String(8), nullable=True),
        sa.Column('field', sa.String(40), nullable=False),
        sa.Column('entity', sa.String(40), nullable=True),
        sa.Column('entity_id', sa.Integer(), nullable=True),
        sa.Column('column_name', sa.String(40), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('new_value', sa.Text(), nullable=False),
        sa.Column('conflict', sa.String(20), nullable=True),
        sa.Column('conflict_note', sa.Text(), nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('decided_by', sa.Text(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('applied_batch_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['submission_id'], ['survey_submissions.id'], ondelete='CASCADE',
                                name=op.f('fk_survey_proposals_submission_id_survey_submissions')),
        sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ondelete='SET NULL',
                                name=op.f('fk_survey_proposals_parcel_id_parcels')),
        sa.ForeignKeyConstraint(['applied_batch_id'], ['audit_batches.id'],
                                name=op.f('fk_survey_proposals_applied_batch_id_audit_batches')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_proposals')),
    )
    op.create_index(op.f('ix_survey_proposals_submission_id'), 'survey_proposals', ['submission_id'])
    op.create_index(op.f('ix_survey_proposals_commune_code_status'), 'survey_proposals',
                    ['commune_code', 'status'])
    op.create_index(op.f('ix_survey_proposals_parcel_id'), 'survey_proposals', ['parcel_id'])


def downgrade() -> None:
    op.drop_table('survey_proposals')
    op.drop_table('survey_submissions')
    op.drop_table('parcel_addresses')
