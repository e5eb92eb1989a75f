"""Batches and their journey: where a batch came from, where it went, who touched it.

Only parties to a batch and regulators may see this (quantities and trading
partners are business secrets); `parties` and `visible_batches` say who they are,
the API enforces it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, or_, select, union

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut

# Far deeper than any real chain (harvest → split → mill → pack → ship is ~10), and a stop
# should a corrupted projection ever hold a cycle.
MAX_DEPTH = 256


@dataclass(frozen=True)
class Origin:
    plot: str | None
    lat: str | None
    lon: str | None


@dataclass(frozen=True)
class Batch:
    batch: str
    product: str
    lot: str
    quantity: str  # at creation
    unit: str | None
    producer: str
    created_by: str
    kind: str  # register | split | merge | process
    harvested: str | None
    origin: Origin | None
    recalled: bool
    recall_reason: str | None
    seq: int


@dataclass(frozen=True)
class Holder:
    org: str
    quantity: str


@dataclass(frozen=True)
class Link:
    """One lineage edge seen from the batch asked about: `batch` is the far end, `via` the near."""

    batch: str
    via: str
    kind: str
    quantity: str  # of the parent that went into the child
    depth: int
    product: str
    lot: str
    recalled: bool


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    actor: str
    ts: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class BatchShipment:
    shipment: str
    sender: str
    receiver: str
    status: str
    reason: str | None
    sent_ts: str
    quantity: str  # of this batch


@dataclass(frozen=True)
class BatchDetail(Batch):
    holdings: list[Holder]
    ancestors: list[Link]
    descendants: list[Link]
    events: list[Event]
    shipments: list[BatchShipment]


def _batch_query() -> Select[Any]:
    b, p = tables.batches.c, tables.products.c
    return (select(tables.batches, p.unit)
            .select_from(tables.batches.outerjoin(tables.products, p.product == b.product)))


def _batch(row: Any) -> dict[str, Any]:
    has_origin = any(v is not None for v in (row.plot, row.lat, row.lon))
    return {"batch": row.batch, "product": row.product, "lot": row.lot, "quantity": row.quantity,
            "unit": row.unit, "producer": row.producer, "created_by": row.created_by,
            "kind": row.origin, "harvested": row.harvested,
            "origin": Origin(row.plot, row.lat, row.lon) if has_origin else None,
            "recalled": bool(row.recalled), "recall_reason": row.recall_reason, "seq": row.seq}


def party_batches(org: str) -> Any:
    """The ids of every batch `org` is party to: producer, maker, holder (now or once, as an
    event's actor or a shipment's receiver), or sender or receiver of a shipment of it."""
    b, h, e = tables.batches.c, tables.holdings.c, tables.batch_events.c
    s, i = tables.shipments.c, tables.shipment_items.c
    return union(
        select(b.batch).where(or_(b.producer == org, b.created_by == org)),
        select(h.batch).where(h.org == org),
        select(e.batch).where(e.actor == org),
        select(i.batch).join(tables.shipments, s.shipment == i.shipment)
        .where(or_(s.sender == org, s.receiver == org)),
    )


def parties(conn: Connection, batch: str) -> frozenset[str]:
    """Every organisation party to `batch` (the inverse of `party_batches`)."""
    b, h, e = tables.batches.c, tables.holdings.c, tables.batch_events.c
    s, i = tables.shipments.c, tables.shipment_items.c
    shipped = select(tables.shipments).join(tables.shipment_items, i.shipment == s.shipment) \
        .where(i.batch == batch).subquery()
    query = union(
        select(b.producer).where(b.batch == batch),
        select(b.created_by).where(b.batch == batch),
        select(h.org).where(h.batch == batch),
        select(e.actor).where(e.batch == batch),
        select(shipped.c.sender),
        select(shipped.c.receiver),
    )
    return frozenset(conn.scalars(query))


def batch_exists(conn: Connection, batch: str) -> bool:
    b = tables.batches.c
    return conn.execute(select(b.batch).where(b.batch == batch)).first() is not None


def list_batches(conn: Connection, *, limit: int, after: str | None = None,
                 visible_to: str | None = None, product: str | None = None,
                 lot: str | None = None, holder: str | None = None,
                 recalled: bool | None = None) -> Page[Batch]:
    """Batches by id; `visible_to` keeps those that org is party to (None: all of them)."""
    b, h = tables.batches.c, tables.holdings.c
    query = _batch_query().order_by(b.batch).limit(limit + 1)
    if after is not None:
        query = query.where(b.batch > after)
    if visible_to is not None:
        query = query.where(b.batch.in_(party_batches(visible_to)))
    if product is not None:
        query = query.where(b.product == product)
    if lot is not None:
        query = query.where(b.lot == lot)
    if holder is not None:
        query = query.where(b.batch.in_(select(h.batch).where(h.org == holder)))
    if recalled is not None:
        query = query.where(b.recalled == recalled)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.batch))
    return Page([Batch(**_batch(row)) for row in rows], next_)


def find_batch(conn: Connection, batch: str) -> Batch | None:
    """The batch alone, without its lineage and history."""
    row = conn.execute(_batch_query().where(tables.batches.c.batch == batch)).first()
    return None if row is None else Batch(**_batch(row))


def get_batch(conn: Connection, batch: str) -> BatchDetail | None:
    """The batch with its holders, lineage both ways, events and shipments."""
    row = conn.execute(_batch_query().where(tables.batches.c.batch == batch)).first()
    if row is None:
        return None
    return BatchDetail(**_batch(row), holdings=_holders(conn, batch),
                       ancestors=walk_lineage(conn, batch, up=True),
                       descendants=walk_lineage(conn, batch, up=False),
                       events=_events(conn, batch), shipments=_shipments(conn, batch))


def _holders(conn: Connection, batch: str) -> list[Holder]:
    h = tables.holdings.c
    rows = conn.execute(select(h.org, h.quantity).where(h.batch == batch).order_by(h.org))
    return [Holder(row.org, row.quantity) for row in rows]


def walk_lineage(conn: Connection, start: str, *, up: bool) -> list[Link]:
    """Breadth-first along gi_lineage, child → parent (`up`) or parent → child, each batch
    expanded once: linear in the edges, however often split and merged paths rejoin."""
    lin = tables.lineage.c
    near, far = (lin.child, lin.parent) if up else (lin.parent, lin.child)
    edges: list[tuple[Any, int]] = []
    seen, frontier, depth = {start}, [start], 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        rows = conn.execute(select(near.label("via"), far.label("batch"), lin.kind, lin.quantity)
                            .where(near.in_(frontier)).order_by(lin.seq, far)).all()
        edges.extend((row, depth) for row in rows)
        frontier = sorted({row.batch for row in rows} - seen)
        seen.update(frontier)
    b = tables.batches.c
    summary = {r.batch: r for r in conn.execute(
        select(b.batch, b.product, b.lot, b.recalled).where(b.batch.in_({e.batch for e, _ in edges})))}
    return [Link(e.batch, e.via, e.kind, e.quantity, d, summary[e.batch].product,
                 summary[e.batch].lot, bool(summary[e.batch].recalled)) for e, d in edges]


def _events(conn: Connection, batch: str) -> list[Event]:
    e = tables.batch_events.c
    rows = conn.execute(select(tables.batch_events).where(e.batch == batch).order_by(e.seq))
    return [Event(row.seq, row.type, row.actor, row.ts, json.loads(row.detail)) for row in rows]


def _shipments(conn: Connection, batch: str) -> list[BatchShipment]:
    s, i = tables.shipments.c, tables.shipment_items.c
    rows = conn.execute(select(tables.shipments, i.quantity)
                        .join(tables.shipment_items, i.shipment == s.shipment)
                        .where(i.batch == batch).order_by(s.sent_seq))
    return [BatchShipment(row.shipment, row.sender, row.receiver, row.status, row.reason, row.sent_ts,
                          row.quantity) for row in rows]
