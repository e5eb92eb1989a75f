"""What the public side of the labels keeps outside the ledger: scans and counterfeit reports.

Neither is a projection of the log (a replay does not touch them): scans are
observations of where a printed code turned up, reports are what the public says.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

scans = Table(
    "gi_scans", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("token", String(22), nullable=False, unique=True),  # lets the page add a place later
    Column("serial", String(20), nullable=False),
    Column("at", BigInteger, nullable=False),  # unix seconds
    Column("lat", Float),  # coarse (0.1°), only if the phone granted it
    Column("lon", Float),
    Index("ix_gi_scans_serial_at", "serial", "at"),
)

# Scans older than the retention (GI_TRACE_SCAN_RETENTION_DAYS), folded by scan_fold.py: what
# copy detection reads of them. One row per label and UTC day: how many, the first and last
# (the label's first scan and the dashboard's most recent), and how many after the label's sale.
scan_days = Table(
    "gi_scan_days", metadata,
    Column("serial", String(20), primary_key=True),
    Column("day", Integer, primary_key=True),  # unix seconds // 86400
    Column("scans", BigInteger, nullable=False),
    Column("first_at", BigInteger, nullable=False),
    Column("last_at", BigInteger, nullable=False),
    Column("after_sale", BigInteger, nullable=False),
)

# ... and the folded scans that had a place, the latest few of each label (scans.PLACED_SCANS_CHECKED,
# all the far-apart check reads), with the scan's own id (ties in time are ordered by it).
scan_places = Table(
    "gi_scan_places", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("serial", String(20), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Index("ix_gi_scan_places_serial_at", "serial", "at"),
)

reports = Table(
    "gi_reports", metadata,
    Column("id", String(22), primary_key=True),
    Column("created", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # new | investigating | closed
    Column("uri", Text),  # the scanned code, if the report came from a verdict page
    Column("gtin", String(14)),
    Column("lot", String(20)),
    Column("serial", String(20)),
    Column("batch", String(64)),
    Column("where_bought", Text, nullable=False),
    Column("details", Text),
    Column("contact", Text),
    Column("photo", LargeBinary),
    Column("photo_type", String(32)),
    Column("client", String(64), nullable=False),  # keyed hash of the sender's address, for rate limits
    Column("handled_by", String(64)),
    Column("note", Text),
    # SHA-256 (hex) of the receipt code the reporter got back (gi_trace/labels/receipts.py); the
    # code itself is never stored. NULL for reports sent before receipts existed.
    Column("receipt_hash", String(64)),
    Index("ix_gi_reports_status_created", "status", "created"),
    Index("ix_gi_reports_client_created", "client", "created"),
    Index("ix_gi_reports_receipt_hash", "receipt_hash", unique=True),
)

# A reporter's claim of a reward (reward.grant is on the log; the claim is not: the reporter has
# no key). payout_ref is what the reporter typed to be paid (e.g. an Alipay account): stored in
# clear, read only by regulators (gi_trace/labels/reward_claims.py).
reward_claims = Table(
    "gi_reward_claims", metadata,
    Column("reward", String(64), primary_key=True),  # one claim a reward
    Column("claimed_at", BigInteger, nullable=False),  # unix seconds
    Column("payout_ref", Text, nullable=False),
)

# Receipt codes tried that matched no report, per client (the keyed hash of reports.client_id),
# so guessing is limited across workers (gi_trace/labels/receipts.py).
receipt_misses = Table(
    "gi_receipt_misses", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),  # unix seconds
    Index("ix_gi_receipt_misses_client_at", "client", "at"),
)
