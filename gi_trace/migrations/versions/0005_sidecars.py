"""Statement v2: disclosures and attachments beside the log, and who may read them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'log_sidecars',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('disclosures', sa.Text(), nullable=True),
        sa.Column('attachments', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.create_table(
        'log_readers',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('org', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq', 'org'),
    )
    op.create_index('ix_log_readers_org', 'log_readers', ['org'])


def downgrade() -> None:
    op.drop_index('ix_log_readers_org', table_name='log_readers')
    op.drop_table('log_readers')
    op.drop_table('log_sidecars')
