"""Special-sign labels (a projection), and the scans and counterfeit reports kept beside the log.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('gi_shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sscc', sa.String(length=18), nullable=True))
        batch_op.create_unique_constraint('uq_gi_shipments_sscc', ['sscc'])

    op.create_table('gi_labels',
    sa.Column('serial', sa.String(length=20), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('lot', sa.String(length=20), nullable=False),
    sa.Column('issuer', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('sig', sa.String(length=86), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('issue_seq', sa.BigInteger(), nullable=False),
    sa.Column('issue_ts', sa.String(length=32), nullable=False),
    sa.Column('status_seq', sa.BigInteger(), nullable=True),
    sa.Column('status_ts', sa.String(length=32), nullable=True),
    sa.Column('status_by', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('serial')
    )
    with op.batch_alter_table('gi_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gi_labels_batch'), ['batch'], unique=False)

    op.create_table('gi_scans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('token', sa.String(length=22), nullable=False),
    sa.Column('serial', sa.String(length=20), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('gi_scans', schema=None) as batch_op:
        batch_op.create_index('ix_gi_scans_serial_at', ['serial', 'at'], unique=False)

    op.create_table('gi_reports',
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.Column('created', sa.BigInteger(), nullable=False),
    sa.Column('updated', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('lot', sa.String(length=20), nullable=True),
    sa.Column('serial', sa.String(length=20), nullable=True),
    sa.Column('batch', sa.String(length=64), nullable=True),
    sa.Column('where_bought', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=32), nullable=True),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('handled_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gi_reports', schema=None) as batch_op:
        batch_op.create_index('ix_gi_reports_status_created', ['status', 'created'], unique=False)
        batch_op.create_index('ix_gi_reports_client_created', ['client', 'created'], unique=False)


def downgrade() -> None:
    for table, indexes in (('gi_reports', ('ix_gi_reports_client_created', 'ix_gi_reports_status_created')),
                           ('gi_scans', ('ix_gi_scans_serial_at',)),
                           ('gi_labels', ('ix_gi_labels_batch',))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
    with op.batch_alter_table('gi_shipments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_gi_shipments_sscc', type_='unique')
        batch_op.drop_column('sscc')
