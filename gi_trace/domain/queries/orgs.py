"""Organisations, their roles and public keys: who may sign, and with which keys.

Roles and keys come from the ledger's own tables (what the log enforces), the
display data (names, region, credit code) from the GI projection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.products import Name
from gi_trace.ledger import schema

REGULATOR = "regulator"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    pub: bytes
    added_seq: int
    revoked_ts: str | None
    revoked_seq: int | None

    @property
    def revoked(self) -> bool:
        return self.revoked_ts is not None


@dataclass(frozen=True)
class Org:
    org: str
    name: Name | None
    roles: list[str]
    region: str | None
    uscc: str | None
    seq: int
    keys: list[PublicKey]


@dataclass(frozen=True)
class KeyHolder:
    """Whose key a key id is, and whether it still signs: what authentication checks."""

    org: str
    pub: bytes
    revoked: bool


def _roles(*texts: str | None) -> list[str]:
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(json.loads(text))
    return sorted(found)


def _org_query() -> Any:
    o, d = schema.orgs.c, tables.orgs.c
    return (select(o.org, o.roles, o.seq, d.name_zh, d.name_en, d.roles.label("gi_roles"), d.region,
                   d.uscc)
            .select_from(schema.orgs.outerjoin(tables.orgs, d.org == o.org)))


def _keys(conn: Connection, org_ids: list[str]) -> dict[str, list[PublicKey]]:
    k = schema.keys.c
    found: dict[str, list[PublicKey]] = {org: [] for org in org_ids}
    rows = conn.execute(select(schema.keys).where(k.org.in_(org_ids)).order_by(k.added_seq, k.key_id))
    for row in rows:
        found[row.org].append(PublicKey(row.key_id, bytes(row.pub), row.added_seq, row.revoked_ts,
                                        row.revoked_seq))
    return found


def _org(row: Any, keys: list[PublicKey]) -> Org:
    name = Name(row.name_zh, row.name_en) if row.name_en is not None else None
    return Org(row.org, name, _roles(row.roles, row.gi_roles), row.region, row.uscc, row.seq, keys)


def list_orgs(conn: Connection, *, limit: int, after: str | None = None,
              role: str | None = None) -> Page[Org]:
    """Organisations by id, with their keys (an app verifying labels offline needs them all)."""
    o = schema.orgs.c
    query = _org_query().order_by(o.org).limit(limit + 1)
    if after is not None:
        query = query.where(o.org > after)
    if role is not None:
        query = query.where(o.roles.contains(json.dumps(role), autoescape=True))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.org))
    keys = _keys(conn, [row.org for row in rows])
    return Page([_org(row, keys[row.org]) for row in rows], next_)


def get_org(conn: Connection, org: str) -> Org | None:
    row = conn.execute(_org_query().where(schema.orgs.c.org == org)).first()
    return None if row is None else _org(row, _keys(conn, [org])[org])


def org_exists(conn: Connection, org: str) -> bool:
    return conn.execute(select(schema.orgs.c.org).where(schema.orgs.c.org == org)).first() is not None


def roles_of(conn: Connection, org: str) -> frozenset[str]:
    """The roles the ledger enforces, with any the GI projection adds; empty when unknown."""
    ledger = conn.scalar(select(schema.orgs.c.roles).where(schema.orgs.c.org == org))
    domain = conn.scalar(select(tables.orgs.c.roles).where(tables.orgs.c.org == org))
    return frozenset(_roles(ledger, domain))


def key_holder(conn: Connection, key_id: str) -> KeyHolder | None:
    k = schema.keys.c
    row = conn.execute(select(k.org, k.pub, k.revoked_ts).where(k.key_id == key_id)).first()
    return None if row is None else KeyHolder(row.org, bytes(row.pub), row.revoked_ts is not None)
