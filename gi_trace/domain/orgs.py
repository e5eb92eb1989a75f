"""Organisations as the GI domain sees them: names, roles, region, credit code."""

from __future__ import annotations

import json
from typing import Any

from gi_trace.domain import tables
from gi_trace.ledger.rules import AppendContext


def register(ctx: AppendContext, body: dict[str, Any]) -> None:
    # Who may register, and the keys, are the ledger's identity rule; this keeps the display data.
    ctx.conn.execute(tables.orgs.insert().values(
        org=body["org"], name_zh=body["name"]["zh"], name_en=body["name"]["en"],
        roles=json.dumps(sorted(body["roles"])), region=body.get("region"), uscc=body.get("uscc"),
        seq=ctx.seq))


def keys_changed(ctx: AppendContext, body: dict[str, Any]) -> None:
    """key.add / key.revoke: the ledger applies them; the body shape is checked on load."""
