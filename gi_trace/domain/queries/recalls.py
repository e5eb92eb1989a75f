"""Recalls and the stock they reach: per recall, who holds the recalled batches (the batch
recalled and everything made from it: `gi_batches.recall_seq` is the recall's seq) and
whether each holder acknowledged it (recall.ack, `gi_trace.domain.recall_acks`).

Who holds what is confidential, as shipments are, and so is what a holder withdrew: a
regulator reads every holder's line, an organisation its own, the public the recall and
its counts only (how many holder lines, how many acknowledged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, exists, select
from sqlalchemy.orm import aliased

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.visibility import Viewer

_b, _l, _h, _a, _e = (tables.batches.c, tables.lineage.c, tables.holdings.c,
                      tables.recall_acks.c, tables.batch_events.c)
_parent = aliased(tables.batches)


@dataclass(frozen=True)
class HolderLine:
    """One holder of one recalled batch: what it holds now and its acknowledgement."""

    org: str
    batch: str
    holds: str | None  # what it holds now; None when it holds none (it acknowledged earlier)
    acknowledged: str | None  # when, RFC 3339; None: not yet
    withdrawn: str | None  # what it said it withdrew (confidential: the holder and regulators)


@dataclass(frozen=True)
class Recall:
    batch: str  # the batch the recall named
    product: str
    lot: str
    seq: int
    ts: str
    actor: str
    reason: str | None
    batches: list[str]  # every batch it reached (the one named first)
    lines: int  # holder lines: an org and a batch it holds or acknowledged
    acknowledged: int
    holders: list[HolderLine] | None  # None for the public; an org's own lines only


def _roots() -> Select[Any]:
    """Batches a recall named: recalled, and no parent was recalled by the same statement."""
    parent_recalled = exists().where(
        _l.child == _b.batch, _l.parent == _parent.c.batch, _parent.c.recall_seq == _b.recall_seq)
    return (select(_b.batch, _b.product, _b.lot, _b.recall_seq, _b.recall_reason, _e.ts, _e.actor)
            .join(tables.batch_events, and_(_e.batch == _b.batch, _e.seq == _b.recall_seq))
            .where(_b.recall_seq.is_not(None), ~parent_recalled))


def _lines(conn: Connection, batches: list[str]) -> list[HolderLine]:
    held = {(row.org, row.batch): str(row.quantity) for row in
            conn.execute(select(_h.org, _h.batch, _h.quantity).where(_h.batch.in_(batches)))}
    acks = {(row.org, row.batch): row for row in
            conn.execute(select(_a.org, _a.batch, _a.ts, _a.withdrawn).where(_a.batch.in_(batches)))}
    lines = []
    for org, batch in sorted(held.keys() | acks.keys()):
        ack = acks.get((org, batch))
        lines.append(HolderLine(org, batch, held.get((org, batch)),
                                None if ack is None else ack.ts,
                                None if ack is None or ack.withdrawn is None else str(ack.withdrawn)))
    return lines


def _recall(conn: Connection, row: Row[Any], viewer: Viewer) -> Recall:
    batch, seq = str(row.batch), int(row.recall_seq)
    reached = sorted(set(conn.scalars(select(_b.batch).where(_b.recall_seq == seq))) - {batch})
    lines = _lines(conn, [batch, *reached])
    shown = (None if viewer.org is None and not viewer.sees_all
             else [line for line in lines if viewer.sees_all or line.org == viewer.org])
    return Recall(batch, row.product, row.lot, seq, row.ts, row.actor, row.recall_reason,
                  [batch, *reached], len(lines),
                  sum(line.acknowledged is not None for line in lines), shown)


def list_recalls(conn: Connection, viewer: Viewer, *, limit: int,
                 after: str | None = None) -> Page[Recall]:
    """Recalls newest first; `after` is the seq of the last one of the previous page."""
    query = _roots().order_by(_b.recall_seq.desc()).limit(limit + 1)
    if after is not None:
        query = query.where(_b.recall_seq < int(after))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.recall_seq))
    return Page([_recall(conn, row, viewer) for row in rows], next_)


def recall_of(conn: Connection, viewer: Viewer, batch: str) -> Recall | None:
    """The recall that reached `batch` (named it or a batch it was made from); None if none."""
    seq = conn.scalar(select(_b.recall_seq).where(_b.batch == batch))
    if seq is None:
        return None
    row = conn.execute(_roots().where(_b.recall_seq == seq)).first()
    return None if row is None else _recall(conn, row, viewer)
