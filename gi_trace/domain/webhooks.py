"""Webhook registrations: an organisation signs where the events that concern it are sent
(the deliveries themselves are the service's outbox, not the log)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from gi_trace.domain import state, tables
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

_w = tables.webhooks.c


def register(ctx: AppendContext, body: dict[str, Any]) -> None:
    if state.roles(ctx, ctx.statement.actor) is None:
        raise forbidden(f"{ctx.statement.actor} is not a registered organisation")
    state.require_new(ctx, tables.webhooks, body["webhook"], "body.webhook")
    ctx.conn.execute(tables.webhooks.insert().values(
        webhook=body["webhook"], org=ctx.statement.actor, url=body.get("url"),
        events=json.dumps(sorted(body["events"])), seq=ctx.seq))


def remove(ctx: AppendContext, body: dict[str, Any]) -> None:
    owner = ctx.conn.scalar(select(_w.org).where((_w.webhook == body["webhook"])
                                                 & _w.removed_seq.is_(None)))
    if owner is None:
        raise violation("unknown-webhook", f"no webhook {body['webhook']!r}", "body.webhook")
    if owner != ctx.statement.actor:
        raise forbidden(f"webhook {body['webhook']!r} is {owner}'s")
    ctx.conn.execute(update(tables.webhooks).where(_w.webhook == body["webhook"])
                     .values(removed_seq=ctx.seq))
