"""completed responses per survey and site: a covering index

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

The reports' index page counts completed responses per survey version and site
(``reports.services.completed_counts``): with ``status`` first and both grouping columns in
the index, the count reads the index alone (SQLite, and PostgreSQL once vacuumed) instead of
every response row.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_responses_status_version_site',
        'responses',
        ['status', 'survey_version_id', 'site_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_responses_status_version_site', table_name='responses')
