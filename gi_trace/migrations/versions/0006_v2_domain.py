"""Statement v2 in the GI domain: product packs, labels' mass balance, label commitments.

The new columns of existing rows get neutral values (no packs, nothing labelled, each
batch's producer as its only grower); the compositions that charge labels to their
harvests cannot be derived in SQL: run `gi-trace projections rebuild` after upgrading a
database that already holds batches, so the rules see every batch's composition.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

QTY = sa.String(length=32)


def _not_null(table: str, name: str, type_: sa.types.TypeEngine[str], fill: str) -> None:
    """Add a NOT NULL column to a table that may have rows: with a default that fills them,
    then without it (the code always writes the column)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=fill))
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(name, existing_type=type_, server_default=None)


def upgrade() -> None:
    _not_null('gi_products', 'packs', sa.Text(), '[]')

    _not_null('gi_batches', 'producers', sa.Text(), '[]')
    _not_null('gi_batches', 'labelled', QTY, '0')
    op.execute("UPDATE gi_batches SET producers = '[\"' || producer || '\"]'")
    with op.batch_alter_table('gi_batches', schema=None) as batch_op:
        batch_op.alter_column('quantity', existing_type=QTY, nullable=True)
        batch_op.add_column(sa.Column('plot_region', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('village_zh', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('village_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('composition', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('charged', sa.Text(), nullable=True))

    with op.batch_alter_table('gi_lineage', schema=None) as batch_op:
        batch_op.alter_column('quantity', existing_type=QTY, nullable=True)

    _not_null('gi_holdings', 'labelled', QTY, '0')
    _not_null('gi_shipment_items', 'labelled', QTY, '0')

    with op.batch_alter_table('gi_labels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idx', sa.Integer(), nullable=True))
        batch_op.create_index('ix_gi_labels_issue_seq_idx', ['issue_seq', 'idx'], unique=True)

    op.create_table(
        'gi_label_issues',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('batch', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=64), nullable=False),
        sa.Column('gtin', sa.String(length=14), nullable=False),
        sa.Column('pack', QTY, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('labels_root', sa.String(length=43), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.create_index('ix_gi_label_issues_batch', 'gi_label_issues', ['batch'])
    op.create_index('ix_gi_label_issues_issuer', 'gi_label_issues', ['issuer'])


def downgrade() -> None:
    op.drop_index('ix_gi_label_issues_issuer', table_name='gi_label_issues')
    op.drop_index('ix_gi_label_issues_batch', table_name='gi_label_issues')
    op.drop_table('gi_label_issues')
    with op.batch_alter_table('gi_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_gi_labels_issue_seq_idx')
        batch_op.drop_column('idx')
    for table in ('gi_shipment_items', 'gi_holdings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('labelled')
    with op.batch_alter_table('gi_lineage', schema=None) as batch_op:
        batch_op.alter_column('quantity', existing_type=QTY, nullable=False)
    with op.batch_alter_table('gi_batches', schema=None) as batch_op:
        for column in ('charged', 'composition', 'village_en', 'village_zh', 'plot_region',
                       'labelled', 'producers'):
            batch_op.drop_column(column)
        batch_op.alter_column('quantity', existing_type=QTY, nullable=False)
    with op.batch_alter_table('gi_products', schema=None) as batch_op:
        batch_op.drop_column('packs')
