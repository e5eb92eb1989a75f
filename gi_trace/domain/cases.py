"""Cases across regions: a regulator opens a case from reports, listings or notices, may
transfer it to another region's regulator (a clue transfer), who accepts it (recognising
the evidence) or returns it; the regulator holding it closes it with an outcome.

open ⇄ transferring (accept moves the case, return keeps it) → closed, which is final.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, select, update

from gi_trace.domain import state, tables
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

_c, _o = tables.cases.c, tables.orgs.c


def _case(ctx: AppendContext, case_id: str) -> Row[Any]:
    row = ctx.conn.execute(select(tables.cases).where(_c.case == case_id)).first()
    if row is None:
        raise violation("unknown-case", f"no case {case_id!r}", "body.case")
    if row.status == "closed":
        raise violation("case-closed", f"case {case_id!r} was closed ({row.outcome})",
                        "body.case")
    return row


def _region(ctx: AppendContext, org: str) -> str | None:
    region: str | None = ctx.conn.scalar(select(_o.region).where(_o.org == org))
    return region


def _step(ctx: AppendContext, case_id: str, to: str | None = None, **values: Any) -> None:
    if values:
        ctx.conn.execute(update(tables.cases).where(_c.case == case_id).values(**values))
    ctx.conn.execute(tables.case_events.insert().values(
        case=case_id, seq=ctx.seq, type=ctx.statement.type, actor=ctx.statement.actor, to=to,
        ts=ctx.statement.ts_text))


def open_(ctx: AppendContext, body: dict[str, Any]) -> None:
    state.require_role(ctx, state.REGULATOR)
    state.product(ctx, body["product"], "body.product")
    state.require_new(ctx, tables.cases, body["case"], "body.case")
    sources = body["sources"]
    for kind, table in (("listings", tables.listings), ("notices", tables.notices)):
        key = table.primary_key.columns.values()[0]
        for index, ref in enumerate(sources.get(kind, [])):
            if ctx.conn.execute(select(key).where(key == ref)).first() is None:
                raise violation(f"unknown-{kind[:-1]}", f"no {kind[:-1]} {ref!r}",
                                f"body.sources.{kind}[{index}]")
    actor = ctx.statement.actor
    ctx.conn.execute(tables.cases.insert().values(
        case=body["case"], product=body["product"], sources=json.dumps(sources, sort_keys=True),
        summary=body.get("summary"), opened_by=actor, holder=actor, pending_to=None,
        status="open", outcome=None, published=False, public_summary=None,
        opened_ts=ctx.statement.ts_text, closed_ts=None, seq=ctx.seq))
    _step(ctx, body["case"])


def _held_by_author(ctx: AppendContext, row: Row[Any]) -> None:
    if ctx.statement.actor != row.holder:
        raise forbidden(f"case {row.case!r} is handled by {row.holder}")
    if row.status == "transferring":
        raise violation("transfer-pending", f"case {row.case!r} awaits {row.pending_to}'s answer",
                        "body.case")


def transfer(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = _case(ctx, body["case"])
    _held_by_author(ctx, row)
    to = body["to"]
    state.require_org_role(ctx, to, state.REGULATOR, "body.to")
    if to == row.holder or _region(ctx, to) == _region(ctx, row.holder):
        raise violation("same-region", f"{to} is in {row.holder}'s own region: a case is "
                        "transferred to another region's regulator", "body.to")
    _step(ctx, row.case, to, status="transferring", pending_to=to)


def _pending_for_author(ctx: AppendContext, body: dict[str, Any]) -> Row[Any]:
    row = _case(ctx, body["case"])
    if row.status != "transferring":
        raise violation("no-transfer", f"case {row.case!r} is not being transferred",
                        "body.case")
    if ctx.statement.actor != row.pending_to:
        raise forbidden(f"case {row.case!r} is transferred to {row.pending_to}")
    return row


def accept(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = _pending_for_author(ctx, body)
    _step(ctx, row.case, status="open", pending_to=None, holder=ctx.statement.actor)


def return_(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = _pending_for_author(ctx, body)
    _step(ctx, row.case, row.holder, status="open", pending_to=None)


def close(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = _case(ctx, body["case"])
    _held_by_author(ctx, row)
    _step(ctx, row.case, status="closed", outcome=body["outcome"],
          published=bool(body.get("publish")), public_summary=body.get("summary"),
          closed_ts=ctx.statement.ts_text)
