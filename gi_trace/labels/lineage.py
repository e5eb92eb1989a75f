"""One label's own journey, as a shopper may see it: where its goods came from and how they
reached the shop — and nothing of any other branch.

The journey is the label's lineage only: the harvests its batch descends from and the
batches in between (who split, merged or processed them, and when), the shipments
that carried those very goods to whoever made the next batch of them, the label's
issue, the shipments that carried the labelled goods to the shop, its sale, and any
recall. A shipment is on that path only if it delivered the goods to an organisation
that then used them on the path (made the next batch, issued the labels, sold the
label): shipments of the same batches elsewhere are another branch, and left out.

What a step tells is what a shopper needs and the log makes public anyway (who, what
kind of step, when, the process, the village of the harvest, the recall's reason):
never quantities, plots, coordinates, shipment ids or SSCCs, which statement v2 keeps
confidential. Which organisation received a shipment is confidential in the log; the
verdict names it only for the shipments of this label's own path, to whoever holds the
label (the printed code is the key to its page).

Without a sale the label's goods may be at several holders (a batch shipped to two
shops); then the journey after the issue goes only as far as it is certain: to the one
organisation that holds all the labelled goods, when there is one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.quantity import parse_quantity
from gi_trace.domain.queries.products import Name
from gi_trace.ledger import schema

from .facts import LabelFacts

MAX_DEPTH = 256  # far deeper than any real chain; a stop should a projection ever hold a cycle


@dataclass(frozen=True)
class Harvest:
    """A harvest (batch.register) the label's goods descend from."""

    batch: str
    lot: str
    product: str
    producer: str
    producer_name: Name | None
    harvested: str | None
    village: Name | None  # the public `village` of a batch.register v2


@dataclass(frozen=True)
class Step:
    """One ledger statement on the label's path. `type` is the statement's; `detail` holds only
    what a shopper is shown: `lot`, `harvested`, `village`, `process`, `to`, `to_name`,
    `received`, `reason` (a recall's), `gtin`."""

    seq: int
    ts: str
    type: str
    batch: str
    actor: str
    actor_name: Name | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lineage:
    harvests: list[Harvest]
    steps: list[Step]  # oldest first
    retailer: str | None  # the shop that sold the label, or the one holding all its goods
    retailer_name: Name | None

    @property
    def harvested(self) -> str | None:
        """The earliest harvest date the goods descend from: the age of the oldest grain."""
        dates = sorted(h.harvested for h in self.harvests if h.harvested)
        return dates[0] if dates else None


@dataclass(frozen=True)
class _Shipment:
    shipment: str
    sender: str
    receiver: str
    status: str
    sent_ts: str
    sent_seq: int
    settled_seq: int | None
    batches: tuple[str, ...]
    labelled: bool  # it carried labelled goods (gi_shipment_items.labelled)


def lineage(conn: Connection, facts: LabelFacts) -> Lineage:
    own = facts.batch.batch
    edges = _edges_up(conn, own)  # (parent, child, kind, seq), child first met nearest the label
    ancestry = {own, *(parent for parent, _, _, _ in edges)}
    after = _descendants(conn, own)  # what the labelled goods may have been split or merged into
    rows = _batches(conn, ancestry | after)
    events = _events(conn, ancestry | after)
    shipments = _shipments(conn, ancestry | after)

    path: dict[str, _Shipment] = {}
    for parent, child, _, seq in edges:  # the goods' way to whoever made the next batch of them
        path.update(_delivered(shipments, {parent}, rows[child].created_by, seq))
    labelled = {own, *after}
    path.update(_delivered(shipments, {own}, facts.issuer, facts.issue_seq))
    retailer = facts.status_by if facts.sold else _sole_holder(conn, labelled, shipments)
    if retailer is not None:  # the labelled goods' way from the issuer to the shop
        until = facts.status_seq if facts.sold and facts.status_seq is not None else math.inf
        carried = [s for s in shipments if s.labelled and s.sent_seq > facts.issue_seq]
        path.update(_delivered(carried, labelled, retailer, until))

    names = _names(conn, {r.created_by for r in rows.values()} | {r.producer for r in rows.values()}
                   | {s.sender for s in path.values()} | {s.receiver for s in path.values()}
                   | {facts.issuer, *(e["actor"] for e in events.values()), retailer} - {None})
    villages = _villages(conn, [r.seq for r in rows.values() if r.batch in ancestry
                                and r.origin == "register"])
    harvests = [Harvest(r.batch, r.lot, r.product, r.producer, names.get(r.producer), r.harvested,
                        villages.get(r.seq))
                for r in sorted(rows.values(), key=lambda r: r.seq)
                if r.batch in ancestry and r.origin == "register"]
    steps = [*_made(rows, ancestry, events, names, villages), *_shipped(path.values(), events, names),
             Step(facts.issue_seq, facts.issue_ts, "label.issue", own, facts.issuer,
                  names.get(facts.issuer), {"gtin": facts.gtin}),
             *_recalls(ancestry, events, names)]
    if facts.sold and facts.status_seq is not None and facts.status_by is not None:
        steps.append(Step(facts.status_seq, facts.status_ts or "", "label.sell", own, facts.status_by,
                          names.get(facts.status_by)))
    steps.sort(key=lambda s: (s.seq, s.type))
    shop = retailer if facts.sold or (retailer is not None and _is_retailer(conn, retailer)) else None
    return Lineage(harvests, steps, shop, names.get(shop) if shop else None)


