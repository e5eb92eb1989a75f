"""Which statements an export holds, and what the projections add to them.

A statement is in a batch's journey when it touched the batch, an ancestor or a
descendant (gi_batch_events). A viewer that is not a regulator sees a statement
only when it is party to at least one batch the statement touched: the rule of the
batch reads, applied statement by statement (the public: any batch).

Then the rule of confidential fields (`queries.visibility`): a statement's disclosed
fields, and the quantities the projections derived from it, are exported only to a
viewer that may read it; others get its public fields. A statement whose very link to
a batch is confidential (a shipment, a label voided or sold) is exported only to its
readers. Labels' serials travel in an export only where the viewer may read the
statement that carries them (a void or a sale); a label.issue's never do, it is counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from gi_trace.domain import tables
from gi_trace.domain.queries.batches import get_batch, party_batches
from gi_trace.domain.queries.visibility import PUBLIC_EVENT_DETAIL, Viewer, readable
from gi_trace.ledger import schema
from gi_trace.ledger.canonical import parse_json
from gi_trace.ledger.disclosure import Disclosure, full_body, reveal
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

    def journey(self, conn: Connection, batch: str, *, viewer: Viewer,
                created: datetime) -> dict[str, Any] | None:
        """The EPCIS document of a batch, its ancestors and descendants, as `viewer` may see
        it; None for no such batch."""
        detail = get_batch(conn, batch)
        if detail is None:
            return None
        family = {batch, *(link.batch for link in (*detail.ancestors, *detail.descendants))}
        query = _visible(select(_e.seq).where(_e.batch.in_(family)), viewer)
        return self._document(conn, list(conn.scalars(query.group_by(_e.seq).order_by(_e.seq))),
                              viewer, created)

    def period(self, conn: Connection, start: datetime, end: datetime | None, *,
               viewer: Viewer, created: datetime, limit: int, after: int | None = None,
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
        seqs = list(conn.scalars(_visible(query, viewer).group_by(_e.seq).order_by(_e.seq)
                                 .limit(limit + 1)))
        more = len(seqs) > limit
        seqs = seqs[:limit]
        return self._document(conn, seqs, viewer, created), seqs[-1] if more else None

    def _document(self, conn: Connection, seqs: list[int], viewer: Viewer,
                  created: datetime) -> dict[str, Any]:
        disclosed = readable(conn, viewer, seqs)
        statements = _statements(conn, seqs, disclosed)
        facts = self._facts(conn, statements, disclosed)
        return epcis_document([epcis_event(s, facts) for s in statements], created)

    def _facts(self, conn: Connection, statements: list[Statement], disclosed: frozenset[int]) -> Facts:
        seqs = [s.seq for s in statements]
        facts = Facts(self.base_url, self.prefix_length, disclosed=disclosed)
        for row in conn.execute(select(_e.seq, _e.batch).where(_e.seq.in_(seqs)).order_by(_e.batch)):
            facts.touched.setdefault(row.seq, []).append(row.batch)
        lin = tables.lineage.c
        for row in conn.execute(select(tables.lineage).where(lin.seq.in_(seqs))
                                .order_by(lin.parent, lin.child)):
            facts.lineage.setdefault(row.seq, []).append(Link(row.parent, row.child, row.quantity))
        facts.shipments = _shipments(conn, {s.body["shipment"] for s in statements
                                            if s.type.startswith("shipment.") and "shipment" in s.body})
        lab = tables.labels.c
        if any(s.type in ("label.void", "label.sell") for s in statements):
            facts.label_gtins = {row.serial: row.gtin for row in conn.execute(
                select(lab.serial, lab.gtin).where(lab.status_seq.in_(seqs)))}
        named = {b for batches in facts.touched.values() for b in batches}
        named.update(b for shipment in facts.shipments.values() for b, _ in shipment.items)
        facts.batches = _batches(conn, named)
        return facts


def _visible(query: Select[Any], viewer: Viewer) -> Select[Any]:
    """Only statements of TYPES; for an org those touching its batches; and but for a regulator,
    a statement whose link to a batch is confidential only where the viewer may read it."""
    query = query.where(_e.type.in_(TYPES))
    if viewer.party is not None:
        query = query.where(_e.batch.in_(party_batches(viewer.party)))
    if viewer.sees_all:
        return query
    public = _e.type.in_(sorted(PUBLIC_EVENT_DETAIL))
    if viewer.org is None:
        return query.where(public)
    named = select(schema.readers.c.seq).where(schema.readers.c.org == viewer.org)
    return query.where(public | (_e.actor == viewer.org) | _e.seq.in_(named))


def _disclosures(conn: Connection, seqs: frozenset[int]) -> dict[int, list[Disclosure]]:
    """The disclosures kept beside the records `seqs` (those that have any)."""
    sc = schema.sidecars.c
    found: dict[int, list[Disclosure]] = {}
    wanted = sorted(seqs)
    for i in range(0, len(wanted), 500):
        for row in conn.execute(select(sc.seq, sc.disclosures).where(sc.seq.in_(wanted[i:i + 500]))):
            if row.disclosures:
                found[row.seq] = [Disclosure(*item) for item in json.loads(row.disclosures)]
    return found


def _statements(conn: Connection, seqs: list[int], disclosed: frozenset[int]) -> list[Statement]:
    """The statements with their bodies as the viewer may read them: whole (public and disclosed
    fields) for the records in `disclosed`, their public fields for the others."""
    r = schema.records.c
    disclosures = _disclosures(conn, disclosed)
    rows = conn.execute(select(r.seq, r.statement, r.signature).where(r.seq.in_(seqs)).order_by(r.seq))
    found = []
    for row in rows:
        data = parse_json(bytes(row.statement))
        body: dict[str, Any] = data["body"]
        revealed = reveal(body, disclosures.get(row.seq, [])) if row.seq in disclosed else {}
        found.append(Statement(row.seq, leaf_hash(bytes(row.signature) + bytes(row.statement)),
                               data["type"], data["actor"], data["ts"], full_body(body, revealed)))
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
