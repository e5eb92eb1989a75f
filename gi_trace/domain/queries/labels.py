"""What a scan needs to know about one label: the label, its batch, product, producer and the
journey that led to it — the public part of it (no quantities, no prices)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.batches import Batch, find_batch, walk_lineage
from gi_trace.domain.queries.orgs import Org, get_org
from gi_trace.domain.queries.products import Name, Product, get_product
from gi_trace.ledger import schema

# What a journey step may tell the public: which organisations handled the goods and when,
# never quantities (a trader's business) nor free-text reasons beyond a recall's.
PUBLIC_DETAIL = ("kind", "lot", "harvested", "to", "process", "recalled", "reason", "count", "gtin")


@dataclass(frozen=True)
class JourneyStep:
    seq: int
    ts: str
    type: str
    batch: str
    actor: str
    actor_name: Name | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class LabelFacts:
    serial: str
    gtin: str
    lot: str
    issuer: str
    key: str
    pub: bytes
    sig: str
    status: str  # issued | void | sold
    issue_seq: int
    issue_ts: str
    status_ts: str | None
    reason: str | None  # given when voided or sold
    batch: Batch
    product: Product | None
    producer: Org | None
    suspension: str | None  # the reason, while the producer is suspended for this product


def label_facts(conn: Connection, serial: str) -> LabelFacts | None:
    label = conn.execute(select(tables.labels).where(tables.labels.c.serial == serial)).first()
    if label is None:
        return None
    batch = find_batch(conn, label.batch)
    assert batch is not None  # a label's batch is never deleted
    k, s = schema.keys.c, tables.suspensions.c
    pub = conn.execute(select(k.pub).where(k.key_id == label.key)).scalar_one()
    suspension = conn.scalar(select(s.reason).where((s.product == batch.product)
                                                    & (s.producer == batch.producer)))
    return LabelFacts(
        serial=label.serial, gtin=label.gtin, lot=label.lot, issuer=label.issuer, key=label.key,
        pub=bytes(pub), sig=label.sig, status=label.status, issue_seq=label.issue_seq,
        issue_ts=label.issue_ts, status_ts=label.status_ts, reason=label.reason, batch=batch,
        product=get_product(conn, batch.product), producer=get_org(conn, batch.producer),
        suspension=suspension)


def journey(conn: Connection, batch: str) -> list[JourneyStep]:
    """Every event of the batch and of the batches it was made from, oldest first."""
    family = {batch, *(link.batch for link in walk_lineage(conn, batch, up=True))}
    e, o = tables.batch_events.c, tables.orgs.c
    rows = conn.execute(select(tables.batch_events, o.name_zh, o.name_en)
                        .select_from(tables.batch_events.outerjoin(tables.orgs, o.org == e.actor))
                        .where(e.batch.in_(family)).order_by(e.seq, e.batch)).all()
    names = _names(conn, {json.loads(row.detail).get("to") for row in rows} - {None})
    steps = []
    for row in rows:
        detail = {k: v for k, v in json.loads(row.detail).items() if k in PUBLIC_DETAIL}
        if "to" in detail:
            detail["to_name"] = names.get(detail["to"])
        steps.append(JourneyStep(row.seq, row.ts, row.type, row.batch, row.actor,
                                 Name(row.name_zh, row.name_en) if row.name_zh else None, detail))
    return steps


def _names(conn: Connection, orgs: set[str]) -> dict[str, dict[str, str]]:
    o = tables.orgs.c
    return {row.org: {"zh": row.name_zh, "en": row.name_en}
            for row in conn.execute(select(o.org, o.name_zh, o.name_en).where(o.org.in_(orgs)))}


@dataclass(frozen=True)
class IssuedLabel:
    gtin: str
    lot: str
    serial: str
    sig: str


def issued_labels(conn: Connection, batch: str, issuer: str, *,
                  chunk: int = 1000) -> Iterator[IssuedLabel]:
    """The labels `issuer` issued on the batch that are neither void nor sold, in issue order,
    streamed `chunk` rows at a time so that a sheet of 100,000 labels never sits in memory.
    Only their issuer may have them: each is the special sign itself."""
    lab = tables.labels.c
    rows = conn.execution_options(yield_per=chunk).execute(
        select(lab.gtin, lab.lot, lab.serial, lab.sig)
        .where((lab.batch == batch) & (lab.issuer == issuer) & (lab.status == "issued"))
        .order_by(lab.issue_seq, lab.idx, lab.serial))
    for row in rows:
        yield IssuedLabel(row.gtin, row.lot, row.serial, row.sig)
