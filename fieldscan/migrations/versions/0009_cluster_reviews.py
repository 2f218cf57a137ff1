"""cluster reviews

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cluster_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_runs.id'], name=op.f('fk_cluster_reviews_run_id_analysis_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_cluster_reviews_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_reviews')),
    sa.UniqueConstraint('run_id', 'cluster_id', name=op.f('uq_cluster_reviews_run_id_cluster_id'))
    )


def downgrade():
    op.drop_table('cluster_reviews')
