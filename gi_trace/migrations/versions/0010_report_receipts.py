"""Reporter receipts and reward claims: the receipt code's hash on each report, claims of
rewards, and the receipt codes tried in vain per client (new column and tables only).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.add_column('gi_reports', sa.Column('receipt_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_gi_reports_receipt_hash', 'gi_reports', ['receipt_hash'], unique=True)
    op.create_table(
        'gi_reward_claims',
        sa.Column('reward', sa.String(length=64), nullable=False),
        sa.Column('claimed_at', sa.BigInteger(), nullable=False),
        sa.Column('payout_ref', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('reward'),
    )
    op.create_table(
        'gi_receipt_misses',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_gi_receipt_misses_client_at', 'gi_receipt_misses', ['client', 'at'])


def downgrade() -> None:
    op.drop_index('ix_gi_receipt_misses_client_at', table_name='gi_receipt_misses')
    op.drop_table('gi_receipt_misses')
    op.drop_table('gi_reward_claims')
    op.drop_index('ix_gi_reports_receipt_hash', table_name='gi_reports')
    with op.batch_alter_table('gi_reports') as batch:
        batch.drop_column('receipt_hash')

