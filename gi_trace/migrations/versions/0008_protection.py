"""The protection loop: listing checks, takedown notices, cases across regions, rewards,
recall acknowledgements and webhook registrations (new statement types, new tables only).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('gi_case_events', 'gi_cases', 'gi_listings', 'gi_notices', 'gi_recall_acks',
          'gi_rewards', 'gi_webhooks')


def upgrade() -> None:
    op.create_table('gi_case_events',
    sa.Column('case', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('to', sa.String(length=64), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('case', 'seq')
    )
    op.create_table('gi_cases',
    sa.Column('case', sa.String(length=64), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('pending_to', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('public_summary', sa.Text(), nullable=True),
    sa.Column('opened_ts', sa.String(length=32), nullable=False),
    sa.Column('closed_ts', sa.String(length=32), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('case')
    )
    op.create_index(op.f('ix_gi_cases_holder'), 'gi_cases', ['holder'], unique=False)
    op.create_index(op.f('ix_gi_cases_pending_to'), 'gi_cases', ['pending_to'], unique=False)
    op.create_table('gi_listings',
    sa.Column('check', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('shop', sa.Text(), nullable=True),
    sa.Column('seller_uscc', sa.String(length=18), nullable=True),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('codes', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('check')
    )
    op.create_index(op.f('ix_gi_listings_platform'), 'gi_listings', ['platform'], unique=False)
    op.create_index(op.f('ix_gi_listings_seller_uscc'), 'gi_listings', ['seller_uscc'], unique=False)
    op.create_table('gi_notices',
    sa.Column('notice', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=64), nullable=False),
    sa.Column('listing', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('deadline', sa.String(length=32), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('sent_ts', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_ts', sa.String(length=32), nullable=True),
    sa.Column('answered_ts', sa.String(length=32), nullable=True),
    sa.Column('answer_reason', sa.Text(), nullable=True),
    sa.Column('answer_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('notice')
    )
    op.create_index(op.f('ix_gi_notices_platform'), 'gi_notices', ['platform'], unique=False)
    op.create_table('gi_recall_acks',
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('withdrawn', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('batch', 'org')
    )
    op.create_table('gi_rewards',
    sa.Column('reward', sa.String(length=64), nullable=False),
    sa.Column('report', sa.String(length=64), nullable=False),
    sa.Column('case', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.String(length=32), nullable=False),
    sa.Column('regulator', sa.String(length=64), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('reward'),
    sa.UniqueConstraint('report')
    )
    op.create_table('gi_webhooks',
    sa.Column('webhook', sa.String(length=64), nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('events', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('removed_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('webhook')
    )
    op.create_index(op.f('ix_gi_webhooks_org'), 'gi_webhooks', ['org'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
