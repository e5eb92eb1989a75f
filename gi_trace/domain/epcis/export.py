"""Which statements an export holds, and what the projections add to them.

A statement is in a batch's journey when it touched the batch, an ancestor or a
descendant (gi_batch_events). A caller that is not a regulator sees a statement
only when it is party to at least one batch the statement touched: the rule of the
batch reads, applied statement by statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from gi_trace.domain import tables
from gi_trace.domain.queries.batches import get_batch, party_batches
from gi_trace.ledger import schema
from gi_trace.ledger.canonical import parse_json
from gi_trace.ledger.merkle import leaf_hash
from gi_trace.ledger.statement import format_ts

from .document import epcis_document
from .events import TYPES, Batch, Facts, Link, Shipment, Statement, epcis_event
from .identifiers import PREFIX_LENGTHS

_e = tables.batch_events.c


@dataclass(frozen=True)
class Exporter:
    """Where identifiers point (`base_url`, the server's public URL) and how GTINs split."""

    base_url: str
    prefix_length: int

    def __post_init__(self) -> None:
        if self.prefix_length not in PREFIX_LENGTHS:
            raise ValueError(f"a GS1 company prefix has 6 to 12 digits, not {self.prefix_length}")

    def journey(self, conn: Connection, batch: str, *, visible_to: str | None,
                created: datetime) -> dict[str, Any] | None:
        """The EPCIS document of a batch, its ancestors and descendants; None for no such batch."""
        detail = get_batch(conn, batch)
        if detail is None:
            return None
        family = {batch, *(link.batch for link in (*detail.ancestors, *detail.descendants))}
        query = _visible(select(_e.seq).where(_e.batch.in_(family)), visible_to)
        return self._document(conn, list(conn.scalars(query.group_by(_e.seq).order_by(_e.seq))),
                              created)

    def period(self, conn: Connection, start: datetime, end: datetime | None, *,
               visible_to: str | None, created: datetime, limit: int, after: int | None = None,
               ) -> tuple[dict[str, Any], int | None]:
        """The document of the statements signed in [start, end) (to the second; no end: up to
        now), in log order, at most `limit` of them after seq `after`; and the `after` of the
        next page, if there is one."""
        second = func.substr(_e.ts, 1, 19)  # ts text sorts by time only to the second
        query = select(_e.seq).where(second >= format_ts(start)[:19])
        if end is not None:
            query = query.where(second < format_ts(end)[:19])
        if after is not None:
            query = query.where(_e.seq > after)
        seqs = list(conn.scalars(_visible(query, visible_to).group_by(_e.seq).order_by(_e.seq)
                                 .limit(limit + 1)))
        more = len(seqs) > limit
        seqs = seqs[:limit]
        return self._document(conn, seqs, created), seqs[-1] if more else None

    def _document(self, conn: Connection, seqs: list[int], created: datetime) -> dict[str, Any]:
        statements = _statements(conn, seqs)
        facts = self._facts(conn, statements)
        return epcis_document([epcis_event(s, facts) for s in statements], created)

    def _facts(self, conn: Connection, statements: list[Statement]) -> Facts:
        seqs = [s.seq for s in statements]
        facts = Facts(self.base_url, self.prefix_length)
        for row in conn.execute(select(_e.seq, _e.batch).where(_e.seq.in_(seqs)).order_by(_e.batch)):
            facts.touched.setdefault(row.seq, []).append(row.batch)
        lin = tables.lineage.c
        for row in conn.execute(select(tables.lineage).where(lin.seq.in_(seqs))
                                .order_by(lin.parent, lin.child)):
            facts.lineage.setdefault(row.seq, []).append(Link(row.parent, row.child, row.quantity))
        facts.shipments = _shipments(conn, {s.body["shipment"] for s in statements
                                            if s.type.startswith("shipment.")})
        lab = tables.labels.c
        if any(s.type in ("label.void", "label.sell") for s in statements):
            facts.label_gtins = {row.serial: row.gtin for row in conn.execute(
                select(lab.serial, lab.gtin).where(lab.status_seq.in_(seqs)))}
        named = {b for batches in facts.touched.values() for b in batches}
        named.update(b for shipment in facts.shipments.values() for b, _ in shipment.items)
        facts.batches = _batches(conn, named)
        return facts


def _visible(query: Select[Any], org: str | None) -> Select[Any]:
    """Only statements of TYPES, and for an org (not a regulator) those touching its batches."""
    query = query.where(_e.type.in_(TYPES))
    return query if org is None else query.where(_e.batch.in_(party_batches(org)))


def _statements(conn: Connection, seqs: list[int]) -> list[Statement]:
    r = schema.records.c
    rows = conn.execute(select(r.seq, r.statement, r.signature).where(r.seq.in_(seqs)).order_by(r.seq))
    found = []
    for row in rows:
        data = parse_json(bytes(row.statement))
        found.append(Statement(row.seq, leaf_hash(bytes(row.signature) + bytes(row.statement)),
                               data["type"], data["actor"], data["ts"], data["body"]))
    return found


def _shipments(conn: Connection, ids: Iterable[str]) -> dict[str, Shipment]:
    s, i = tables.shipments.c, tables.shipment_items.c
    items: dict[str, list[tuple[str, str]]] = {}
    for row in conn.execute(select(i.shipment, i.batch, i.quantity).where(i.shipment.in_(ids))
                            .order_by(i.shipment, i.batch)):
        items.setdefault(row.shipment, []).append((row.batch, row.quantity))
    return {row.shipment: Shipment(row.sender, row.receiver, row.sent_seq,
                                   tuple(items.get(row.shipment, [])))
            for row in conn.execute(select(tables.shipments).where(s.shipment.in_(ids)))}


def _batches(conn: Connection, ids: set[str]) -> dict[str, Batch]:
    b, p, g = tables.batches.c, tables.products.c, tables.gtins.c
    rows = conn.execute(select(b.batch, b.product, b.lot, b.quantity, p.unit)
                        .select_from(tables.batches.join(tables.products, p.product == b.product))
                        .where(b.batch.in_(ids))).all()
    gtins: dict[str, list[str]] = {}
    for row in conn.execute(select(g.product, g.gtin).where(g.product.in_({r.product for r in rows}))
                            .order_by(g.gtin)):
        gtins.setdefault(row.product, []).append(row.gtin)
    return {row.batch: Batch(row.product, row.lot, row.quantity, row.unit,
                             tuple(gtins[row.product])) for row in rows}
