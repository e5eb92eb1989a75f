"""The webhook outbox's tables (gi_trace/labels/outbox.py): kept by the service beside the log.

Not a projection (a replay does not touch them): deliveries are what the service told
subscribers, and the cursors how far it has read the log and the reports to tell them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

# How far the dispatcher has read: "log" the next seq to scan, "reports" the `created` (unix
# seconds) of the newest report seen (reports are rescanned a little before it: see outbox.py).
webhook_cursors = Table(
    "gi_webhook_cursors", metadata,
    Column("name", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# One event for one webhook: sent until delivered, or failed past the attempts or the age.
# status: pending (due at next_ms) | sending (claimed until lease_ms) | delivered | failed.
webhook_deliveries = Table(
    "gi_webhook_deliveries", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("webhook", String(64), nullable=False),
    Column("event", String(100), nullable=False),  # log-<seq> or report-<id>: the idempotency key's
    Column("kind", String(16), nullable=False),  # recall | notice | case | report
    Column("payload", Text, nullable=False),  # the JSON body sent, exactly
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("next_ms", BigInteger, nullable=False),  # when a pending delivery is due
    Column("lease_ms", BigInteger),  # until when a sending one is its claimer's
    Column("done_ms", BigInteger),
    Column("last_code", Integer),
    Column("last_error", Text),
    UniqueConstraint("webhook", "event", name="uq_gi_webhook_deliveries_webhook_event"),
    Index("ix_gi_webhook_deliveries_status_next_ms", "status", "next_ms"),
)

# Every attempt of a delivery: what the subscriber's delivery log shows.
webhook_attempts = Table(
    "gi_webhook_attempts", metadata,
    Column("delivery", BigInteger, primary_key=True, autoincrement=False),
    Column("attempt", Integer, primary_key=True, autoincrement=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("code", Integer),  # the HTTP status answered; none when nothing was
    Column("error", Text),
)
