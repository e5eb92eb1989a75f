"""An enterprise's standing for a GI product in a year, found by its unified social credit code:
what an e-commerce platform checks before a seller may claim the special sign.

Everything here is public on the log: the organisation, its approval and quota, a
suspension and its reason, the labels it issued (each label.issue's count and pack are
public, so what they cover is too) and recalls of its batches. What it used of its quota
(the sum of its harvests, which are confidential) is not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, select

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.queries.orgs import Org, get_org
from gi_trace.ledger import schema

RECALLS_SHOWN = 20  # the latest recalls an answer lists; `recalled` counts them all


@dataclass(frozen=True)
class Approval:
    year: int
    quota: str
    regulator: str
    seq: int  # the producer.approve that set this quota


@dataclass(frozen=True)
class Suspension:
    reason: str
    regulator: str
    seq: int  # the producer.suspend in force


@dataclass(frozen=True)
class Recall:
    batch: str
    lot: str
    reason: str | None
    seq: int  # the batch.recall


@dataclass(frozen=True)
class Standing:
    org: Org
    product: str
    year: int
    approval: Approval | None
    suspension: Suspension | None
    labels_issued: int  # labels the org issued on the product's batches in the year
    labels_cover: str  # what they cover, in the product's unit (sum of count × pack)
    recalled: int  # the org's batches of the product under recall
    recalls: list[Recall]  # the latest RECALLS_SHOWN of them

    @property
    def over_quota(self) -> bool:
        """Its labels cover more than its quota: a mill's labels are bound by the harvests it
        milled, not by its own approval, so this can happen without any rule refusing it."""
        return self.approval is not None and \
            parse_quantity(self.labels_cover) > parse_quantity(self.approval.quota)


def enterprise(conn: Connection, uscc: str) -> Org | None:
    """The organisation registered with this credit code (the first, if several claim it)."""
    o = tables.orgs.c
    org = conn.scalar(select(o.org).where(o.uscc == uscc).order_by(o.seq).limit(1))
    return None if org is None else get_org(conn, org)


def _approval(conn: Connection, org: str, product: str, year: int) -> Approval | None:
    a = tables.approvals.c
    row = conn.execute(select(a.year, a.quota, a.regulator, a.seq).where(
        (a.product == product) & (a.producer == org) & (a.year == year))).first()
    return None if row is None else Approval(row.year, row.quota, row.regulator, row.seq)


def _suspension(conn: Connection, org: str, product: str) -> Suspension | None:
    s = tables.suspensions.c
    row = conn.execute(select(s.reason, s.regulator, s.seq).where(
        (s.product == product) & (s.producer == org))).first()
    return None if row is None else Suspension(row.reason, row.regulator, row.seq)


def _labels(conn: Connection, org: str, product: str, year: int) -> tuple[int, str]:
    """The labels `org` issued on batches of `product` by statements dated in `year`."""
    i, b, r = tables.label_issues.c, tables.batches.c, schema.records.c
    rows = conn.execute(select(i.count.label("n"), i.pack)
                        .join_from(tables.label_issues, tables.batches, b.batch == i.batch)
                        .join(schema.records, r.seq == i.seq)
                        .where((i.issuer == org) & (b.product == product)
                               & r.ts.startswith(f"{year:04d}-")))
    count, cover = 0, Decimal(0)
    for row in rows:
        count += row.n
        cover += row.n * parse_quantity(row.pack)
    return count, format_quantity(cover)


def _recalls(conn: Connection, org: str, product: str) -> tuple[int, list[Recall]]:
    b = tables.batches.c
    mine = (b.product == product) & b.recalled.is_(True) & ((b.producer == org) | (b.created_by == org))
    total = int(conn.scalar(select(func.count()).select_from(tables.batches).where(mine)) or 0)
    rows = conn.execute(select(b.batch, b.lot, b.recall_reason, b.recall_seq).where(mine)
                        .order_by(b.recall_seq.desc()).limit(RECALLS_SHOWN))
    return total, [Recall(row.batch, row.lot, row.recall_reason, row.recall_seq) for row in rows]


def standing(conn: Connection, org: Org, product: str, year: int) -> Standing:
    issued, cover = _labels(conn, org.org, product, year)
    recalled, recalls = _recalls(conn, org.org, product)
    return Standing(org, product, year, _approval(conn, org.org, product, year),
                    _suspension(conn, org.org, product), issued, cover, recalled, recalls)
