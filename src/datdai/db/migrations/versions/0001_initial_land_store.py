"""initial land store

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 20:36:39.571298
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

from datdai.db.geometry import Geometry
from datdai.db.spatial_ref import ensure_postgis

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        ensure_postgis(bind)  # extension + the VN-2000 SRIDs Debian's PostGIS lacks
    op.create_table('admin_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('era', sa.String(length=4), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('successor_code', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_units')),
    sa.UniqueConstraint('era', 'level', 'code', name=op.f('uq_admin_units_era_level_code'))
    )
    op.create_table('audit_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reverts_batch_id', sa.Integer(), nullable=True),
    sa.Column('reverted_by_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reverted_by_batch_id'], ['audit_batches.id'], name=op.f('fk_audit_batches_reverted_by_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['reverts_batch_id'], ['audit_batches.id'], name=op.f('fk_audit_batches_reverts_batch_id_audit_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_batches'))
    )
    op.create_table('citizen_extracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_extracts'))
    )
    op.create_table('holdings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holdings')),
    sa.UniqueConstraint('code', name=op.f('uq_holdings_code'))
    )
    op.create_table('parcels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('sheet_no', sa.Integer(), nullable=False),
    sa.Column('parcel_no', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(), nullable=True),
    sa.Column('srid', sa.Integer(), nullable=True),
    sa.Column('min_x', sa.Float(), nullable=True),
    sa.Column('min_y', sa.Float(), nullable=True),
    sa.Column('max_x', sa.Float(), nullable=True),
    sa.Column('max_y', sa.Float(), nullable=True),
    sa.Column('computed_area', sa.Float(), nullable=True),
    sa.Column('legal_area', sa.Float(), nullable=True),
    sa.Column('land_use_codes', sa.String(length=60), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('map_scale', sa.Integer(), nullable=True),
    sa.Column('map_area_label', sa.Float(), nullable=True),
    sa.Column('map_land_use_label', sa.String(length=60), nullable=True),
    sa.Column('map_owner_label', sa.Text(), nullable=True),
    sa.Column('identifier', sa.String(length=16), nullable=True),
    sa.Column('old_sheet_no', sa.Integer(), nullable=True),
    sa.Column('old_parcel_no', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parcels'))
    )
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.create_index('ix_parcels_bbox', ['commune_code', 'min_x', 'min_y'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcels_commune_code_sheet_no_parcel_no'), ['commune_code', 'sheet_no', 'parcel_no'], unique=False)

    if bind.dialect.name == "postgresql":
        op.create_index('ix_parcels_geom', 'parcels', ['geom'], postgresql_using='gist')

    op.create_table('parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('gender', sa.String(length=4), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('nationality', sa.Text(), nullable=True),
    sa.Column('ethnicity', sa.Text(), nullable=True),
    sa.Column('tax_code', sa.String(length=20), nullable=True),
    sa.Column('personal_number', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties')),
    sa.UniqueConstraint('code', name=op.f('uq_parties_code'))
    )
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parties_personal_number'), ['personal_number'], unique=False)

    op.create_table('assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('holding_id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('house_type', sa.Text(), nullable=True),
    sa.Column('building_name', sa.Text(), nullable=True),
    sa.Column('apartment_no', sa.String(length=20), nullable=True),
    sa.Column('floor_area', sa.Float(), nullable=True),
    sa.Column('construction_area', sa.Float(), nullable=True),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=20), nullable=True),
    sa.Column('ownership_form', sa.Text(), nullable=True),
    sa.Column('ownership_term', sa.Text(), nullable=True),
    sa.Column('shared_parts', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['holding_id'], ['holdings.id'], name=op.f('fk_assets_holding_id_holdings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_assets_parcel_id_parcels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets')),
    sa.UniqueConstraint('code', name=op.f('uq_assets_code'))
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assets_holding_id'), ['holding_id'], unique=False)

    op.create_table('audit_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('reverts_change_id', sa.Integer(), nullable=True),
    sa.Column('reverted_by_change_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['audit_batches.id'], name=op.f('fk_audit_changes_batch_id_audit_batches')),
    sa.ForeignKeyConstraint(['reverted_by_change_id'], ['audit_changes.id'], name=op.f('fk_audit_changes_reverted_by_change_id_audit_changes')),
    sa.ForeignKeyConstraint(['reverts_change_id'], ['audit_changes.id'], name=op.f('fk_audit_changes_reverts_change_id_audit_changes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_changes'))
    )
    with op.batch_alter_table('audit_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_changes_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_changes_entity_entity_id'), ['entity', 'entity_id'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=20), nullable=False),
    sa.Column('form', sa.String(length=4), nullable=False),
    sa.Column('holding_id', sa.Integer(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('issuer', sa.Text(), nullable=True),
    sa.Column('register_entry', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['holding_id'], ['holdings.id'], name=op.f('fk_certificates_holding_id_holdings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_holding_id'), ['holding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_serial'), ['serial'], unique=False)

    op.create_table('citizens',
    sa.Column('so_dinh_danh', sa.String(length=12), nullable=False),
    sa.Column('so_cmnd', sa.String(length=12), nullable=True),
    sa.Column('ho_ten', sa.Text(), nullable=False),
    sa.Column('gioi_tinh', sa.String(length=4), nullable=True),
    sa.Column('dan_toc', sa.Text(), nullable=True),
    sa.Column('ton_giao', sa.Text(), nullable=True),
    sa.Column('tinh_trang_hon_nhan', sa.Text(), nullable=True),
    sa.Column('ngay_sinh', sa.String(length=10), nullable=True),
    sa.Column('noi_dang_ky_khai_sinh', sa.Text(), nullable=True),
    sa.Column('quoc_tich', sa.Text(), nullable=True),
    sa.Column('que_quan', sa.Text(), nullable=True),
    sa.Column('thuong_tru', sa.Text(), nullable=True),
    sa.Column('noi_o_hien_tai', sa.Text(), nullable=True),
    sa.Column('cha', sa.Text(), nullable=True),
    sa.Column('me', sa.Text(), nullable=True),
    sa.Column('vo_chong', sa.Text(), nullable=True),
    sa.Column('nguoi_dai_dien', sa.Text(), nullable=True),
    sa.Column('chu_ho', sa.Text(), nullable=True),
    sa.Column('so_so_ho_khau', sa.Text(), nullable=True),
    sa.Column('extract_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['extract_id'], ['citizen_extracts.id'], name=op.f('fk_citizens_extract_id_citizen_extracts')),
    sa.PrimaryKeyConstraint('so_dinh_danh', name=op.f('pk_citizens'))
    )
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizens_so_cmnd'), ['so_cmnd'], unique=False)

    op.create_table('holding_parcels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holding_id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['holding_id'], ['holdings.id'], name=op.f('fk_holding_parcels_holding_id_holdings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_holding_parcels_parcel_id_parcels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holding_parcels')),
    sa.UniqueConstraint('holding_id', 'parcel_id', name=op.f('uq_holding_parcels_holding_id_parcel_id'))
    )
    with op.batch_alter_table('holding_parcels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holding_parcels_parcel_id'), ['parcel_id'], unique=False)

    op.create_table('identity_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=8), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('issue_place', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_identity_documents_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_documents'))
    )
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_documents_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_documents_party_id'), ['party_id'], unique=False)

    op.create_table('party_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('share', sa.Numeric(precision=12, scale=10), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['parties.id'], name=op.f('fk_party_members_group_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['parties.id'], name=op.f('fk_party_members_member_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_members'))
    )
    with op.batch_alter_table('party_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_members_member_id'), ['member_id'], unique=False)

    op.create_table('source_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('holding_id', sa.Integer(), nullable=True),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('doc_date', sa.Date(), nullable=True),
    sa.Column('reference', sa.Text(), nullable=True),
    sa.Column('digitized', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['holding_id'], ['holdings.id'], name=op.f('fk_source_documents_holding_id_holdings')),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_source_documents_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_documents')),
    sa.UniqueConstraint('code', name=op.f('uq_source_documents_code'))
    )
    op.create_table('rights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('holding_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('share', sa.Numeric(precision=12, scale=10), nullable=True),
    sa.Column('purpose_codes', sa.String(length=60), nullable=True),
    sa.Column('term', sa.Text(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('origin', sa.Text(), nullable=True),
    sa.Column('form_of_use', sa.Text(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_rights_asset_id_assets')),
    sa.ForeignKeyConstraint(['holding_id'], ['holdings.id'], name=op.f('fk_rights_holding_id_holdings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_rights_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights')),
    sa.UniqueConstraint('code', name=op.f('uq_rights_code'))
    )
    with op.batch_alter_table('rights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_holding_id'), ['holding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_party_id'), ['party_id'], unique=False)



def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index('ix_parcels_geom', table_name='parcels')
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('rights', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_party_id'))
        batch_op.drop_index(batch_op.f('ix_rights_holding_id'))

    op.drop_table('rights')
    op.drop_table('source_documents')
    with op.batch_alter_table('party_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_members_member_id'))
        batch_op.drop_index(batch_op.f('ix_party_members_group_id'))

    op.drop_table('party_members')
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_documents_party_id'))
        batch_op.drop_index(batch_op.f('ix_identity_documents_number'))

    op.drop_table('identity_documents')
    with op.batch_alter_table('holding_parcels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holding_parcels_parcel_id'))

    op.drop_table('holding_parcels')
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizens_so_cmnd'))

    op.drop_table('citizens')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_serial'))
        batch_op.drop_index(batch_op.f('ix_certificates_holding_id'))

    op.drop_table('certificates')
    with op.batch_alter_table('audit_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_changes_entity_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_changes_batch_id'))

    op.drop_table('audit_changes')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_holding_id'))

    op.drop_table('assets')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_personal_number'))

    op.drop_table('parties')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcels_commune_code_sheet_no_parcel_no'))
        batch_op.drop_index('ix_parcels_bbox')

    op.drop_table('parcels')
    op.drop_table('holdings')
    op.drop_table('citizen_extracts')
    op.drop_table('audit_batches')
    op.drop_table('admin_units')
