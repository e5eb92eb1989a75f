"""What a scan needs to know about one label, read from the projections in a few indexed queries.

The label (its serial, signature, position in its label.issue, status), the batch it
was issued for, the GI product, the special-sign user who issued it, the shop that
sold it, and whether the issuer or the harvest's producer is suspended for the
product. The lineage shown to the public is lineage.py's; the proof is label_tree.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.batches import Batch, find_batch
from gi_trace.domain.queries.orgs import Org, get_org
from gi_trace.domain.queries.products import Name, Product, get_product
from gi_trace.ledger import schema

_l = tables.labels.c


@dataclass(frozen=True)
class LabelFacts:
    serial: str
    gtin: str
    lot: str
    issuer: str
    key: str
    pub: bytes
    sig: str
    idx: int | None  # position in its label.issue; None where the projection has none (v1)
    status: str  # issued | void | sold
    issue_seq: int
    issue_ts: str
    status_seq: int | None
    status_ts: str | None
    status_by: str | None  # who voided or sold it
    batch: Batch
    product: Product | None
    issuer_org: Org | None
    seller_name: Name | None  # the shop that sold it, when it was sold
    suspension: str | None  # the reason, while the issuer or the harvest's producer is suspended
    recall_ts: str | None  # when the recall that reached the label's batch was signed

    @property
    def sold(self) -> bool:
        return self.status == "sold"

    @property
    def voided(self) -> bool:
        return self.status == "void"


def label_facts(conn: Connection, serial: str) -> LabelFacts | None:
    label = conn.execute(select(tables.labels).where(_l.serial == serial)).first()
    if label is None:
        return None
    batch = find_batch(conn, label.batch)
    assert batch is not None  # a label's batch is never deleted
    k, s = schema.keys.c, tables.suspensions.c
    pub = conn.execute(select(k.pub).where(k.key_id == label.key)).scalar_one()
    suspension = conn.scalar(select(s.reason).where(
        (s.product == batch.product) & s.producer.in_({batch.producer, label.issuer}))
        .order_by(s.seq).limit(1))
    b, e = tables.batches.c, tables.batch_events.c
    recall_ts = conn.scalar(select(e.ts).where(
        (e.batch == batch.batch) & (e.seq == select(b.recall_seq).where(b.batch == batch.batch)
                                    .scalar_subquery()))) if batch.recalled else None
    seller = get_org(conn, label.status_by) if label.status == "sold" and label.status_by else None
    return LabelFacts(
        serial=label.serial, gtin=label.gtin, lot=label.lot, issuer=label.issuer, key=label.key,
        pub=bytes(pub), sig=label.sig, idx=label.idx, status=label.status,
        issue_seq=label.issue_seq, issue_ts=label.issue_ts, status_seq=label.status_seq,
        status_ts=label.status_ts,
        status_by=label.status_by, batch=batch, product=get_product(conn, batch.product),
        issuer_org=get_org(conn, label.issuer), seller_name=seller.name if seller else None,
        suspension=suspension, recall_ts=recall_ts)
