"""Listing checks: a platform (or a regulator) puts a listing it found on the log.

The log keeps what was listed, by whom and when; the verdict (seller approved? codes
genuine?) is judged when it is read, from the state of the log and the scans then, so a
later suspension or a copied code shows on an old listing too.
"""

from __future__ import annotations

import json
from typing import Any

from gi_trace.domain import state, tables
from gi_trace.domain.violations import forbidden
from gi_trace.ledger.rules import AppendContext


def check(ctx: AppendContext, body: dict[str, Any]) -> None:
    actor, platform = ctx.statement.actor, body["platform"]
    state.require_org_role(ctx, platform, state.PLATFORM, "body.platform")
    if actor != platform and not state.is_regulator(ctx, actor):
        raise forbidden(f"a listing on {platform} is checked by {platform} or a regulator")
    state.product(ctx, body["product"], "body.product")
    state.require_new(ctx, tables.listings, body["check"], "body.check")
    codes = body.get("codes")
    ctx.conn.execute(tables.listings.insert().values(
        check=body["check"], platform=platform, url=body["url"], shop=body.get("shop"),
        seller_uscc=body.get("seller_uscc"), product=body["product"],
        codes=None if codes is None else json.dumps(codes), actor=actor,
        ts=ctx.statement.ts_text, seq=ctx.seq))
    ctx.readers.add(platform)
