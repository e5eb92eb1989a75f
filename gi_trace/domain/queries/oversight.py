"""What a regulator watches across every producer: quota use, labels against units, what
labels certify of each harvest (and each producer's harvests) against what it yielded, mass
balance, deliveries left pending, revoked keys.

Aggregates over the projections, for the oversight dashboard. Whole tables are summed here
(one row per approval, per labelled batch, per holder and batch): a GI has hundreds of
producers, not millions, and the dashboard needs every one of them to find the outliers.
Ratios are exact `Decimal`s, or None where something was used against a limit of 0 (over any
limit: no number says how far); who may read them is the API's policy (regulators only).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, case, func, select

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.ledger import schema
from gi_trace.ledger.statement import format_ts

NEAR_LIMIT = Decimal("0.9")  # a use of 90 % of a limit is worth a regulator's look
STALE_AFTER = timedelta(days=7)  # a delivery pending longer has probably gone astray
ZERO = Decimal(0)


@dataclass(frozen=True)
class QuotaUse:
    product: str
    year: int
    producer: str
    quota: str
    used: str
    suspended: bool


@dataclass(frozen=True)
class LabelUse:
    """Labels of a batch: v1's limit was a label per whole unit (`units`); under v2 each label
    covers a pack, and `labelled` (what live labels issued on the batch cover, in the product's
    unit) is at most what was held of it (`quantity`)."""

    batch: str
    product: str
    producer: str
    units: int
    issued: int  # every label not voided: issued or sold
    sold: int
    void: int
    quantity: str
    labelled: str


@dataclass(frozen=True)
class HarvestUse:
    """One harvest: what live labels anywhere down its lineage (splits, merges, milling, at the
    actual ratios) certify of it, against what it yielded, both in the harvest's unit. The rules
    refuse a label that would take `labelled` past `quantity`."""

    batch: str
    product: str
    producer: str
    harvested: str | None
    unit: str
    quantity: str
    labelled: str  # exact when it is a decimal, else to 6 places
    ratio: Decimal | None  # labelled / quantity; None: labelled of a harvest that yielded 0


@dataclass(frozen=True)
class ProducerUse:
    """A producer's harvests of one product, summed: labelled against possible."""

    producer: str
    product: str
    unit: str
    harvests: int
    quantity: str
    labelled: str
    ratio: Decimal | None


@dataclass(frozen=True)
class MassBalance:
    """One limit used to `ratio` of it: `kind` labels (labelled goods / goods of a batch), quota
    (harvests / yearly quota of a producer) or shipped (what `org` shipped of a batch / what it
    had of it: made or received)."""

    kind: str
    subject: str  # the batch, or "product/producer/year" for a quota
    org: str
    used: str
    limit: str
    ratio: Decimal | None  # None: used > 0 of a limit of 0

    @property
    def over(self) -> bool:
        return self.ratio is None or self.ratio > 1

    def fullness(self) -> tuple[bool, Decimal]:
        """A sort key, fullest first: unbounded ones, then by falling ratio."""
        return (self.ratio is not None, -(self.ratio or ZERO))


@dataclass(frozen=True)
class StaleShipment:
    shipment: str
    sender: str
    receiver: str
    sent_ts: str
    sscc: str | None


@dataclass(frozen=True)
class RevokedKey:
    org: str
    key_id: str
    added_seq: int
    revoked_ts: str
    revoked_seq: int
    reason: str | None


def quota_use(conn: Connection) -> list[QuotaUse]:
    """Every approval with its quota used, by product, year and producer."""
    a, s = tables.approvals.c, tables.suspensions.c
    rows = conn.execute(
        select(a.product, a.year, a.producer, a.quota, a.used, s.reason)
        .select_from(tables.approvals.outerjoin(
            tables.suspensions, (s.product == a.product) & (s.producer == a.producer)))
        .order_by(a.product, a.year, a.producer))
    return [QuotaUse(r.product, r.year, r.producer, r.quota, r.used, r.reason is not None) for r in rows]


