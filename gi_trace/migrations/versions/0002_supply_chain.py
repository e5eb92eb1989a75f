"""The GI supply chain's projections: products, approvals, batches, holdings, shipments.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gi_approvals',
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('producer', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('quota', sa.String(length=32), nullable=False),
    sa.Column('used', sa.String(length=32), nullable=False),
    sa.Column('regulator', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('product', 'producer', 'year')
    )
    with op.batch_alter_table('gi_approvals', schema=None) as batch_op:
        batch_op.create_index('ix_gi_approvals_producer', ['producer'], unique=False)

    op.create_table('gi_batch_events',
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('batch', 'seq')
    )
    op.create_table('gi_batches',
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('lot', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.String(length=32), nullable=False),
    sa.Column('producer', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('harvested', sa.String(length=10), nullable=True),
    sa.Column('plot', sa.Text(), nullable=True),
    sa.Column('lat', sa.String(length=16), nullable=True),
    sa.Column('lon', sa.String(length=16), nullable=True),
    sa.Column('recalled', sa.Boolean(), nullable=False),
    sa.Column('recall_reason', sa.Text(), nullable=True),
    sa.Column('recall_seq', sa.BigInteger(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('batch')
    )
    with op.batch_alter_table('gi_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gi_batches_producer'), ['producer'], unique=False)
        batch_op.create_index(batch_op.f('ix_gi_batches_product'), ['product'], unique=False)
        batch_op.create_index('ix_gi_batches_product_lot', ['product', 'lot'], unique=False)

    op.create_table('gi_gtins',
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('gtin')
    )
    with op.batch_alter_table('gi_gtins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gi_gtins_product'), ['product'], unique=False)

    op.create_table('gi_holdings',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('org', 'batch')
    )
    with op.batch_alter_table('gi_holdings', schema=None) as batch_op:
        batch_op.create_index('ix_gi_holdings_batch', ['batch'], unique=False)

    op.create_table('gi_lineage',
    sa.Column('parent', sa.String(length=64), nullable=False),
    sa.Column('child', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('parent', 'child')
    )
    with op.batch_alter_table('gi_lineage', schema=None) as batch_op:
        batch_op.create_index('ix_gi_lineage_child', ['child'], unique=False)

    op.create_table('gi_orgs',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('org')
    )
    op.create_table('gi_products',
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('region_zh', sa.Text(), nullable=False),
    sa.Column('region_en', sa.Text(), nullable=False),
    sa.Column('region_codes', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('processes', sa.Text(), nullable=False),
    sa.Column('regulator', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('product')
    )
    op.create_table('gi_shipment_items',
    sa.Column('shipment', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('shipment', 'batch')
    )
    with op.batch_alter_table('gi_shipment_items', schema=None) as batch_op:
        batch_op.create_index('ix_gi_shipment_items_batch', ['batch'], unique=False)

    op.create_table('gi_shipments',
    sa.Column('shipment', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('receiver', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('sent_ts', sa.String(length=32), nullable=False),
    sa.Column('sent_seq', sa.BigInteger(), nullable=False),
    sa.Column('settled_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('shipment')
    )
    with op.batch_alter_table('gi_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gi_shipments_receiver'), ['receiver'], unique=False)
        batch_op.create_index(batch_op.f('ix_gi_shipments_sender'), ['sender'], unique=False)

    op.create_table('gi_suspensions',
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('producer', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('regulator', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('product', 'producer')
    )


def downgrade() -> None:
    op.drop_table('gi_suspensions')
    with op.batch_alter_table('gi_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gi_shipments_sender'))
        batch_op.drop_index(batch_op.f('ix_gi_shipments_receiver'))

    op.drop_table('gi_shipments')
    with op.batch_alter_table('gi_shipment_items', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_shipment_items_batch')

    op.drop_table('gi_shipment_items')
    op.drop_table('gi_products')
    op.drop_table('gi_orgs')
    with op.batch_alter_table('gi_lineage', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_lineage_child')

    op.drop_table('gi_lineage')
    with op.batch_alter_table('gi_holdings', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_holdings_batch')

    op.drop_table('gi_holdings')
    with op.batch_alter_table('gi_gtins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gi_gtins_product'))

    op.drop_table('gi_gtins')
    with op.batch_alter_table('gi_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_batches_product_lot')
        batch_op.drop_index(batch_op.f('ix_gi_batches_product'))
        batch_op.drop_index(batch_op.f('ix_gi_batches_producer'))

    op.drop_table('gi_batches')
    op.drop_table('gi_batch_events')
    with op.batch_alter_table('gi_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_approvals_producer')

    op.drop_table('gi_approvals')
