"""Recall acknowledgements: each holder of recalled stock signs what it withdrew, so a
regulator sees who has not (the recall itself is `gi_trace.domain.recall`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gi_trace.domain import state, tables
from gi_trace.domain.quantity import format_quantity
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def acknowledge(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = state.batch(ctx, body["batch"], "body.batch", usable=False)
    if not row.recalled:
        raise violation("not-recalled", f"batch {row.batch!r} is not recalled", "body.batch")
    org = ctx.statement.actor
    a = tables.recall_acks.c
    if ctx.conn.execute(select(a.org).where((a.batch == row.batch) & (a.org == org))).first():
        raise violation("already-acknowledged", f"{org} already acknowledged the recall of "
                        f"{row.batch!r}", "body.batch")
    withdrawn = body.get("withdrawn")
    if withdrawn is not None:  # what one holds is confidential: a public audit cannot check it
        holding = state.holding(ctx, org, row.batch)
        if holding == 0:
            raise violation("not-holder", f"{org} holds none of batch {row.batch!r}", "body.batch")
        if withdrawn > holding:
            raise violation("withdrawn-exceeds-holding", f"{org} holds "
                            f"{format_quantity(holding)} of {row.batch!r}", "body.withdrawn")
    ctx.conn.execute(tables.recall_acks.insert().values(
        batch=row.batch, org=org, withdrawn=None if withdrawn is None else format_quantity(withdrawn),
        note=body.get("note"), ts=ctx.statement.ts_text, seq=ctx.seq))
