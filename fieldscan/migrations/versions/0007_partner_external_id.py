"""partner external id and partner matches

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_partners_external_id'), ['external_id'], unique=False)

    op.create_table('partner_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_key', sa.String(length=400), nullable=False),
    sa.Column('entity_name', sa.String(length=300), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'rejected', name='partner_match_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_partner_matches_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_matches_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_matches')),
    sa.UniqueConstraint('entity_key', 'partner_id', name=op.f('uq_partner_matches_entity_key_partner_id'))
    )
    with op.batch_alter_table('partner_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_matches_entity_key'), ['entity_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_matches_partner_id'), ['partner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('partner_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_matches_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partner_matches_entity_key'))

    op.drop_table('partner_matches')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_external_id'))
        batch_op.drop_column('external_id')