def units(quantity: str) -> int:
    """Whole units of a batch: the most labels it may carry."""
    return int(parse_quantity(quantity).to_integral_value(ROUND_FLOOR))


def label_use(conn: Connection) -> list[LabelUse]:
    """Every batch that has labels, with how many are live, sold and voided, by batch id."""
    lab, b = tables.labels.c, tables.batches.c
    live = func.sum(case((lab.status != "void", 1), else_=0))
    sold = func.sum(case((lab.status == "sold", 1), else_=0))
    void = func.sum(case((lab.status == "void", 1), else_=0))
    rows = conn.execute(
        select(b.batch, b.product, b.producer, b.quantity, b.labelled, live.label("live"),
               sold.label("sold"), void.label("void"))
        .select_from(tables.labels.join(tables.batches, b.batch == lab.batch))
        .group_by(b.batch, b.product, b.producer, b.quantity, b.labelled).order_by(b.batch))
    return [LabelUse(r.batch, r.product, r.producer, units(r.quantity), int(r.live), int(r.sold),
                     int(r.void), r.quantity, r.labelled) for r in rows]


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _text(value: Fraction) -> str:
    """A quantity for display: exact when it is a decimal, else to 6 places."""
    exact = _decimal(value)
    return format_quantity(exact if Fraction(exact) == value else exact.quantize(Decimal("0.000001")))


def ratio(used: Fraction | Decimal, limit: Fraction | Decimal) -> Decimal | None:
    """used / limit, exact to Decimal's precision; 1 for nothing of nothing, None for something
    of nothing (over any limit: JSON has no infinity, and no number says how far)."""
    if limit > 0:
        return _decimal(Fraction(used) / Fraction(limit))
    return Decimal(1) if used == 0 else None


def _harvests(conn: Connection) -> list[tuple[HarvestUse, Fraction, Fraction]]:
    b, p = tables.batches.c, tables.products.c
    rows = conn.execute(
        select(b.batch, b.product, b.producer, b.harvested, b.quantity, b.charged, p.unit)
        .join(tables.products, p.product == b.product)
        .where((b.origin == "register") & b.quantity.is_not(None))
        .order_by(b.product, b.producer, b.batch))
    found = []
    for r in rows:
        quantity, labelled = Fraction(parse_quantity(r.quantity)), Fraction(r.charged or "0")
        found.append((HarvestUse(r.batch, r.product, r.producer, r.harvested, r.unit, r.quantity,
                                 _text(labelled), ratio(labelled, quantity)),
                      quantity, labelled))
    return found


def harvest_use(conn: Connection) -> list[HarvestUse]:
    """Every harvest with what labels certify of it, by product, producer and batch."""
    return [use for use, _, _ in _harvests(conn)]


def producer_use(conn: Connection) -> list[ProducerUse]:
    """Each producer's harvests of each product, summed exactly, by product and producer."""
    sums: dict[tuple[str, str], list[Any]] = {}
    for use, quantity, labelled in _harvests(conn):
        entry = sums.setdefault((use.product, use.producer), [use.unit, 0, Fraction(0), Fraction(0)])
        entry[1] += 1
        entry[2] += quantity
        entry[3] += labelled
    return [ProducerUse(producer, product, unit, count, _text(quantity), _text(labelled),
                        ratio(labelled, quantity))
            for (product, producer), (unit, count, quantity, labelled) in sorted(sums.items())]


def _labels_against_limit(u: LabelUse) -> MassBalance:
    """v2 labels (packs) against what was held of the batch; v1 labels against its units."""
    labelled = parse_quantity(u.labelled)
    if labelled > 0:
        return MassBalance("labels", u.batch, u.producer, u.labelled, u.quantity,
                           ratio(labelled, parse_quantity(u.quantity)))
    return MassBalance("labels", u.batch, u.producer, str(u.issued), str(u.units),
                       ratio(Decimal(u.issued), Decimal(u.units)))


