"""Batches and their journey: where a batch came from, where it went, who touched it.

Only parties to a batch and regulators may see this; `parties` and `party_batches` say
who they are, the API enforces it. Within it, each confidential value (a quantity, a
plot, a holder, a shipment) is shown only to a `Viewer` that may read the statement it
came from (`visibility`); otherwise it is None, or left out of its list. A party sees
the public lineage of its batch, its own holding and its own shipments, never another
org's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, or_, select, union

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.products import Name
from gi_trace.domain.queries.visibility import PUBLIC, Viewer, public_detail, readable

# Far deeper than any real chain (harvest → split → mill → pack → ship is ~10), and a stop
# should a corrupted projection ever hold a cycle.
MAX_DEPTH = 256


@dataclass(frozen=True)
class Origin:
    """Where a harvest grew: confidential, like the harvest's size."""

    plot: str | None
    lat: str | None
    lon: str | None
    region: str | None  # GB/T 2260 code of the plot


@dataclass(frozen=True)
class Batch:
    batch: str
    product: str
    lot: str
    quantity: str | None  # at creation; None when the viewer may not read it
    unit: str | None
    producer: str
    producers: list[str]  # every grower of its root harvests
    created_by: str
    kind: str  # register | split | merge | process
    harvested: str | None
    village: Name | None  # public: the origin a shopper sees
    origin: Origin | None  # None when none was given or the viewer may not read it
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
    quantity: str | None  # of the parent that went into the child; None when not readable
    depth: int
    product: str
    lot: str
    recalled: bool
    seq: int  # the statement that made the edge


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


def _batch(row: Any, disclosed: bool) -> dict[str, Any]:
    """A batch row as `Batch` fields; `disclosed`: the viewer may read the statement that made
    it, so its quantity and origin are shown."""
    has_origin = any(v is not None for v in (row.plot, row.lat, row.lon, row.plot_region))
    village = Name(row.village_zh, row.village_en) if row.village_zh is not None else None
    return {"batch": row.batch, "product": row.product, "lot": row.lot,
            "quantity": row.quantity if disclosed else None, "unit": row.unit,
            "producer": row.producer, "producers": json.loads(row.producers),
            "created_by": row.created_by, "kind": row.origin, "harvested": row.harvested,
            "village": village,
            "origin": Origin(row.plot, row.lat, row.lon, row.plot_region)
            if has_origin and disclosed else None,
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
                 visible_to: str | None = None, viewer: Viewer = PUBLIC,
                 product: str | None = None, lot: str | None = None, holder: str | None = None,
                 recalled: bool | None = None) -> Page[Batch]:
    """Batches by id; `visible_to` keeps those that org is party to (None: all of them), and
    `viewer` says whose confidential values show (default: the public's, none)."""
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
    disclosed = readable(conn, viewer, [row.seq for row in rows])
    return Page([Batch(**_batch(row, row.seq in disclosed)) for row in rows], next_)


def find_batch(conn: Connection, batch: str, viewer: Viewer = PUBLIC) -> Batch | None:
    """The batch alone, without its lineage and history."""
    row = conn.execute(_batch_query().where(tables.batches.c.batch == batch)).first()
    if row is None:
        return None
    return Batch(**_batch(row, bool(readable(conn, viewer, [row.seq]))))


def get_batch(conn: Connection, batch: str, viewer: Viewer = PUBLIC) -> BatchDetail | None:
    """The batch with its holders, lineage both ways, events and shipments, as `viewer` may
    see them: a regulator everything; an org its own holding and shipments, and the values of
    the statements it may read; the public the public facts."""
    row = conn.execute(_batch_query().where(tables.batches.c.batch == batch)).first()
    if row is None:
        return None
    ancestors = walk_lineage(conn, batch, up=True, viewer=viewer)
    descendants = walk_lineage(conn, batch, up=False, viewer=viewer)
    return BatchDetail(**_batch(row, bool(readable(conn, viewer, [row.seq]))),
                       holdings=_holders(conn, batch, viewer), ancestors=ancestors,
                       descendants=descendants, events=_events(conn, batch, viewer),
                       shipments=_shipments(conn, batch, viewer))


def _holders(conn: Connection, batch: str, viewer: Viewer) -> list[Holder]:
    """Who holds how much of it: all holders for a regulator, its own holding for an org."""
    h = tables.holdings.c
    query = select(h.org, h.quantity).where(h.batch == batch).order_by(h.org)
    if not viewer.sees_all:
        query = query.where(h.org == viewer.org)  # the public (org None) matches no row
    return [Holder(row.org, row.quantity) for row in conn.execute(query)]


def walk_lineage(conn: Connection, start: str, *, up: bool, viewer: Viewer = PUBLIC) -> list[Link]:
    """Breadth-first along gi_lineage, child → parent (`up`) or parent → child, each batch
    expanded once: linear in the edges, however often split and merged paths rejoin. Lineage
    is public; an edge's quantity shows only to a viewer that may read the statement behind it."""
    lin = tables.lineage.c
    near, far = (lin.child, lin.parent) if up else (lin.parent, lin.child)
    edges: list[tuple[Any, int]] = []
    seen, frontier, depth = {start}, [start], 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        rows = conn.execute(select(near.label("via"), far.label("batch"), lin.kind, lin.quantity,
                                   lin.seq).where(near.in_(frontier)).order_by(lin.seq, far)).all()
        edges.extend((row, depth) for row in rows)
        frontier = sorted({row.batch for row in rows} - seen)
        seen.update(frontier)
    b = tables.batches.c
    summary = {r.batch: r for r in conn.execute(
        select(b.batch, b.product, b.lot, b.recalled).where(b.batch.in_({e.batch for e, _ in edges})))}
    disclosed = readable(conn, viewer, [e.seq for e, _ in edges])
    return [Link(e.batch, e.via, e.kind, e.quantity if e.seq in disclosed else None, d,
                 summary[e.batch].product, summary[e.batch].lot, bool(summary[e.batch].recalled),
                 e.seq) for e, d in edges]


def _events(conn: Connection, batch: str, viewer: Viewer) -> list[Event]:
    """The batch's events in log order: whole to those who may read their statements, their
    public detail to others, and not at all when the event itself is confidential."""
    e = tables.batch_events.c
    rows = conn.execute(select(tables.batch_events).where(e.batch == batch).order_by(e.seq)).all()
    disclosed = readable(conn, viewer, [row.seq for row in rows])
    events = []
    for row in rows:
        detail = json.loads(row.detail)
        shown = detail if row.seq in disclosed else public_detail(row.type, detail)
        if shown is not None:
            events.append(Event(row.seq, row.type, row.actor, row.ts, shown))
    return events


def _shipments(conn: Connection, batch: str, viewer: Viewer) -> list[BatchShipment]:
    """Shipments of the batch: all for a regulator, an org's own (sent or received) for it."""
    s, i = tables.shipments.c, tables.shipment_items.c
    query = (select(tables.shipments, i.quantity)
             .join(tables.shipment_items, i.shipment == s.shipment)
             .where(i.batch == batch).order_by(s.sent_seq))
    if not viewer.sees_all:
        query = query.where((s.sender == viewer.org) | (s.receiver == viewer.org))
    return [BatchShipment(row.shipment, row.sender, row.receiver, row.status, row.reason, row.sent_ts,
                          row.quantity) for row in conn.execute(query)]
