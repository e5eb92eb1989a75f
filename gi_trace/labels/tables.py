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
    Index("ix_gi_reports_status_created", "status", "created"),
    Index("ix_gi_reports_client_created", "client", "created"),
)