def root_harvests(conn: Connection, batches: Collection[str]) -> dict[str, list[Harvest]]:
    """For each batch, the harvests it descends from (itself, if it is one), oldest first."""
    found: dict[str, list[Harvest]] = {}
    for batch in batches:
        ancestry = {batch, *(parent for parent, _, _, _ in _edges_up(conn, batch))}
        rows = _batches(conn, ancestry)
        roots = [r for r in rows.values() if r.origin == "register"]
        names = _names(conn, {r.producer for r in roots})
        villages = _villages(conn, [r.seq for r in roots])
        found[batch] = [Harvest(r.batch, r.lot, r.product, r.producer, names.get(r.producer),
                                r.harvested, villages.get(r.seq))
                        for r in sorted(roots, key=lambda r: r.seq)]
    return found


# -- reading ---------------------------------------------------------------------------------------

def _edges_up(conn: Connection, start: str) -> list[tuple[str, str, str, int]]:
    lin = tables.lineage.c
    edges: list[tuple[str, str, str, int]] = []
    seen, frontier = {start}, [start]
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        rows = conn.execute(select(lin.parent, lin.child, lin.kind, lin.seq)
                            .where(lin.child.in_(frontier)).order_by(lin.seq, lin.parent)).all()
        edges.extend((r.parent, r.child, r.kind, int(r.seq)) for r in rows)
        frontier = sorted({r.parent for r in rows} - seen)
        seen.update(frontier)
    return edges


def _descendants(conn: Connection, start: str) -> set[str]:
    lin = tables.lineage.c
    found: set[str] = set()
    frontier = [start]
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        children = set(conn.scalars(select(lin.child).where(lin.parent.in_(frontier))))
        frontier = sorted(children - found - {start})
        found.update(frontier)
    return found


def _batches(conn: Connection, ids: Collection[str]) -> dict[str, Any]:
    b = tables.batches.c
    return {r.batch: r for r in conn.execute(
        select(b.batch, b.product, b.lot, b.producer, b.created_by, b.origin, b.harvested, b.seq,
               b.recalled, b.recall_reason, b.recall_seq).where(b.batch.in_(ids)))}


def _events(conn: Connection, ids: Collection[str]) -> dict[tuple[str, int], dict[str, Any]]:
    """The batches' journey rows by (batch, seq); `detail` is parsed but only named keys are read."""
    e = tables.batch_events.c
    return {(r.batch, int(r.seq)): {"type": r.type, "actor": r.actor, "ts": r.ts,
                                    "detail": json.loads(r.detail)}
            for r in conn.execute(select(tables.batch_events).where(e.batch.in_(ids)))}


def _shipments(conn: Connection, ids: Collection[str]) -> list[_Shipment]:
    s, i = tables.shipments.c, tables.shipment_items.c
    rows = conn.execute(select(s.shipment, s.sender, s.receiver, s.status, s.sent_ts, s.sent_seq,
                               s.settled_seq, i.batch, i.labelled)
                        .join(tables.shipment_items, i.shipment == s.shipment)
                        .where(i.batch.in_(ids)).order_by(s.sent_seq, i.batch)).all()
    found: dict[str, _Shipment] = {}
    for r in rows:
        known = found.get(r.shipment)
        batches = (*known.batches, r.batch) if known else (r.batch,)
        labelled = (known is not None and known.labelled) or parse_quantity(r.labelled) > 0
        found[r.shipment] = _Shipment(r.shipment, r.sender, r.receiver, r.status, r.sent_ts,
                                      int(r.sent_seq), None if r.settled_seq is None else
                                      int(r.settled_seq), batches, labelled)
    return list(found.values())


def _names(conn: Connection, orgs: Iterable[str]) -> dict[str, Name]:
    o = tables.orgs.c
    return {r.org: Name(r.name_zh, r.name_en)
            for r in conn.execute(select(o.org, o.name_zh, o.name_en).where(o.org.in_(set(orgs))))}