def _shipped_against_had(conn: Connection) -> list[MassBalance]:
    """Per holder and batch: what it shipped (pending or received) against what it had of it."""
    b, s, i = tables.batches.c, tables.shipments.c, tables.shipment_items.c
    had: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    shipped: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for made in conn.execute(select(b.created_by, b.batch, b.quantity)):
        had[made.created_by, made.batch] += parse_quantity(made.quantity)
    for row in conn.execute(select(s.sender, s.receiver, s.status, i.batch, i.quantity)
                            .join(tables.shipment_items, i.shipment == s.shipment)
                            .where(s.status != "rejected")):
        shipped[row.sender, row.batch] += parse_quantity(row.quantity)
        if row.status == "received":
            had[row.receiver, row.batch] += parse_quantity(row.quantity)
    return [MassBalance("shipped", batch, org, format_quantity(out),
                        format_quantity(had.get((org, batch), ZERO)),
                        ratio(out, had.get((org, batch), ZERO)))
            for (org, batch), out in sorted(shipped.items())]


def mass_balance(conn: Connection, *, near: Decimal = NEAR_LIMIT) -> list[MassBalance]:
    """Labels against a batch's goods, what labels certify of a harvest against what it yielded,
    and harvests against a quota, used to `near` of the limit or beyond, and shipments beyond
    what the shipper had; fullest first.

    Shipping all one had of a batch is a distributor's everyday work, so only "over" counts
    there; the rules refuse it at append, so one showing up means the projections disagree
    with the log (run `gi-trace audit verify`).
    """
    found = [_labels_against_limit(u) for u in label_use(conn)]
    found += [MassBalance("harvest", h.batch, h.producer, h.labelled, h.quantity, h.ratio)
              for h in harvest_use(conn)]
    found += [MassBalance("quota", f"{q.product}/{q.producer}/{q.year}", q.producer, q.used, q.quota,
                          ratio(parse_quantity(q.used), parse_quantity(q.quota)))
              for q in quota_use(conn)]
    found = [m for m in found if m.ratio is None or m.ratio >= near]
    found += [m for m in _shipped_against_had(conn) if m.over]
    return sorted(found, key=lambda m: (*m.fullness(), m.kind, m.subject))


def stale_shipments(conn: Connection, now: datetime, *, after: timedelta = STALE_AFTER
                    ) -> list[StaleShipment]:
    """Deliveries still pending `after` they were sent, oldest first."""
    s = tables.shipments.c
    cutoff = format_ts((now - after).replace(microsecond=0))
    rows = conn.execute(select(s.shipment, s.sender, s.receiver, s.sent_ts, s.sscc)
                        .where((s.status == "pending") & (s.sent_ts < cutoff))
                        .order_by(s.sent_ts, s.shipment))
    return [StaleShipment(r.shipment, r.sender, r.receiver, r.sent_ts, r.sscc) for r in rows]


def revoked_keys(conn: Connection) -> list[RevokedKey]:
    """Every revoked key, latest revocation first, with the reason its key.revoke gave.

    Statements signed with a key after its revocation are refused at append and never
    reach the log, so there is no trace of such attempts to show; the revocations are.
    """
    k, r = schema.keys.c, schema.records.c
    rows = conn.execute(select(k.org, k.key_id, k.added_seq, k.revoked_ts, k.revoked_seq, r.statement)
                        .select_from(schema.keys.outerjoin(schema.records, r.seq == k.revoked_seq))
                        .where(k.revoked_ts.is_not(None)).order_by(k.revoked_seq.desc()))
    return [RevokedKey(row.org, row.key_id, row.added_seq, row.revoked_ts, row.revoked_seq,
                       _reason(row.statement)) for row in rows]


def _reason(statement: bytes | None) -> str | None:
    if statement is None:
        return None
    reason = json.loads(bytes(statement))["body"].get("reason")
    return reason if isinstance(reason, str) else None
