"""cluster edits and taxonomy overlays

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cluster_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('answer_ids', sa.JSON(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_cluster_edits_created_by_users')),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_runs.id'], name=op.f('fk_cluster_edits_run_id_analysis_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_edits'))
    )
    with op.batch_alter_table('cluster_edits', schema=None) as batch_op:
        batch_op.create_index('ix_cluster_edits_run_id', ['run_id'], unique=False)

    op.create_table('taxonomy_overlays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxonomy_id', sa.String(length=64), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_taxonomy_overlays_created_by_users')),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_runs.id'], name=op.f('fk_taxonomy_overlays_run_id_analysis_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_overlays'))
    )
    with op.batch_alter_table('taxonomy_overlays', schema=None) as batch_op:
        batch_op.create_index('ix_taxonomy_overlays_taxonomy_id', ['taxonomy_id'], unique=False)


def downgrade():
    with op.batch_alter_table('taxonomy_overlays', schema=None) as batch_op:
        batch_op.drop_index('ix_taxonomy_overlays_taxonomy_id')

    op.drop_table('taxonomy_overlays')
    with op.batch_alter_table('cluster_edits', schema=None) as batch_op:
        batch_op.drop_index('ix_cluster_edits_run_id')

    op.drop_table('cluster_edits')
