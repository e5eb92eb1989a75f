"""The webhook outbox: the dispatcher's cursors, deliveries and their attempts (new tables only).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'gi_webhook_cursors',
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'gi_webhook_deliveries',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('webhook', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_ms', sa.BigInteger(), nullable=False),
        sa.Column('next_ms', sa.BigInteger(), nullable=False),
        sa.Column('lease_ms', sa.BigInteger(), nullable=True),
        sa.Column('done_ms', sa.BigInteger(), nullable=True),
        sa.Column('last_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('webhook', 'event', name='uq_gi_webhook_deliveries_webhook_event'),
    )
    op.create_index('ix_gi_webhook_deliveries_status_next_ms', 'gi_webhook_deliveries',
                    ['status', 'next_ms'])
    op.create_table(
        'gi_webhook_attempts',
        sa.Column('delivery', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('attempt', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.Column('code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('delivery', 'attempt'),
    )


def downgrade() -> None:
    op.drop_table('gi_webhook_attempts')
    op.drop_index('ix_gi_webhook_deliveries_status_next_ms', table_name='gi_webhook_deliveries')
    op.drop_table('gi_webhook_deliveries')
    op.drop_table('gi_webhook_cursors')
