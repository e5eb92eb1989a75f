"""The ledger's tables. Projections of other layers live in their own metadata."""

from __future__ import annotations

from sqlalchemy import (
                        BigInteger,
                        Column,
                        Index,
                        LargeBinary,
                        MetaData,
                        SmallInteger,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
)

metadata = MetaData()

records = Table(
    "log_records", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("statement", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("prev", LargeBinary, nullable=False),
    Column("record_hash", LargeBinary, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("nonce", String(88), nullable=False),
    Column("type", String(64), nullable=False),
    Column("ts", String(32), nullable=False),
    # A second writer that bypassed the lock cannot fork the chain: seq, prev and
    # record_hash are each unique, and a nonce is used once per actor.
    UniqueConstraint("prev", name="uq_log_records_prev"),
    UniqueConstraint("record_hash", name="uq_log_records_record_hash"),
    UniqueConstraint("actor", "nonce", name="uq_log_records_actor_nonce"),
)

# Every complete Merkle subtree: (level, idx) covers leaves [idx << level, (idx + 1) << level).
nodes = Table(
    "log_nodes", metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)

checkpoints = Table(
    "log_checkpoints", metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
)

orgs = Table(
    "ledger_orgs", metadata,
    Column("org", String(64), primary_key=True),
    Column("roles", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

keys = Table(
    "ledger_keys", metadata,
    Column("key_id", String(64), primary_key=True),
    Column("org", String(64), nullable=False),
    Column("pub", LargeBinary, nullable=False),
    Column("added_seq", BigInteger, nullable=False),
    Column("revoked_ts", String(32)),
    Column("revoked_seq", BigInteger),
    Index("ix_ledger_keys_org", "org"),
)

# Witnesses' cosignatures (C2SP tlog-cosignature) of checkpoints the log issued; one per
# witness key and tree size, the latest timestamp kept.
cosignatures = Table(
    "log_cosignatures", metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(255), primary_key=True),
    Column("key_hash", LargeBinary, primary_key=True),
    Column("cosigned_at", BigInteger, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

# What travels beside a statement and never enters its leaf: the disclosures of its
# confidential fields and the attachments its rules checked (JSON text), keyed by seq.
sidecars = Table(
    "log_sidecars", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("disclosures", Text),
    Column("attachments", Text),
)

# Organisations, besides a statement's actor and the regulators, that may read its
# disclosures (the receiver of a shipment, the sender of what was received…).
readers = Table(
    "log_readers", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("org", String(64), primary_key=True),
    Index("ix_log_readers_org", "org"),
)
