"""What anyone may see of a product and of a lot, without an account: the resolver's pages.

A product (GTIN): its GI name, region, unit, and the producers approved for it
(approvals are public already). A lot (GTIN + lot): the product, the lot, who
produced it, when it was harvested (for a milled or merged lot, the dates of the
harvests it descends from) and whether it is recalled, and why. What a
lot holds, who holds it and whom it was sold to are trade secrets: that journey
is for the parties to the batch (`/v1/batches`, EPCIS), and a label's own page
shows the public part of it.

Splitting a batch keeps its lot, and two producers may print the same lot, so a
lot may name several batches: the page shows each distinct producer, harvest and
recall among them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries import approvals, batches, products
from gi_trace.domain.queries.paging import MAX_LIMIT
from gi_trace.domain.queries.products import Name, Product

from .lineage import root_harvests


@dataclass(frozen=True)
class ApprovedProducer:
    org: str
    name: Name | None
    years: tuple[int, ...]
    suspended: bool


@dataclass(frozen=True)
class ProductFacts:
    gtin: str
    product: Product
    producers: list[ApprovedProducer]


@dataclass(frozen=True)
class LotOrigin:
    """One producer's part of a lot, as a consumer may see it: every batch of the lot that
    producer answers for, folded together (a split keeps the lot but not the harvest date)."""

    producer: str
    producer_name: Name | None
    harvested: list[str]
    recalled: bool  # some batch of it is
    recall_reasons: list[str]


@dataclass(frozen=True)
class LotFacts:
    gtin: str
    lot: str
    product: Product
    origins: list[LotOrigin]
    batch: str | None  # the batch whose journey covers the whole lot, when one producer made it

    @property
    def recalled(self) -> bool:
        return any(origin.recalled for origin in self.origins)


def _names(conn: Connection, orgs: set[str]) -> dict[str, Name]:
    o = tables.orgs.c
    return {row.org: Name(row.name_zh, row.name_en)
            for row in conn.execute(select(o.org, o.name_zh, o.name_en).where(o.org.in_(orgs)))}


def product_of(conn: Connection, gtin: str) -> Product | None:
    """The GI product that owns a GTIN-14."""
    found = products.list_products(conn, limit=1, gtin=gtin).items
    return found[0] if found else None


def product_facts(conn: Connection, gtin: str) -> ProductFacts | None:
    product = product_of(conn, gtin)
    if product is None:
        return None
    years: dict[str, list[int]] = {}
    suspended: dict[str, bool] = {}
    for approval in approvals.list_approvals(conn, limit=MAX_LIMIT, product=product.product).items:
        years.setdefault(approval.producer, []).append(approval.year)
        suspended[approval.producer] = approval.suspended
    names = _names(conn, set(years))
    return ProductFacts(gtin, product, [
        ApprovedProducer(org, names.get(org), tuple(sorted(years[org])), suspended[org])
        for org in sorted(years)])


def _lot_batches(conn: Connection, product: str, lot: str) -> list[batches.Batch]:
    return batches.list_batches(conn, limit=MAX_LIMIT, product=product, lot=lot).items


def _root(found: list[batches.Batch]) -> str | None:
    """The first batch of a lot made by one producer: splits keep the lot, so it is the
    ancestor of the others. None when producers differ (the lot alone does not say whose)."""
    if not found or len({b.producer for b in found}) > 1:
        return None
    return min(found, key=lambda b: b.seq).batch


def lot_facts(conn: Connection, gtin: str, lot: str) -> LotFacts | None:
    product = product_of(conn, gtin)
    if product is None:
        return None
    found = _lot_batches(conn, product.product, lot)
    if not found:
        return None
    names = _names(conn, {b.producer for b in found})
    # A milled or merged lot has no harvest date of its own: its harvests' dates are shown.
    harvests = root_harvests(conn, [b.batch for b in found])
    origins = []
    for producer in sorted({b.producer for b in found}):
        mine = [b for b in found if b.producer == producer]
        origins.append(LotOrigin(
            producer, names.get(producer),
            sorted({h.harvested for b in mine for h in harvests[b.batch] if h.harvested}),
            any(b.recalled for b in mine), sorted({b.recall_reason for b in mine if b.recall_reason})))
    return LotFacts(gtin, lot, product, origins, _root(found))


def lot_root(conn: Connection, gtin: str, lot: str) -> str | None:
    """The batch a GTIN and lot point to (see `_root`), or None."""
    product = product_of(conn, gtin)
    return None if product is None else _root(_lot_batches(conn, product.product, lot))
