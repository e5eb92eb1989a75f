"""Scans folded after their retention: per-label daily counts, and the latest placed scans.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'gi_scan_days',
        sa.Column('serial', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.Column('scans', sa.BigInteger(), nullable=False),
        sa.Column('first_at', sa.BigInteger(), nullable=False),
        sa.Column('last_at', sa.BigInteger(), nullable=False),
        sa.Column('after_sale', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('serial', 'day'),
    )
    op.create_table(
        'gi_scan_places',
        sa.Column('id', ID, autoincrement=False, nullable=False),
        sa.Column('serial', sa.String(length=20), nullable=False),
        sa.Column('at', sa.BigInteger(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_gi_scan_places_serial_at', 'gi_scan_places', ['serial', 'at'])


def downgrade() -> None:
    op.drop_index('ix_gi_scan_places_serial_at', table_name='gi_scan_places')
    op.drop_table('gi_scan_places')
    op.drop_table('gi_scan_days')