def _villages(conn: Connection, seqs: Collection[int]) -> dict[int, Name]:
    """The public `village` of each batch.register statement (v2), read from the log itself."""
    if not seqs:
        return {}
    r = schema.records.c
    found = {}
    for row in conn.execute(select(r.seq, r.statement).where(r.seq.in_(seqs))):
        village = json.loads(bytes(row.statement)).get("body", {}).get("village")
        if isinstance(village, dict) and all(isinstance(village.get(k), str) for k in ("zh", "en")):
            found[int(row.seq)] = Name(village["zh"], village["en"])
    return found


def _sole_holder(conn: Connection, batches: Collection[str], shipments: list[_Shipment]) -> str | None:
    """The one organisation holding every labelled good of `batches`, if one does and none is in
    transit: an unsold label is among them."""
    if any(s.status == "pending" and s.labelled and set(s.batches) & set(batches) for s in shipments):
        return None
    h = tables.holdings.c
    holders = {r.org for r in conn.execute(select(h.org, h.labelled).where(h.batch.in_(batches)))
               if parse_quantity(r.labelled) > 0}
    return holders.pop() if len(holders) == 1 else None


def _is_retailer(conn: Connection, org: str) -> bool:
    roles = conn.scalar(select(tables.orgs.c.roles).where(tables.orgs.c.org == org))
    return isinstance(roles, str) and "retailer" in json.loads(roles)


# -- the path --------------------------------------------------------------------------------------

def _delivered(shipments: list[_Shipment], batches: Collection[str], org: str,
               before: float) -> dict[str, _Shipment]:
    """The received shipments of `batches` that brought them to `org` before seq `before`, and
    those that brought them to each of their senders before they were sent on, and so on back."""
    wanted = set(batches)
    found: dict[str, _Shipment] = {}
    todo: list[tuple[str, float]] = [(org, before)]
    while todo:
        receiver, until = todo.pop()
        for s in shipments:
            if (s.status == "received" and s.receiver == receiver and s.shipment not in found
                    and s.settled_seq is not None and s.settled_seq < until and wanted & set(s.batches)):
                found[s.shipment] = s
                todo.append((s.sender, s.sent_seq))
    return found


def _made(rows: dict[str, Any], ancestry: set[str], events: dict[tuple[str, int], dict[str, Any]],
          names: dict[str, Name], villages: dict[int, Name]) -> list[Step]:
    """How each batch of the label's ancestry was made: harvested, split, merged or processed."""
    steps = []
    for batch in sorted(ancestry):
        row = rows.get(batch)
        if row is None:
            continue
        event = events.get((batch, int(row.seq)), {})
        said = event.get("detail", {})
        detail: dict[str, Any] = {"lot": row.lot}
        if row.origin == "register":
            detail["harvested"] = row.harvested
            if int(row.seq) in villages:
                detail["village"] = villages[int(row.seq)]
        if row.origin == "process" and isinstance(said.get("process"), str):
            detail["process"] = said["process"]
        steps.append(Step(int(row.seq), event.get("ts", ""), event.get("type", f"batch.{row.origin}"),
                          batch, row.created_by, names.get(row.created_by), detail))
    return steps


def _shipped(path: Iterable[_Shipment], events: dict[tuple[str, int], dict[str, Any]],
             names: dict[str, Name]) -> list[Step]:
    steps = []
    for s in path:
        received = next((events[(b, s.settled_seq)]["ts"] for b in s.batches
                         if s.settled_seq is not None and (b, s.settled_seq) in events), None)
        steps.append(Step(s.sent_seq, s.sent_ts, "shipment.send", s.batches[0], s.sender,
                          names.get(s.sender), {"to": s.receiver, "to_name": names.get(s.receiver),
                                                "received": received}))
    return steps


def _recalls(batches: set[str], events: dict[tuple[str, int], dict[str, Any]],
             names: dict[str, Name]) -> list[Step]:
    """Each recall that reached the label's goods, once (a recall marks every descendant)."""
    steps: dict[int, Step] = {}
    for (batch, seq), event in sorted(events.items(), key=lambda item: (item[0][1], item[0][0])):
        if batch in batches and event["type"] == "batch.recall" and seq not in steps:
            reason = event["detail"].get("reason")
            steps[seq] = Step(seq, event["ts"], "batch.recall", str(event["detail"].get("recalled", batch)),
                              event["actor"], names.get(event["actor"]),
                              {"reason": reason} if isinstance(reason, str) else {})
    return list(steps.values())
