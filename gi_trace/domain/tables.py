"""The supply chain's projections: tables derived from the log, rebuilt by replaying it.

Quantities are exact decimals kept as canonical decimal text (never floats); all
arithmetic on them happens in Python with `decimal.Decimal`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

QTY = String(32)

# Display data of organisations (who may sign what is the ledger's ledger_orgs/ledger_keys).
orgs = Table(
    "gi_orgs", metadata,
    Column("org", String(64), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("roles", Text, nullable=False),  # JSON list
    Column("region", String(32)),
    Column("uscc", String(18)),
    Column("seq", BigInteger, nullable=False),
)

products = Table(
    "gi_products", metadata,
    Column("product", String(64), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("region_zh", Text, nullable=False),
    Column("region_en", Text, nullable=False),
    Column("region_codes", Text, nullable=False),  # JSON list of admin codes
    Column("unit", String(16), nullable=False),
    Column("processes", Text, nullable=False),  # JSON {name: {"to": product, "max_yield": "0.7"}}
    Column("packs", Text, nullable=False),  # JSON list of what one label may cover: ["2.5", "5"]
    Column("regulator", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

gtins = Table(
    "gi_gtins", metadata,
    Column("gtin", String(14), primary_key=True),
    Column("product", String(64), nullable=False, index=True),
)

approvals = Table(
    "gi_approvals", metadata,
    Column("product", String(64), primary_key=True),
    Column("producer", String(64), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("quota", QTY, nullable=False),
    Column("used", QTY, nullable=False),
    Column("regulator", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index("ix_gi_approvals_producer", "producer"),
)

suspensions = Table(
    "gi_suspensions", metadata,
    Column("product", String(64), primary_key=True),
    Column("producer", String(64), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("regulator", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

batches = Table(
    "gi_batches", metadata,
    Column("batch", String(64), primary_key=True),
    Column("product", String(64), nullable=False, index=True),
    Column("lot", String(20), nullable=False),
    Column("quantity", QTY),  # at creation; NULL only in a public audit (it is confidential)
    # The GI producer at its root: for a batch of several growers' harvests, the grower of
    # its first parent (a display shortcut: `producers` is the whole truth).
    Column("producer", String(64), nullable=False, index=True),
    Column("producers", Text, nullable=False),  # JSON list: every grower of its root harvests
    Column("created_by", String(64), nullable=False),
    Column("origin", String(16), nullable=False),  # register | split | merge | process
    Column("harvested", String(10)),
    Column("plot", Text),
    Column("lat", String(16)),
    Column("lon", String(16)),
    Column("plot_region", String(6)),  # GB/T 2260 code of the plot (confidential, like the plot)
    Column("village_zh", Text),  # the public origin a shopper sees
    Column("village_en", Text),
    # Mass balance of labels (gi_trace.domain.composition): what one unit of this batch
    # consumed of each root harvest, JSON {root: "n/d"} (NULL in a public audit); the quantity
    # of it that live labels issued on it cover; and, on a root harvest, the quantity of it
    # that live labels anywhere down its lineage cover ("n/d" in its unit).
    Column("composition", Text),
    Column("labelled", QTY, nullable=False),
    Column("charged", Text),
    Column("recalled", Boolean, nullable=False, default=False),
    Column("recall_reason", Text),
    Column("recall_seq", BigInteger),
    Column("seq", BigInteger, nullable=False),
    Index("ix_gi_batches_product_lot", "product", "lot"),
)

lineage = Table(
    "gi_lineage", metadata,
    Column("parent", String(64), primary_key=True),
    Column("child", String(64), primary_key=True),
    Column("quantity", QTY),  # of the parent that went into the child (NULL in a public audit)
    Column("kind", String(16), nullable=False),  # split | merge | process
    Column("seq", BigInteger, nullable=False),
    Index("ix_gi_lineage_child", "child"),
)

holdings = Table(
    "gi_holdings", metadata,
    Column("org", String(64), primary_key=True),
    Column("batch", String(64), primary_key=True),
    Column("quantity", QTY, nullable=False),
    Column("labelled", QTY, nullable=False),  # of `quantity`, what carries live labels
    Index("ix_gi_holdings_batch", "batch"),
)

shipments = Table(
    "gi_shipments", metadata,
    Column("shipment", String(64), primary_key=True),
    Column("sender", String(64), nullable=False, index=True),
    Column("receiver", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # pending | received | rejected
    Column("reason", Text),
    Column("sent_ts", String(32), nullable=False),
    Column("sent_seq", BigInteger, nullable=False),
    Column("settled_seq", BigInteger),
    Column("sscc", String(18), unique=True),  # the logistic unit's SSCC, if its label carries one
)

shipment_items = Table(
    "gi_shipment_items", metadata,
    Column("shipment", String(64), primary_key=True),
    Column("batch", String(64), primary_key=True),
    Column("quantity", QTY, nullable=False),
    Column("labelled", QTY, nullable=False),  # of `quantity`, what carries labels
    Index("ix_gi_shipment_items_batch", "batch"),
)

# Every statement that touched a batch, for its journey (one row per batch per statement).
batch_events = Table(
    "gi_batch_events", metadata,
    Column("batch", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(64), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: what this statement did to this batch
)

# Every special-sign label issued, one row per serial; its status follows label.void / label.sell.
labels = Table(
    "gi_labels", metadata,
    Column("serial", String(20), primary_key=True),
    Column("gtin", String(14), nullable=False),
    Column("batch", String(64), nullable=False, index=True),
    Column("lot", String(20), nullable=False),
    Column("issuer", String(64), nullable=False),
    Column("key", String(64), nullable=False),  # key id that signed the label.issue and the label
    Column("sig", String(86), nullable=False),  # the label signature, base64url
    Column("status", String(8), nullable=False),  # issued | void | sold
    Column("issue_seq", BigInteger, nullable=False),
    Column("issue_ts", String(32), nullable=False),
    Column("status_seq", BigInteger),
    Column("status_ts", String(32)),
    Column("status_by", String(64)),
    Column("reason", Text),
    Column("idx", Integer),  # position in its label.issue: the leaf index under labels_root
    Index("ix_gi_labels_issue_seq_idx", "issue_seq", "idx", unique=True),
)

# Every label.issue: what its labels cover, and the root that commits to them (public, so a
# public audit keeps this table too; the labels themselves are in gi_labels).
label_issues = Table(
    "gi_label_issues", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("batch", String(64), nullable=False, index=True),
    Column("issuer", String(64), nullable=False, index=True),
    Column("gtin", String(14), nullable=False),
    Column("pack", QTY, nullable=False),
    Column("count", Integer, nullable=False),
    Column("labels_root", String(43), nullable=False),  # base64url of the RFC 6962 tree hash
)

# -- the protection loop: from detection to takedown (gi_trace.domain.listings … webhooks) ------

# Listings a platform or a regulator submitted for checking; the verdict is judged when read.
listings = Table(
    "gi_listings", metadata,
    Column("check", String(64), primary_key=True),
    Column("platform", String(64), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("shop", Text),
    Column("seller_uscc", String(18), index=True),
    Column("product", String(64), nullable=False),
    Column("codes", Text),  # JSON list of label URIs (confidential; NULL in a public audit)
    Column("actor", String(64), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

notices = Table(
    "gi_notices", metadata,
    Column("notice", String(64), primary_key=True),
    Column("platform", String(64), nullable=False, index=True),
    Column("listing", String(64)),
    Column("url", Text),
    Column("reason", String(32), nullable=False),
    Column("detail", Text),
    Column("evidence", Text),  # JSON (confidential: the platform and regulators read it)
    Column("deadline", String(32), nullable=False),
    Column("sender", String(64), nullable=False),
    Column("sent_ts", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # open | acknowledged | removed | disputed
    Column("acknowledged_ts", String(32)),
    Column("answered_ts", String(32)),  # when it was removed or disputed
    Column("answer_reason", Text),
    Column("answer_seq", BigInteger),
)

cases = Table(
    "gi_cases", metadata,
    Column("case", String(64), primary_key=True),
    Column("product", String(64), nullable=False),
    Column("sources", Text, nullable=False),  # JSON {reports, listings, notices}
    Column("summary", Text),  # confidential (NULL in a public audit)
    Column("opened_by", String(64), nullable=False),
    Column("holder", String(64), nullable=False, index=True),  # the regulator handling it
    Column("pending_to", String(64), index=True),  # a regulator it is transferred to
    Column("status", String(16), nullable=False),  # open | transferring | closed
    Column("outcome", String(16)),
    Column("published", Boolean, nullable=False, default=False),
    Column("public_summary", Text),
    Column("opened_ts", String(32), nullable=False),
    Column("closed_ts", String(32)),
    Column("seq", BigInteger, nullable=False),
)

# Each step of a case (opened, transferred, accepted, returned, closed), for its history.
case_events = Table(
    "gi_case_events", metadata,
    Column("case", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("to", String(64)),
    Column("ts", String(32), nullable=False),
)

rewards = Table(
    "gi_rewards", metadata,
    Column("reward", String(64), primary_key=True),
    Column("report", String(64), nullable=False, unique=True),
    Column("case", String(64), nullable=False),
    Column("amount", QTY, nullable=False),
    Column("regulator", String(64), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

recall_acks = Table(
    "gi_recall_acks", metadata,
    Column("batch", String(64), primary_key=True),
    Column("org", String(64), primary_key=True),
    Column("withdrawn", QTY),  # confidential (NULL in a public audit)
    Column("note", Text),
    Column("ts", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

webhooks = Table(
    "gi_webhooks", metadata,
    Column("webhook", String(64), primary_key=True),
    Column("org", String(64), nullable=False, index=True),
    Column("url", Text),  # confidential: only its org reads it (NULL in a public audit)
    Column("events", Text, nullable=False),  # JSON list
    Column("seq", BigInteger, nullable=False),
    Column("removed_seq", BigInteger),  # ids stay taken after a removal, as every id on the log
)
