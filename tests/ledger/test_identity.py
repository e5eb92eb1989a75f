"""Organisations and keys as statements, checked by `Log.append` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from gi_trace.ledger import keys, schema
from gi_trace.ledger.audit import AuditResult
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.errors import ConflictError, LedgerError, MalformedError, RefusedError
from gi_trace.ledger.identity import TrustRoots
from gi_trace.ledger.log import Log
from gi_trace.ledger.merkle import root_of
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.record import Record
from gi_trace.ledger.statement import Envelope, Statement, format_ts
from gi_trace.migrate import upgrade
from gi_trace.service import Service, audit_log
from tests.module_service import module_service
from tests.support import Actor
from tests.tampering import rechain


@dataclass
class World:
    """A log with its genesis regulator and two producers it registered."""

    service: Service
    regulator: Actor
    producer: Actor
    other: Actor

    @property
    def log(self) -> Log:
        return self.service.log

    @property
    def engine(self) -> Engine:
        return self.service.engine


def populate(service: Service, regulator: Actor) -> World:
    producer, other = Actor("wuchang-coop"), Actor("other-coop")
    service.log.append([regulator.register(producer, ["producer"]),
                        regulator.register(other, ["producer"])])
    return World(service, regulator, producer, other)


@pytest.fixture
def world(any_service: Service, regulator: Actor) -> World:
    return populate(any_service, regulator)


SHARED_SCHEMA = "test_identity_shared"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_world(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world per database for the long tables. A refusal writes nothing (the test
    asserts it) and every other case works on organisations of its own."""
    regulator = Actor("cnipa")
    with module_service(request, tmp_path_factory, SHARED_SCHEMA, regulator) as service:
        yield populate(service, regulator)


def clocked(service: Service, moment: datetime) -> Log:
    """The service's log, seen from a server whose clock reads `moment`."""
    log = service.log
    return Log(log.engine, log.signer, log.identity.roots, log.rules, window=log.window,
               clock=lambda: moment)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


def key_row(engine: Engine, kid: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(schema.keys).where(schema.keys.c.key_id == kid)).first()


def org_row(engine: Engine, org: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(schema.orgs).where(schema.orgs.c.org == org)).first()


def key_add(signer: Actor, org: str, pub: str, **kw: Any) -> Envelope:
    return signer.sign("key.add", {"org": org, "pub": pub, "reason": "rotation"}, **kw)


def key_revoke(signer: Actor, org: str, kid: str, **kw: Any) -> Envelope:
    return signer.sign("key.revoke", {"org": org, "key": kid, "reason": "lost laptop"}, **kw)


def register_body(org: str, roles: list[str], pubs: list[str]) -> dict[str, Any]:
    return {"org": org, "name": {"en": org}, "roles": roles, "keys": pubs}


# --- genesis -------------------------------------------------------------------------------


def test_genesis_is_the_first_record(any_service: Service, regulator: Actor) -> None:
    log = any_service.log
    assert log.size() == 1
    (record,) = log.entries(0, 10)
    statement = Statement.from_bytes(record.statement)
    assert (statement.type, statement.actor, statement.key) == ("org.register", "cnipa",
                                                                 regulator.key_id)
    assert statement.body["org"] == "cnipa"
    row = org_row(any_service.engine, "cnipa")
    assert (json.loads(row.roles), row.seq) == (["regulator"], 0)
    assert key_row(any_service.engine, regulator.key_id).org == "cnipa"


