"""What an organisation holds now: one row per batch, never a zero (the rules delete those)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut


@dataclass(frozen=True)
class Holding:
    batch: str
    product: str
    lot: str
    quantity: str
    unit: str | None
    recalled: bool


def org_holdings(conn: Connection, org: str, *, limit: int, after: str | None = None,
                 product: str | None = None) -> Page[Holding]:
    h, b, p = tables.holdings.c, tables.batches.c, tables.products.c
    query = (select(h.batch, h.quantity, b.product, b.lot, b.recalled, p.unit)
             .select_from(tables.holdings.join(tables.batches, b.batch == h.batch)
                          .outerjoin(tables.products, p.product == b.product))
             .where(h.org == org).order_by(h.batch).limit(limit + 1))
    if after is not None:
        query = query.where(h.batch > after)
    if product is not None:
        query = query.where(b.product == product)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.batch))
    return Page([Holding(row.batch, row.product, row.lot, row.quantity, row.unit, bool(row.recalled))
                 for row in rows], next_)
