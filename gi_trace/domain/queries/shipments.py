"""Shipments of an organisation, in or out, and its inbox: what waits for its receipt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut

Direction = Literal["in", "out"]
STATUSES = ("pending", "received", "rejected")


@dataclass(frozen=True)
class Item:
    batch: str
    quantity: str
    product: str | None
    lot: str | None


@dataclass(frozen=True)
class Shipment:
    shipment: str
    sender: str
    receiver: str
    status: str
    reason: str | None
    sent_ts: str
    sent_seq: int
    settled_seq: int | None
    items: list[Item]
    sscc: str | None = None  # the SSCC on the delivery's label, if the sender gave one


def _items(conn: Connection, shipment_ids: list[str]) -> dict[str, list[Item]]:
    i, b = tables.shipment_items.c, tables.batches.c
    found: dict[str, list[Item]] = {s: [] for s in shipment_ids}
    rows = conn.execute(select(i.shipment, i.batch, i.quantity, b.product, b.lot)
                        .select_from(tables.shipment_items.outerjoin(tables.batches, b.batch == i.batch))
                        .where(i.shipment.in_(shipment_ids)).order_by(i.shipment, i.batch))
    for row in rows:
        found[row.shipment].append(Item(row.batch, row.quantity, row.product, row.lot))
    return found


def _shipment(row: Any, items: list[Item]) -> Shipment:
    return Shipment(row.shipment, row.sender, row.receiver, row.status, row.reason, row.sent_ts,
                    row.sent_seq, row.settled_seq, items, row.sscc)


def list_shipments(conn: Connection, org: str, *, limit: int, after: str | None = None,
                   status: str | None = None, direction: Direction | None = None) -> Page[Shipment]:
    """Shipments `org` sent (`out`), was sent (`in`), or both, by id, with their items."""
    s = tables.shipments.c
    sides = {"in": s.receiver == org, "out": s.sender == org, None: (s.receiver == org) | (s.sender == org)}
    query = select(tables.shipments).where(sides[direction]).order_by(s.shipment).limit(limit + 1)
    if after is not None:
        query = query.where(s.shipment > after)
    if status is not None:
        query = query.where(s.status == status)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.shipment))
    items = _items(conn, [row.shipment for row in rows])
    return Page([_shipment(row, items[row.shipment]) for row in rows], next_)


def inbox(conn: Connection, org: str, *, limit: int, after: str | None = None) -> Page[Shipment]:
    """Pending shipments addressed to `org`: what it has to receive or reject."""
    return list_shipments(conn, org, limit=limit, after=after, status="pending", direction="in")


def get_shipment(conn: Connection, shipment: str | None = None, *, sscc: str | None = None
                 ) -> Shipment | None:
    """One shipment, by its id or by the SSCC on its label (what a receiving desk scans)."""
    s = tables.shipments.c
    where = s.shipment == shipment if sscc is None else s.sscc == sscc
    row = conn.execute(select(tables.shipments).where(where)).first()
    return None if row is None else _shipment(row, _items(conn, [row.shipment])[row.shipment])