def test_genesis_of_several_roots_may_be_old(database_url: str) -> None:
    """Regulators sign their genesis once, out of band: an old ts does not stop it."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        old = datetime.now(UTC) - timedelta(days=400)
        roots = [Actor("cnipa"), Actor("samr")]
        genesis = [r.sign("org.register", register_body(r.org, ["regulator"], [r.pub]), ts=old)
                   for r in roots]
        log = Log(engine, NoteSigner("test.gi-trace/log", keys.generate()),
                  TrustRoots.from_genesis(genesis))
        assert [r.seq for r in log.append(genesis)] == [0, 1]
        # Either root, now registered, may register an organisation.
        log.append([roots[1].register(Actor("coop"), ["producer"])])
        assert log.size() == 3
        # Only the genesis is exempt from the clock: the same root's other old statements are not.
        with pytest.raises(RefusedError) as info:
            log.append([roots[0].note(ts=old)])
        assert (info.value.code, info.value.index) == ("stale-timestamp", 0)
    finally:
        engine.dispose()


# --- refusals ------------------------------------------------------------------------------

def _register_with_keys(w: World, pubs: list[str], org: str = "new-coop",
                        roles: list[str] | None = None) -> list[Envelope]:
    return [w.regulator.sign("org.register", register_body(org, roles or ["producer"], pubs))]


Build = Callable[[World, Actor], list[Envelope]]
REFUSALS: list[tuple[str, Build, type[LedgerError], str, str | None, int]] = [
    ("genesis-by-non-root", lambda w, n: [Actor("rogue").register_self()],
     RefusedError, "unknown-key", "statement.key", 0),
    ("genesis-by-non-root-claiming-root-org", lambda w, n: [Actor("cnipa").register_self()],
     RefusedError, "unknown-key", "statement.key", 0),
    ("genesis-by-non-root-after-valid-one", lambda w, n: [w.producer.note(), Actor("rogue").register_self()],
     RefusedError, "unknown-key", "statement.key", 1),
    ("root-registers-itself-again", lambda w, n: [w.regulator.register_self()],
     ConflictError, "duplicate-id", "body.org", 0),
    ("register-by-producer", lambda w, n: [w.producer.register(n, ["producer"])],
     RefusedError, "not-authorized", "statement.actor", 0),
    ("register-self-by-producer", lambda w, n: [w.producer.register(Actor("wuchang-2"), ["regulator"])],
     RefusedError, "not-authorized", "statement.actor", 0),
    ("duplicate-org", lambda w, n: [w.regulator.register(Actor("wuchang-coop"), ["producer"])],
     ConflictError, "duplicate-id", "body.org", 0),
    ("duplicate-org-in-one-group", lambda w, n: [w.regulator.register(n, ["producer"]),
                                              w.regulator.register(Actor("new-coop"), ["retailer"])],
     ConflictError, "duplicate-id", "body.org", 1),
    ("duplicate-key-of-other-org", lambda w, n: _register_with_keys(w, [w.producer.pub]),
     ConflictError, "duplicate-key", "body.keys[0]", 0),
    ("duplicate-key-in-one-register", lambda w, n: _register_with_keys(w, [n.pub, n.pub]),
     ConflictError, "duplicate-key", "body.keys[1]", 0),
    ("duplicate-key-add", lambda w, n: [key_add(w.producer, "wuchang-coop", w.other.pub)],
     ConflictError, "duplicate-key", "body.pub", 0),
    ("register-empty-roles", lambda w, n: _register_with_keys(w, [n.pub], roles=[""]),
     MalformedError, "bad-format", "body.roles", 0),
    ("register-repeated-role",
     lambda w, n: _register_with_keys(w, [n.pub], roles=["producer", "producer"]),
     MalformedError, "bad-format", "body.roles", 0),
    ("register-no-keys", lambda w, n: _register_with_keys(w, []),
     MalformedError, "bad-format", "body.keys", 0),
    ("register-17-keys", lambda w, n: _register_with_keys(w, [Actor(str(i)).pub for i in range(17)]),
     MalformedError, "bad-format", "body.keys", 0),
    ("register-bad-key", lambda w, n: _register_with_keys(w, ["not a key"]),
     MalformedError, "bad-base64", "body.keys[0]", 0),
    ("register-bad-org-id", lambda w, n: _register_with_keys(w, [n.pub], org="new coop"),
     MalformedError, "bad-format", "body.org", 0),
    ("register-org-id-trailing-newline", lambda w, n: _register_with_keys(w, [n.pub], org="wuchang-coop\n"),
     MalformedError, "bad-format", "body.org", 0),
    ("key-add-by-other-org", lambda w, n: [key_add(w.other, "wuchang-coop", n.pub)],
     RefusedError, "not-authorized", "statement.actor", 0),
    ("key-add-for-unknown-org", lambda w, n: [key_add(w.regulator, "nobody", n.pub)],
     RefusedError, "unknown-org", "body.org", 0),
    ("key-add-bad-pub", lambda w, n: [key_add(w.producer, "wuchang-coop", "not a key")],
     MalformedError, "bad-base64", "body.pub", 0),
    ("key-revoke-by-other-org", lambda w, n: [key_revoke(w.other, "wuchang-coop", w.producer.key_id)],
     RefusedError, "not-authorized", "statement.actor", 0),
    ("key-revoke-unknown-key", lambda w, n: [key_revoke(w.producer, "wuchang-coop", "0" * 64)],
     RefusedError, "unknown-key", "body.key", 0),
    ("key-revoke-key-of-other-org", lambda w, n: [key_revoke(w.producer, "wuchang-coop", w.other.key_id)],
     RefusedError, "unknown-key", "body.key", 0),
    ("key-revoke-bad-key-id", lambda w, n: [key_revoke(w.producer, "wuchang-coop", "ABC")],
     MalformedError, "bad-format", "body.key", 0),
    ("key-revoke-twice", lambda w, n: [key_revoke(w.regulator, "wuchang-coop", w.producer.key_id),
                                    key_revoke(w.regulator, "wuchang-coop", w.producer.key_id)],
     ConflictError, "already-revoked", "body.key", 1),
    ("key-not-owned", lambda w, n: [Actor("other-coop", w.producer.key).note()],
     RefusedError, "key-not-owned", "statement.key", 0),
    ("key-not-owned-by-unregistered-actor", lambda w, n: [Actor("ghost", w.producer.key).note()],
     RefusedError, "key-not-owned", "statement.key", 0),
    ("regulator-key-used-by-producer", lambda w, n: [Actor("wuchang-coop", w.regulator.key).note()],
     RefusedError, "key-not-owned", "statement.key", 0),
    ("unknown-key", lambda w, n: [Actor("wuchang-coop").note()],
     RefusedError, "unknown-key", "statement.key", 0),
    ("statement-before-its-org-in-group", lambda w, n: [n.note(), w.regulator.register(n, ["producer"])],
     RefusedError, "unknown-key", "statement.key", 0),
    ("statement-before-its-key-add-in-group",
     lambda w, n: [Actor("wuchang-coop", n.key).note(), key_add(w.producer, "wuchang-coop", n.pub)],
     RefusedError, "unknown-key", "statement.key", 0),
    ("bad-item-after-good-register",
     lambda w, n: [w.regulator.register(n, ["producer"]), n.note(), w.producer.register(Actor("x"), ["x"])],
     RefusedError, "not-authorized", "statement.actor", 2),
    ("unknown-type-after-good-register",
     lambda w, n: [w.regulator.register(n, ["producer"]), n.note(), n.sign("test.note", {"n": 1})],
     MalformedError, "unknown-type", "statement.type", 2),
    ("unknown-type-by-regulator", lambda w, n: [w.regulator.sign("org.deregister", {"org": "wuchang-coop"})],
     MalformedError, "unknown-type", "statement.type", 0),
]


@pytest.mark.parametrize(("build", "error", "code", "field", "index"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_append_refuses(shared_world: World, build: Callable[[World, Actor], list[Envelope]],
                        error: type[LedgerError], code: str, field: str | None, index: int) -> None:
    world = shared_world
    if world.service.engine.dialect.name == "postgresql":
        with world.engine.connect() as conn:  # the cases really run in the dedicated schema
            assert conn.scalar(text("SELECT current_schema()")) == SHARED_SCHEMA
    # A fresh "new-coop" per case: even a case that wrongly succeeds cannot spill into the next.
    envelopes = build(world, Actor("new-coop"))
    before = (world.log.size(), count(world.engine, schema.records), count(world.engine, schema.orgs),
              count(world.engine, schema.keys), world.log.checkpoint())
    with pytest.raises(error) as info:
        world.log.append(envelopes)
    assert type(info.value) is error
    assert (info.value.code, info.value.field, info.value.index) == (code, field, index)
    # All or nothing: no record, org, key or checkpoint was written.
    assert before == (world.log.size(), count(world.engine, schema.records),
                      count(world.engine, schema.orgs), count(world.engine, schema.keys),
                      world.log.checkpoint())
    assert org_row(world.engine, "new-coop") is None


# --- keys added and revoked ----------------------------------------------------------------


@pytest.mark.parametrize("by", ["self", "regulator"])
def test_key_add_accepted_and_new_key_signs(world: World, by: str) -> None:
    signer = world.producer if by == "self" else world.regulator
    second = Actor("wuchang-coop")
    (record,) = world.log.append([key_add(signer, "wuchang-coop", second.pub)])
    row = key_row(world.engine, second.key_id)
    assert (row.org, bytes(row.pub), row.added_seq, row.revoked_ts) == (
        "wuchang-coop", keys.public_bytes(second.key), record.seq, None)
    # Both the new and the old key now sign for the organisation.
    world.log.append([second.note(1), world.producer.note(2)])


def test_regulator_registered_by_root_has_authority(world: World) -> None:
    deputy, new = Actor("heilongjiang-gi"), Actor("new-coop")
    world.log.append([world.regulator.register(deputy, ["regulator"])])
    world.log.append([deputy.register(new, ["producer"]), key_add(deputy, "wuchang-coop", Actor("x").pub)])
    assert json.loads(org_row(world.engine, "new-coop").roles) == ["producer"]


@pytest.mark.parametrize("offset", [
    timedelta(seconds=1),
    timedelta(0),
    timedelta(minutes=4),
    -timedelta(seconds=1),
    -timedelta(minutes=4),
], ids=["one-second-after", "same-second", "four-minutes-after", "one-second-before",
        "four-minutes-before"])
def test_a_revoked_key_signs_nothing_more_whatever_its_ts(shared_world: World,
                                                           offset: timedelta) -> None:
    """Dated before its revocation and inside the clock window, a statement by a revoked key
    is still refused: the revocation is in the log, so the key is done."""
    world = shared_world
    org = Actor(f"revoking-{secrets.token_hex(4)}")
    t0 = now()
    log = clocked(world.service, t0)
    log.append([world.regulator.register(org, ["producer"])])
    (revocation,) = log.append([key_revoke(org, org.org, org.key_id, ts=t0)])
    row = key_row(world.engine, org.key_id)
    assert (row.revoked_ts, row.revoked_seq) == (format_ts(t0), revocation.seq)
    size = log.size()
    with pytest.raises(RefusedError, match="key revoked at") as info:
        log.append([org.note(1, ts=t0 + offset)])
    assert (info.value.code, info.value.field, info.value.index) == ("key-revoked", "statement.key", 0)
    assert log.size() == size


@dataclass
class Listed:
    """A log handed to the audit as a list: its records and one signed checkpoint."""

    stored: list[Record]
    checkpoint: str

    def latest_checkpoint(self) -> str:
        return self.checkpoint

    def records(self) -> Iterator[Record]:
        return iter(self.stored)

    def checkpoints(self) -> list[tuple[int, str]]:
        return []

    def sidecars(self) -> None:
        return None


def test_the_audit_refuses_a_revoked_key_signing_before_its_revocation(world: World) -> None:
    """A log whose operator (a server older than this rule) took a statement by a revoked
    key, dated before the revocation, fails its audit at that statement."""
    t0 = now()
    log = clocked(world.service, t0)
    log.append([world.producer.note(1, ts=t0 - timedelta(minutes=1))])
    log.append([key_revoke(world.regulator, "wuchang-coop", world.producer.key_id, ts=t0)])
    honest = log.entries(0, log.size())
    backdated = rechain([*honest[:-2], honest[-1], honest[-2]])  # the note after the revocation

    def audited(records: list[Record]) -> AuditResult:
        root = root_of([record.leaf_hash for record in records])
        checkpoint = Checkpoint(log.origin, len(records), root).sign(log.signer)
        return audit_log(Listed(records, checkpoint), log.signer.verifier(), world.service.genesis)

    assert audited(honest), "the log as appended passes"
    failure = audited(backdated).failure
    assert failure is not None
    assert (failure.seq, failure.code) == (len(backdated) - 1, "key-revoked")


def test_key_revoked_by_regulator_cannot_sign_or_manage_keys(world: World) -> None:
    t0 = now()
    log = clocked(world.service, t0)
    log.append([key_revoke(world.regulator, "wuchang-coop", world.producer.key_id, ts=t0)])
    with pytest.raises(RefusedError) as info:
        log.append([world.producer.note(ts=t0 + timedelta(seconds=1))])
    assert (info.value.code, info.value.index) == ("key-revoked", 0)
    with pytest.raises(RefusedError) as info:
        log.append([key_add(world.producer, "wuchang-coop", Actor("x").pub,
                            ts=t0 + timedelta(seconds=1))])
    assert (info.value.code, info.value.index) == ("key-revoked", 0)
    # The regulator can still give the organisation a new key, which then signs.
    fresh = Actor("wuchang-coop")
    log.append([key_add(world.regulator, "wuchang-coop", fresh.pub, ts=t0)])
    log.append([fresh.note(ts=t0 + timedelta(seconds=2))])


def test_revocation_then_use_in_one_group_is_refused(world: World) -> None:
    t0 = now()
    log = clocked(world.service, t0)
    size = log.size()
    with pytest.raises(RefusedError) as info:
        log.append([key_revoke(world.producer, "wuchang-coop", world.producer.key_id, ts=t0),
                    world.producer.note(ts=t0 + timedelta(seconds=1))])
    assert (info.value.code, info.value.index) == ("key-revoked", 1)
    assert log.size() == size
    assert key_row(world.engine, world.producer.key_id).revoked_ts is None


def test_revoked_root_key_cannot_sign_backdated_statements(world: World) -> None:
    """A stolen, revoked trust-root key must not sign again by putting `ts` before its revocation."""
    t0 = now()
    log = clocked(world.service, t0)
    replacement = Actor("cnipa")
    log.append([key_add(world.regulator, "cnipa", replacement.pub, ts=t0)])
    log.append([key_revoke(replacement, "cnipa", world.regulator.key_id, ts=t0)])
    size = log.size()
    backdated = world.regulator.register(Actor("fake-coop"), ["producer"])
    backdated = world.regulator.sign("org.register", backdated.statement.body,
                                     ts=t0 - timedelta(hours=1))
    with pytest.raises(RefusedError) as info:
        log.append([backdated])
    assert info.value.code in {"stale-timestamp", "key-revoked"}
    assert info.value.index == 0
    assert log.size() == size
    assert org_row(world.engine, "fake-coop") is None


# --- group append with identity ------------------------------------------------------------


def test_group_registers_an_org_and_uses_its_key(world: World) -> None:
    start = world.log.size()
    new, second = Actor("new-coop"), Actor("new-coop")
    sent = [
        world.regulator.register(new, ["producer", "distributor"]),
        new.note(0),
        key_add(new, "new-coop", second.pub),
        second.note(1),
        new.note(2),
    ]
    records = world.log.append(sent)
    assert [r.seq for r in records] == list(range(start, start + 5))
    assert [r.statement for r in records] == [e.statement.canonical for e in sent]
    statements = [Statement.from_bytes(r.statement) for r in records]
    assert [(s.type, s.actor, s.key) for s in statements] == [
        ("org.register", "cnipa", world.regulator.key_id), ("key.add", "new-coop", new.key_id),
        ("key.add", "new-coop", new.key_id), ("key.add", "new-coop", second.key_id),
        ("key.add", "new-coop", new.key_id)]
    row = org_row(world.engine, "new-coop")
    assert (json.loads(row.roles), row.seq) == (["distributor", "producer"], start)
    assert key_row(world.engine, new.key_id).added_seq == start
    assert key_row(world.engine, second.key_id).added_seq == start + 2
