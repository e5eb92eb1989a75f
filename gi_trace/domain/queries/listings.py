"""Listing checks as the log keeps them (gi_trace.domain.listings): what was listed, where, by
whom. Their verdict is judged when read (gi_trace.labels.listing_verdict).

The label codes a listing shows are confidential (a code is a printable label): they go to
the statement's readers only, its actor, the platform and regulators (`hide_codes`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.visibility import Viewer, readable
from gi_trace.ledger.errors import MalformedError

_l = tables.listings.c


@dataclass(frozen=True)
class Listing:
    check: str
    platform: str
    url: str
    shop: str | None
    seller_uscc: str | None
    product: str
    codes: list[str] | None  # None when none were shown, or the viewer may not read them
    actor: str
    ts: str
    seq: int

    @property
    def year(self) -> int:
        return int(self.ts[:4])


def _listing(row: Any) -> Listing:
    return Listing(row.check, row.platform, row.url, row.shop, row.seller_uscc, row.product,
                   None if row.codes is None else json.loads(row.codes), row.actor, row.ts, row.seq)


def get_listing(conn: Connection, check: str) -> Listing | None:
    row = conn.execute(select(tables.listings).where(_l.check == check)).first()
    return None if row is None else _listing(row)


def _after(cursor: str) -> int:
    if not cursor.isdigit() or len(cursor) > 18:
        raise MalformedError("not a cursor of this list: pass the `next` of the previous page",
                             field="after", code="bad-cursor")
    return int(cursor)


def list_listings(conn: Connection, *, limit: int, after: str | None = None,
                  platform: str | None = None, since: str | None = None) -> Page[Listing]:
    """Listings in the order they were checked, of one platform or all, checked at `since` or later."""
    query = select(tables.listings).order_by(_l.seq).limit(limit + 1)
    if after is not None:
        query = query.where(_l.seq > _after(after))
    if platform is not None:
        query = query.where(_l.platform == platform)
    if since is not None:
        query = query.where(_l.ts >= since)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.seq))
    return Page([_listing(row) for row in rows], next_)


def hide_codes(conn: Connection, viewer: Viewer, listings: Sequence[Listing]) -> list[Listing]:
    """The listings with their codes left out where `viewer` may not read them."""
    shown = readable(conn, viewer, [listing.seq for listing in listings])
    return [listing if listing.seq in shown else replace(listing, codes=None)
            for listing in listings]


def listed_by_another_seller(conn: Connection, listing: Listing, fragment: str) -> bool:
    """Whether another listing, of another seller, shows a code containing `fragment`."""
    found = conn.execute(select(_l.check).where(
        (_l.check != listing.check) & _l.seller_uscc.is_distinct_from(listing.seller_uscc)
        & _l.codes.contains(fragment, autoescape=True)).limit(1)).first()
    return found is not None
