"""The ledger: records, tree nodes, checkpoints, organisations and keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_records",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("statement", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("prev", sa.LargeBinary, nullable=False),
        sa.Column("record_hash", sa.LargeBinary, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(88), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.UniqueConstraint("prev", name="uq_log_records_prev"),
        sa.UniqueConstraint("record_hash", name="uq_log_records_record_hash"),
        sa.UniqueConstraint("actor", "nonce", name="uq_log_records_actor_nonce"),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "ledger_orgs",
        sa.Column("org", sa.String(64), primary_key=True),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ledger_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("pub", sa.LargeBinary, nullable=False),
        sa.Column("added_seq", sa.BigInteger, nullable=False),
        sa.Column("revoked_ts", sa.String(32)),
        sa.Column("revoked_seq", sa.BigInteger),
    )
    op.create_index("ix_ledger_keys_org", "ledger_keys", ["org"])


def downgrade() -> None:
    for table in ("ledger_keys", "ledger_orgs", "log_checkpoints", "log_nodes", "log_records"):
        op.drop_table(table)
