"""Reporter rewards: a regulator rewards a counterfeit report once a case built on it closed
confirmed. The report's reporter has no account: the reward is claimed with the receipt
code the report returned (`gi_trace.labels.reports`), which never enters the log."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from gi_trace.domain import state, tables
from gi_trace.domain.quantity import format_quantity
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def grant(ctx: AppendContext, body: dict[str, Any]) -> None:
    state.require_role(ctx, state.REGULATOR)
    case = ctx.conn.execute(select(tables.cases).where(tables.cases.c.case == body["case"])).first()
    if case is None:
        raise violation("unknown-case", f"no case {body['case']!r}", "body.case")
    if case.outcome != "confirmed":
        raise violation("case-not-confirmed", f"case {case.case!r} is "
                        f"{case.outcome or case.status}, not closed confirmed", "body.case")
    if body["report"] not in json.loads(case.sources).get("reports", []):
        raise violation("report-not-in-case", f"case {case.case!r} was not built on report "
                        f"{body['report']!r}", "body.report")
    r = tables.rewards.c
    if ctx.conn.execute(select(r.reward).where(r.report == body["report"])).first():
        raise violation("already-rewarded", f"report {body['report']!r} was already rewarded",
                        "body.report")
    state.require_new(ctx, tables.rewards, body["reward"], "body.reward")
    ctx.conn.execute(tables.rewards.insert().values(
        reward=body["reward"], report=body["report"], case=case.case,
        amount=format_quantity(body["amount"]), regulator=ctx.statement.actor,
        ts=ctx.statement.ts_text, seq=ctx.seq))
