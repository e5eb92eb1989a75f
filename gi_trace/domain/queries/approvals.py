"""Producer approvals: who may print a GI's special sign, how much a year, and how much is left.

Public on purpose: a buyer checking a supplier, or a consumer checking a label,
needs to know who is approved, for how much, without an account. What a producer has
used of its quota is the sum of its harvests' sizes, which are confidential: `used`
and `remaining` show only to the producer itself and regulators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.visibility import PUBLIC, Viewer
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import ID_PATTERN


@dataclass(frozen=True)
class Approval:
    product: str
    producer: str
    year: int
    quota: str
    used: str | None  # None unless the viewer is the producer or a regulator
    remaining: str | None
    suspended: bool
    suspension_reason: str | None
    regulator: str
    seq: int


def approval_cursor(product: str, producer: str, year: int) -> str:
    return f"{product}/{producer}/{year}"


def _parse_cursor(cursor: str) -> tuple[str, str, int]:
    parts = cursor.split("/")
    if (len(parts) != 3 or not all(ID_PATTERN.fullmatch(p) for p in parts[:2])
            or not parts[2].isdigit() or len(parts[2]) > 4):
        raise MalformedError("not a cursor of this list: pass the `next` of the previous page",
                             field="after", code="bad-cursor")
    return parts[0], parts[1], int(parts[2])


def _approval(row: Any, viewer: Viewer) -> Approval:
    used: str | None = None
    remaining: str | None = None
    if viewer.sees_all or viewer.org == row.producer:
        used = row.used
        left = parse_quantity(row.quota) - parse_quantity(row.used)
        remaining = format_quantity(max(left, parse_quantity("0")))
    return Approval(row.product, row.producer, row.year, row.quota, used, remaining,
                    row.reason is not None, row.reason, row.regulator, row.seq)


def list_approvals(conn: Connection, *, limit: int, after: str | None = None,
                   product: str | None = None, producer: str | None = None,
                   year: int | None = None, viewer: Viewer = PUBLIC) -> Page[Approval]:
    """Approvals by (product, producer, year), with any suspension, and the quota used for a
    `viewer` that may see it."""
    a, s = tables.approvals.c, tables.suspensions.c
    query = (select(a.product, a.producer, a.year, a.quota, a.used, a.regulator, a.seq, s.reason)
             .select_from(tables.approvals.outerjoin(
                 tables.suspensions, (s.product == a.product) & (s.producer == a.producer)))
             .order_by(a.product, a.producer, a.year).limit(limit + 1))
    if after is not None:
        p, q, y = _parse_cursor(after)
        query = query.where(or_(a.product > p,
                                and_(a.product == p, or_(a.producer > q,
                                                         and_(a.producer == q, a.year > y)))))
    if product is not None:
        query = query.where(a.product == product)
    if producer is not None:
        query = query.where(a.producer == producer)
    if year is not None:
        query = query.where(a.year == year)
    rows, next_ = cut(conn.execute(query).all(), limit,
                      lambda row: approval_cursor(row.product, row.producer, row.year))
    return Page([_approval(row, viewer) for row in rows], next_)
