"""Recall: a batch and everything made from it, however far it travelled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gi_trace.domain import state, tables
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext


def descendants(ctx: AppendContext, batch_id: str) -> list[str]:
    """Every batch made from `batch_id` (split, merged or processed), breadth first."""
    found: list[str] = []
    frontier = [batch_id]
    seen = {batch_id}
    while frontier:
        rows = ctx.conn.execute(select(tables.lineage.c.child)
                                .where(tables.lineage.c.parent.in_(frontier)))
        frontier = sorted({row.child for row in rows} - seen)
        seen.update(frontier)
        found.extend(frontier)
    return found


def recall(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = state.batch(ctx, body["batch"], "body.batch", usable=False)
    actor = ctx.statement.actor
    if not state.v2(ctx):
        if not state.is_regulator(ctx, actor) and row.producer != actor:
            raise forbidden(f"only a regulator or the batch's producer ({row.producer}) may "
                            "recall it")
    elif not state.is_regulator(ctx, actor) and actor not in state.producers(row):
        # v2: a grower of any of its harvests; whoever merged or processed it asks a regulator.
        raise forbidden(f"only a regulator or a grower of the batch "
                        f"({', '.join(state.producers(row))}) may recall it")
    if row.recalled:
        raise violation("already-recalled", f"batch {row.batch} was already recalled", "body.batch")
    affected = [row.batch, *descendants(ctx, row.batch)]
    state.mark_recalled(ctx, affected, body["reason"])
    for batch_id in affected:
        state.event(ctx, batch_id, recalled=row.batch, reason=body["reason"])
