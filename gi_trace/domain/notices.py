"""Takedown notices: a regulator or the GI's association asks a platform to take a listing
down by a deadline; the platform acknowledges, removes or disputes it, each step signed.

open → acknowledged → removed | disputed (or straight from open); removed and disputed
are final, so the time a platform took to answer is fixed on the log.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from gi_trace.domain import state, tables
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext
from gi_trace.ledger.statement import parse_ts

FINAL = frozenset({"removed", "disputed"})
_n = tables.notices.c


def send(ctx: AppendContext, body: dict[str, Any]) -> None:
    state.require_role(ctx, state.REGULATOR, state.ASSOCIATION)
    platform = body["platform"]
    state.require_org_role(ctx, platform, state.PLATFORM, "body.platform")
    if "listing" in body:
        listed_on = ctx.conn.scalar(select(tables.listings.c.platform)
                                    .where(tables.listings.c.check == body["listing"]))
        if listed_on is None:
            raise violation("unknown-listing", f"no listing check {body['listing']!r}",
                            "body.listing")
        if listed_on != platform:
            raise violation("wrong-platform", f"listing {body['listing']!r} is on {listed_on}, "
                            f"not {platform}", "body.platform")
    if parse_ts(body["deadline"], field="body.deadline") <= ctx.statement.ts:
        raise violation("deadline-passed", "the deadline must come after the notice",
                        "body.deadline")
    state.require_new(ctx, tables.notices, body["notice"], "body.notice")
    evidence = body.get("evidence")
    ctx.conn.execute(tables.notices.insert().values(
        notice=body["notice"], platform=platform, listing=body.get("listing"),
        url=body.get("url"), reason=body["reason"], detail=body.get("detail"),
        evidence=None if evidence is None else json.dumps(evidence, sort_keys=True),
        deadline=body["deadline"], sender=ctx.statement.actor, sent_ts=ctx.statement.ts_text,
        seq=ctx.seq, status="open"))
    ctx.readers.add(platform)


def answer(ctx: AppendContext, body: dict[str, Any]) -> None:
    row = ctx.conn.execute(select(tables.notices).where(_n.notice == body["notice"])).first()
    if row is None:
        raise violation("unknown-notice", f"no notice {body['notice']!r}", "body.notice")
    if ctx.statement.actor != row.platform:
        raise forbidden(f"notice {row.notice!r} is answered by {row.platform}")
    if row.status in FINAL:
        raise violation("notice-closed", f"notice {row.notice!r} was already {row.status}",
                        "body.notice")
    status, ts = body["status"], ctx.statement.ts_text
    if status == "acknowledged":
        if row.status == "acknowledged":
            raise violation("already-acknowledged", f"notice {row.notice!r} was acknowledged",
                            "body.status")
        values: dict[str, Any] = {"acknowledged_ts": ts}
    else:
        values = {"answered_ts": ts, "answer_reason": body.get("reason")}
    ctx.conn.execute(update(tables.notices).where(_n.notice == row.notice)
                     .values(status=status, answer_seq=ctx.seq, **values))
