"""Who may sign: organisations and their keys, entered as statements.

`org.register`, `key.add` and `key.revoke` are the only statement types the
ledger itself understands. The trust roots (the regulators named in config)
register themselves first, self-signed: the genesis. Every later organisation is
registered by an org holding the authority role.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from . import schema
from .errors import ConflictError, MalformedError, RefusedError
from .keys import decode_public_key, key_id
from .rules import AppendContext
from .statement import ID_PATTERN, KEY_ID_PATTERN, Envelope, Statement

AUTHORITY_ROLE = "regulator"
ORG_REGISTER, KEY_ADD, KEY_REVOKE = "org.register", "key.add", "key.revoke"
IDENTITY_TYPES = frozenset({ORG_REGISTER, KEY_ADD, KEY_REVOKE})
MAX_KEYS = 16

# Built once: constructing SQLAlchemy statements per call costs more than running them.
_KEY = select(schema.keys).where(schema.keys.c.key_id == bindparam("kid"))
_ROLES = select(schema.orgs.c.roles).where(schema.orgs.c.org == bindparam("org"))
_ADD_KEY = schema.keys.insert()


@dataclass(frozen=True)
class TrustRoots:
    """The out-of-band regulators: org id → the key ids allowed to self-register it."""

    orgs: Mapping[str, frozenset[str]]

    @classmethod
    def from_genesis(cls, envelopes: Iterable[Envelope]) -> TrustRoots:
        orgs: dict[str, frozenset[str]] = {}
        for envelope in envelopes:
            statement = envelope.statement
            if not is_self_registration(statement):
                raise MalformedError("a genesis entry must be a self-signed org.register",
                                     code="bad-genesis")
            orgs[statement.actor] = frozenset({statement.key})
        return cls(orgs)

    def allows(self, org: str, key: str) -> bool:
        return key in self.orgs.get(org, frozenset())


def is_self_registration(statement: Statement) -> bool:
    """An org.register signed by the org it registers: the only statement a genesis may hold."""
    return statement.type == ORG_REGISTER and statement.body.get("org") == statement.actor


@dataclass(frozen=True)
class KeyRow:
    org: str
    pub: bytes
    revoked_ts: str | None


def introduced_keys(statement: Statement) -> list[bytes]:
    """Public keys that a statement brings into the log (so later ones in a batch can use them)."""
    body = statement.body
    candidates: list[Any] = []
    if statement.type == ORG_REGISTER and isinstance(body.get("keys"), list):
        candidates = body["keys"]
    elif statement.type == KEY_ADD:
        candidates = [body.get("pub")]
    found = []
    for text in candidates:
        try:
            found.append(decode_public_key(text))
        except MalformedError:
            continue
    return found


def stored_public_keys(conn: Connection, key_ids: Iterable[str]) -> dict[str, bytes]:
    """The registered public keys among `key_ids`. A key id names one key forever (it is the
    key's hash), so callers may cache the answer and need no lock to ask."""
    k = schema.keys.c
    return {row.key_id: bytes(row.pub)
            for row in conn.execute(select(k.key_id, k.pub).where(k.key_id.in_(set(key_ids))))}


class Identity:
    """The rule for identity statements, and the check of every statement's author key."""

    types = IDENTITY_TYPES

    def __init__(self, roots: TrustRoots) -> None:
        self.roots = roots

    # -- lookups, memoised for the transaction ------------------------------------------
    def _key(self, ctx: AppendContext, kid: str) -> KeyRow | None:
        cache = ctx.cache.setdefault("identity.keys", {})
        if kid not in cache:
            row = ctx.conn.execute(_KEY, {"kid": kid}).first()
            cache[kid] = KeyRow(row.org, bytes(row.pub), row.revoked_ts) if row else None
        result: KeyRow | None = cache[kid]
        return result

    def roles(self, ctx: AppendContext, org: str) -> frozenset[str] | None:
        cache = ctx.cache.setdefault("identity.roles", {})
        if org not in cache:
            row = ctx.conn.execute(_ROLES, {"org": org}).first()
            cache[org] = frozenset(json.loads(row.roles)) if row else None
        result: frozenset[str] | None = cache[org]
        return result

    def _forget(self, ctx: AppendContext, kid: str | None = None, org: str | None = None) -> None:
        ctx.cache.setdefault("identity.keys", {}).pop(kid, None)
        ctx.cache.setdefault("identity.roles", {}).pop(org, None)

    # -- the author's key ----------------------------------------------------------------
    def is_genesis(self, statement: Statement) -> bool:
        """A trust root's self-signed registration, signed out of band and possibly long ago."""
        return is_self_registration(statement) and self.roots.allows(statement.actor, statement.key)

    def authorize(self, ctx: AppendContext, pub: bytes) -> None:
        """Refuse a statement whose key is unknown, not the actor's, or revoked.

        A revocation in the log ends the key whatever `ts` a later statement claims: a
        stolen key could otherwise keep signing, dated just before its revocation, for as
        long as the clock window lasts."""
        statement = ctx.statement
        row = self._key(ctx, statement.key)
        if row is None:
            if self.is_genesis(statement) and self.roles(ctx, statement.actor) is None:
                return
            raise RefusedError("unknown key", field="statement.key", code="unknown-key")
        if row.org != statement.actor:
            raise RefusedError(f"key belongs to {row.org!r}, not to the actor",
                               field="statement.key", code="key-not-owned")
        if row.pub != pub:
            raise RefusedError("key id does not match its public key", field="statement.key",
                               code="unknown-key")
        if row.revoked_ts is not None:
            raise RefusedError(f"key revoked at {row.revoked_ts}", field="statement.key",
                               code="key-revoked")

    def is_authority(self, ctx: AppendContext, org: str) -> bool:
        return AUTHORITY_ROLE in (self.roles(ctx, org) or ())

    # -- the identity statements -----------------------------------------------------------
    def apply(self, ctx: AppendContext) -> None:
        handler = {ORG_REGISTER: self._register, KEY_ADD: self._add, KEY_REVOKE: self._revoke}
        if ctx.statement.type in handler:
            handler[ctx.statement.type](ctx)

    def _register(self, ctx: AppendContext) -> None:
        statement, body = ctx.statement, ctx.statement.body
        org = _id(body, "org")
        if not self.is_genesis(statement) and not self.is_authority(ctx, statement.actor):
            raise RefusedError("only a regulator may register an organisation",
                               field="statement.actor", code="not-authorized")
        if self.roles(ctx, org) is not None:
            raise ConflictError(f"organisation {org!r} already registered", field="body.org",
                                code="duplicate-id")
        roles = body.get("roles")
        if (not isinstance(roles, list) or not roles
                or not all(isinstance(r, str) and r for r in roles) or len(set(roles)) != len(roles)):
            raise MalformedError("must be a non-empty list of distinct role names",
                                 field="body.roles", code="bad-format")
        pubs = body.get("keys")
        if not isinstance(pubs, list) or not 1 <= len(pubs) <= MAX_KEYS:
            raise MalformedError(f"must be a list of 1 to {MAX_KEYS} public keys",
                                 field="body.keys", code="bad-format")
        ctx.conn.execute(schema.orgs.insert().values(org=org, roles=json.dumps(sorted(roles)),
                                                     seq=ctx.seq))
        self._forget(ctx, org=org)
        for i, text in enumerate(pubs):
            self._insert_key(ctx, org, decode_public_key(text, field=f"body.keys[{i}]"),
                             f"body.keys[{i}]")

    def _insert_key(self, ctx: AppendContext, org: str, pub: bytes, where: str) -> None:
        kid = key_id(pub)
        if self._key(ctx, kid) is not None:
            raise ConflictError("key already registered", field=where, code="duplicate-key")
        ctx.conn.execute(_ADD_KEY, {"key_id": kid, "org": org, "pub": pub, "added_seq": ctx.seq,
                                    "revoked_ts": None, "revoked_seq": None})
        self._forget(ctx, kid=kid)

    def _may_manage(self, ctx: AppendContext, org: str) -> None:
        if self.roles(ctx, org) is None:
            raise RefusedError(f"unknown organisation {org!r}", field="body.org",
                               code="unknown-org")
        if ctx.statement.actor != org and not self.is_authority(ctx, ctx.statement.actor):
            raise RefusedError("only the organisation itself or a regulator may manage its keys",
                               field="statement.actor", code="not-authorized")

    def _add(self, ctx: AppendContext) -> None:
        org = _id(ctx.statement.body, "org")
        self._may_manage(ctx, org)
        body = ctx.statement.body
        self._insert_key(ctx, org, decode_public_key(body.get("pub"), field="body.pub"), "body.pub")

    def _revoke(self, ctx: AppendContext) -> None:
        body = ctx.statement.body
        org = _id(body, "org")
        self._may_manage(ctx, org)
        kid = body.get("key")
        if not isinstance(kid, str) or not KEY_ID_PATTERN.fullmatch(kid):
            raise MalformedError("must be a key id (64 hex digits)", field="body.key",
                                 code="bad-format")
        row = self._key(ctx, kid)
        if row is None or row.org != org:
            raise RefusedError("no such key for this organisation", field="body.key",
                               code="unknown-key")
        if row.revoked_ts is not None:
            raise ConflictError("key already revoked", field="body.key", code="already-revoked")
        ctx.conn.execute(schema.keys.update().where(schema.keys.c.key_id == kid)
                         .values(revoked_ts=ctx.statement.ts_text, revoked_seq=ctx.seq))
        self._forget(ctx, kid=kid)


def _id(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise MalformedError("must be an id matching [A-Za-z0-9._-]{1,64}", field=f"body.{name}",
                             code="bad-format")
    return value
