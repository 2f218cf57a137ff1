"""report rollups

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

Pre-aggregated respondent counts of the report pages (fieldscan.models.report_rollups).
Empty after the upgrade: the next analysis run fills them, and `fieldscan reports refresh`
(or the first report view of a run without them) builds them for the runs already done.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_runs.id'], name=op.f('fk_report_rollups_run_id_analysis_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollups')),
    sa.UniqueConstraint('run_id', 'grain', 'kind', 'day', 'survey_id', 'site_id', 'language', 'channel', 'key', name='uq_report_rollups_cell')
    )


def downgrade():
    op.drop_table('report_rollups')
