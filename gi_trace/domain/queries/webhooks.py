"""An organisation's webhook registrations, with the url only it reads."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables

_w = tables.webhooks.c


@dataclass(frozen=True)
class Registration:
    webhook: str
    url: str | None  # None in a database rebuilt from the public log alone
    events: list[str]
    seq: int
    removed_seq: int | None


def owner(conn: Connection, webhook: str) -> str | None:
    """The organisation that registered `webhook`, None if nobody did."""
    org: str | None = conn.scalar(select(_w.org).where(_w.webhook == webhook))
    return org


def registrations(conn: Connection, org: str) -> list[Registration]:
    """Every webhook `org` registered, removed ones too (their deliveries stay readable)."""
    rows = conn.execute(select(tables.webhooks).where(_w.org == org).order_by(_w.seq))
    return [Registration(row.webhook, row.url, json.loads(row.events), row.seq, row.removed_seq)
            for row in rows]
