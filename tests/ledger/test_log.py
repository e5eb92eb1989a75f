"""The log on SQLite and PostgreSQL: hash chain, Merkle tree, checkpoints, proofs, append rules.

Every hash is recomputed here with hashlib alone (RFC 6962 and DESIGN.md), never
with the ledger's own helpers, so a shared mistake cannot hide.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from gi_trace.ledger import keys, merkle, schema
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.errors import (
    ConflictError,
    LedgerError,
    MalformedError,
    RefusedError,
    VerificationError,
)
from gi_trace.ledger.log import MAX_BATCH, Log
from gi_trace.ledger.note import NoteSigner, NoteVerifier
from gi_trace.ledger.record import Record
from gi_trace.ledger.statement import Envelope, Statement, format_ts
from gi_trace.service import Service
from tests.module_service import module_service
from tests.support import Actor

# --- independent RFC 6962 ------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc6962_leaf(signature: bytes, statement: bytes) -> bytes:
    return sha256(b"\x00" + signature + statement)


def rfc6962_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 §2.1, literally: split at the largest power of two below n."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:]))


# --- helpers -------------------------------------------------------------------------------


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


def state(service: Service) -> tuple[Any, ...]:
    """Everything an append writes, so a refused append can be shown to have written nothing."""
    engine = service.engine
    return (service.log.size(), service.log.checkpoint(), count(engine, schema.records),
            count(engine, schema.nodes), count(engine, schema.checkpoints),
            count(engine, schema.orgs), count(engine, schema.keys))


def all_records(log: Log) -> list[Record]:
    return log.entries(0, log.size())


def leaves(log: Log) -> list[bytes]:
    return [rfc6962_leaf(r.signature, r.statement) for r in all_records(log)]


def operator_verifier(service: Service) -> NoteVerifier:
    """The operator's verifier key, rebuilt from the key file as a client would get it."""
    signer = NoteSigner(service.settings.origin, keys.load_private_key(service.settings.operator_key))
    return NoteVerifier.from_vkey(signer.vkey())


def clocked(log: Log, moment: datetime) -> Log:
    return Log(log.engine, log.signer, log.identity.roots, log.rules, window=log.window,
               clock=lambda: moment)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def with_producer(service: Service, regulator: Actor) -> Actor:
    producer = Actor("wuchang-coop")
    service.log.append([regulator.register(producer, ["producer"])])
    return producer


def bad_signature(envelope: Envelope) -> Envelope:
    sig = bytearray(envelope.signature)
    sig[0] ^= 1
    return Envelope(envelope.statement, bytes(sig))


# --- one log per database for the long tables ----------------------------------------------

SHARED_SCHEMA = "test_log_shared"
SHARED_REGULATOR = Actor("cnipa")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One log per database for the tables. Each case registers an organisation of its
    own and checks only what its own append changed, so the cases cannot see each other."""
    with module_service(request, tmp_path_factory, SHARED_SCHEMA, SHARED_REGULATOR) as service:
        yield service


def fresh_producer(service: Service) -> Actor:
    producer = Actor(f"coop-{secrets.token_hex(4)}")
    service.log.append([SHARED_REGULATOR.register(producer, ["producer"])])
    return producer


# --- the hash chain ------------------------------------------------------------------------


def test_record_chain(any_service: Service, regulator: Actor) -> None:
    log = any_service.log
    producer = with_producer(any_service, regulator)
    sent = [producer.note(i) for i in range(4)]
    returned = log.append(sent[:1]) + log.append(sent[1:])
    records = all_records(log)
    assert [r.seq for r in records] == list(range(6))
    assert records[2:] == returned
    assert records[0].prev == bytes(32)
    for before, record in itertools.pairwise(records):
        assert record.prev == before.record_hash
    for record in records:
        assert record.leaf == record.signature + record.statement
        assert record.record_hash == sha256(record.prev + rfc6962_leaf(record.signature, record.statement))
        assert Statement.from_bytes(record.statement).canonical == record.statement
    assert len({r.record_hash for r in records}) == len(records)
    # Exactly the signed bytes are stored, and the leaf is signature || canonical statement.
    for envelope, record in zip(sent, records[2:], strict=True):
        assert (record.statement, record.signature) == (envelope.statement.canonical, envelope.signature)
        assert record.leaf == envelope.leaf
    # The indexed columns say what the statement says.
    with any_service.engine.connect() as conn:
        rows = conn.execute(select(schema.records).order_by(schema.records.c.seq)).all()
    assert [(row.seq, bytes(row.record_hash)) for row in rows] == [(r.seq, r.record_hash) for r in records]
    for row in rows:
        statement = Statement.from_bytes(bytes(row.statement))
        assert (row.actor, row.nonce, row.type, row.ts) == (
            statement.actor, statement.nonce, statement.type, format_ts(statement.ts))


# --- Merkle tree and checkpoints -----------------------------------------------------------


def test_a_checkpoint_per_append_transaction(any_service: Service, regulator: Actor) -> None:
    log = any_service.log
    verifier = operator_verifier(any_service)
    producer = with_producer(any_service, regulator)
    for group in (1, 5, 2, 8):
        log.append([producer.note(i) for i in range(group)])
    with any_service.engine.connect() as conn:
        rows = conn.execute(select(schema.checkpoints).order_by(schema.checkpoints.c.size)).all()
    assert [row.size for row in rows] == [1, 2, 3, 8, 10, 18]
    all_leaves = leaves(log)
    previous = None
    for row in rows:
        checkpoint = open_checkpoint(row.note, verifier, origin=any_service.settings.origin)
        assert (checkpoint.size, checkpoint.root_hash) == (row.size, bytes(row.root))
        assert checkpoint.root_hash == rfc6962_root(all_leaves[:row.size])
        if previous is not None:  # each checkpoint extends the one before it
            merkle.verify_consistency(previous.size, checkpoint.size,
                                      log.consistency_proof(previous.size, checkpoint.size),
                                      previous.root_hash, checkpoint.root_hash)
        previous = checkpoint
    assert log.checkpoint() == rows[-1].note
    assert log.size() == 18


def test_latest_checkpoint_root_is_the_rfc6962_root(shared: Service) -> None:
    producer = fresh_producer(shared)
    shared.log.append([producer.note(i) for i in range(9)])
    checkpoint = open_checkpoint(shared.log.checkpoint() or "", operator_verifier(shared),
                                 origin=shared.settings.origin)
    assert checkpoint.size == shared.log.size() == count(shared.engine, schema.records)
    assert checkpoint.root_hash == rfc6962_root(leaves(shared.log))


def test_checkpoint_does_not_open_with_another_key(shared: Service) -> None:
    stranger = NoteSigner(shared.settings.origin, keys.generate()).verifier()
    with pytest.raises(VerificationError) as info:
        open_checkpoint(shared.log.checkpoint() or "", stranger)
    assert info.value.code == "no-known-signature"


def test_inclusion_and_consistency_proofs_in_a_40_entry_log(any_service: Service,
                                                            regulator: Actor) -> None:
    log = any_service.log
    producer = with_producer(any_service, regulator)
    for group in (5, 1, 8, 13, 11):  # 40 entries in all, over transactions of odd sizes
        log.append([producer.note(i) for i in range(group)])
    assert log.size() == 40
    all_leaves = leaves(log)
    roots = {size: rfc6962_root(all_leaves[:size]) for size in range(1, 41)}

    def check_inclusion(seq: int, size: int) -> None:
        leaf, proof, root = log.inclusion_proof(seq, size)
        assert (leaf, root) == (all_leaves[seq], roots[size]), (seq, size)
        merkle.verify_inclusion(seq, size, leaf, proof, roots[size])

    def check_consistency(first: int, second: int) -> None:
        merkle.verify_consistency(first, second, log.consistency_proof(first, second),
                                  roots[first], roots[second])

    # Every seq in the full tree and in one cut through the middle of a transaction, and
    # the first, middle and last leaf of every size.
    for size in (40, 23):
        for seq in range(size):
            check_inclusion(seq, size)
    for size in range(1, 41):
        for seq in {0, size // 2, size - 1}:
            check_inclusion(seq, size)
    # Every size to the full tree, to the cut, and to the next size.
    for first in range(1, 41):
        check_consistency(first, 40)
        if first <= 23:
            check_consistency(first, 23)
        if first < 40:
            check_consistency(first, first + 1)


@pytest.mark.parametrize(("call", "field", "code"), [
    (lambda log, n: log.inclusion_proof(0, 0), "tree_size", "bad-tree-size"),
    (lambda log, n: log.inclusion_proof(0, n + 1), "tree_size", "bad-tree-size"),
    (lambda log, n: log.inclusion_proof(n, n), "seq", "bad-index"),
    (lambda log, n: log.inclusion_proof(-1, n), "seq", "bad-index"),
    (lambda log, n: log.consistency_proof(0, n), "from", "bad-tree-size"),
    (lambda log, n: log.consistency_proof(n, n - 1), "from", "bad-tree-size"),
    (lambda log, n: log.consistency_proof(1, n + 1), "to", "bad-tree-size"),
], ids=["inclusion-size-0", "inclusion-beyond-log", "inclusion-seq-equals-size",
        "inclusion-negative-seq", "consistency-from-0", "consistency-from-above-to",
        "consistency-beyond-log"])
def test_proof_arguments_refused(shared: Service, call: Callable[[Log, int], Any], field: str,
                                 code: str) -> None:
    fresh_producer(shared)  # so the log has at least two entries whatever ran before
    size = shared.log.size()
    with pytest.raises(MalformedError) as info:
        call(shared.log, size)
    assert (info.value.field, info.value.code) == (field, code)


def test_entries_pages_are_capped(log: Log, producer: Actor) -> None:
    log.append([producer.note(i) for i in range(5)])
    assert [r.seq for r in log.entries(2, 5)] == [2, 3, 4]
    assert [r.seq for r in log.entries(5, 100)] == [5, 6]
    assert log.entries(7, 100) == []


# --- group append is all or nothing --------------------------------------------------------


def _group(producer: Actor, kind: str, bad_at: int) -> list[Envelope]:
    group = [producer.note(i) for i in range(10)]
    if kind == "bad-signature":
        group[bad_at] = bad_signature(group[bad_at])
    elif kind == "unknown-key":
        group[bad_at] = Actor(producer.org).note()
    elif kind == "key-not-owned":
        group[bad_at] = Actor(producer.org, SHARED_REGULATOR.key).note()
    elif kind == "stale-timestamp":
        group[bad_at] = producer.note(bad_at, ts=datetime.now(UTC) - timedelta(minutes=10))
    elif kind == "replayed-nonce":
        group[bad_at] = producer.note(bad_at, nonce=group[bad_at - 1].statement.nonce)
    elif kind == "not-authorized":
        group[bad_at] = producer.register(Actor("x"), ["producer"])
    elif kind == "unknown-type":
        group[bad_at] = producer.sign("test.note", {"n": bad_at})
    return group


@pytest.mark.parametrize(("kind", "bad_at", "error"), [
    ("bad-signature", 0, VerificationError),
    ("bad-signature", 9, VerificationError),
    ("unknown-key", 4, RefusedError),
    ("key-not-owned", 3, RefusedError),
    ("stale-timestamp", 6, RefusedError),
    ("replayed-nonce", 7, ConflictError),
    ("not-authorized", 9, RefusedError),
    ("unknown-type", 5, MalformedError),
], ids=["bad-signature-first", "bad-signature-last", "unknown-key", "key-not-owned", "stale-timestamp",
        "replayed-nonce-within-group", "not-authorized-last", "unknown-type"])
def test_group_append_is_all_or_nothing(shared: Service, kind: str, bad_at: int,
                                        error: type[LedgerError]) -> None:
    producer = fresh_producer(shared)
    group = _group(producer, kind, bad_at)
    before = state(shared)
    with pytest.raises(error) as info:
        shared.log.append(group)
    assert type(info.value) is error
    assert (info.value.code, info.value.index) == (kind, bad_at)
    assert state(shared) == before
    # The same group without the bad item goes in whole, and the chain has no gap.
    records = shared.log.append(group[:bad_at] + group[bad_at + 1:])
    assert [r.seq for r in records] == list(range(before[0], before[0] + 9))
    assert records[0].prev == shared.log.entries(before[0] - 1, before[0])[0].record_hash


# --- statement types -----------------------------------------------------------------------


@pytest.mark.parametrize("type_", ["test.note", "key.adds", "org.register.extra", "key.add_",
                                   "org.registe"])
@pytest.mark.parametrize("bad_at", [0, 3])
def test_unknown_statement_type_refused(shared: Service, type_: str, bad_at: int) -> None:
    """Only types a rule owns go in (the ledger's own org.register, key.add and key.revoke, and
    those of the rules the log was given): a well-formed, well-signed statement of any other type,
    however close its name, is refused, and its group with it."""
    producer = fresh_producer(shared)
    group = [producer.note(i) for i in range(4)]
    group[bad_at] = producer.sign(type_, {"org": producer.org, "pub": Actor("x").pub,
                                          "reason": "looks like a key.add"})
    before = state(shared)
    with pytest.raises(MalformedError) as info:
        shared.log.append(group)
    assert type(info.value) is MalformedError
    assert (info.value.code, info.value.field, info.value.index) == (
        "unknown-type", "statement.type", bad_at)
    assert type_ in info.value.message
    assert state(shared) == before


# --- replay --------------------------------------------------------------------------------


@pytest.mark.parametrize("second", [
    lambda p, first: [first],
    lambda p, first: [p.note(1, nonce=first.statement.nonce)],
    lambda p, first: [p.note(1), p.note(2, nonce=first.statement.nonce)],
], ids=["same-envelope", "same-nonce-new-body", "same-nonce-later-in-group"])
def test_replayed_nonce_refused_across_appends(shared: Service,
                                               second: Callable[[Actor, Envelope], list[Envelope]]) -> None:
    producer = fresh_producer(shared)
    first = producer.note(0)
    shared.log.append([first])
    again = second(producer, first)
    before = state(shared)
    with pytest.raises(ConflictError, match="replay") as info:
        shared.log.append(again)
    assert (info.value.code, info.value.field, info.value.index) == (
        "replayed-nonce", "statement.nonce", len(again) - 1)
    assert state(shared) == before


def test_replayed_nonce_refused_within_one_list(shared: Service) -> None:
    producer = fresh_producer(shared)
    first = producer.note(0)
    before = state(shared)
    with pytest.raises(ConflictError) as info:
        shared.log.append([first, producer.note(1), first])
    assert (info.value.code, info.value.index) == ("replayed-nonce", 2)
    assert state(shared) == before


def test_same_nonce_for_another_actor_is_not_a_replay(shared: Service) -> None:
    producer, other = fresh_producer(shared), fresh_producer(shared)
    nonce = secrets.token_urlsafe(16)
    records = shared.log.append([producer.note(nonce=nonce), other.note(nonce=nonce)])
    assert len(records) == 2


# --- timestamp window ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "offset", "accepted"), [
    ("producer", timedelta(minutes=10), False),
    ("producer", -timedelta(minutes=10), False),
    ("producer", timedelta(minutes=5, seconds=1), False),
    ("producer", -timedelta(minutes=5, seconds=1), False),
    ("producer", timedelta(minutes=5), True),
    ("producer", -timedelta(minutes=4), True),
    ("regulator", timedelta(minutes=10), False),
    ("regulator", -timedelta(days=30), False),
    ("regulator", -timedelta(minutes=4), True),
], ids=["producer-10-min-ahead", "producer-10-min-behind", "producer-just-past-ahead",
        "producer-just-past-behind", "producer-at-the-edge", "producer-4-min-behind",
        "root-regulator-10-min-ahead", "root-regulator-30-days-behind", "root-regulator-4-min-behind"])
def test_timestamp_window(shared: Service, who: str, offset: timedelta, accepted: bool) -> None:
    producer = fresh_producer(shared)
    t0 = now()
    log = clocked(shared.log, t0)
    author = producer if who == "producer" else SHARED_REGULATOR
    envelope = author.note(1, ts=t0 + offset)
    before = state(shared)
    if accepted:
        assert log.append([envelope])[0].seq == before[0]
        return
    with pytest.raises(RefusedError, match="from the server clock") as info:
        log.append([producer.note(0, ts=t0), envelope])
    assert (info.value.code, info.value.field, info.value.index) == (
        "stale-timestamp", "statement.ts", 1)
    assert state(shared) == before


# --- batch size ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, MAX_BATCH + 1], ids=["empty", "over-1000"])
def test_batch_size_refused(log: Log, producer: Actor, size: int) -> None:
    group = [producer.note(i) for i in range(size)]
    before = log.size()
    with pytest.raises(MalformedError, match="1 to 1000 statements") as info:
        log.append(group)
    assert info.value.code == "batch-size"
    assert log.size() == before


def test_batch_of_1000_accepted(log: Log, producer: Actor) -> None:
    records = log.append([producer.note(i) for i in range(MAX_BATCH)])
    assert [r.seq for r in records] == list(range(2, 2 + MAX_BATCH))
    assert log.size() == 2 + MAX_BATCH


# --- the unique constraints alone prevent a fork -------------------------------------------


@pytest.mark.parametrize("clash", ["seq", "prev", "record_hash", "actor-nonce"])
def test_unique_constraints_prevent_a_fork(shared: Service, clash: str) -> None:
    """A writer that bypasses the lock and inserts a sibling record is stopped by the schema."""
    producer = fresh_producer(shared)
    (mine,) = shared.log.append([producer.note(0)])
    records = schema.records
    with shared.engine.connect() as conn:
        existing = conn.execute(select(records).where(records.c.seq == mine.seq)).one()._asdict()
    fresh = {**existing, "seq": mine.seq + 1, "prev": secrets.token_bytes(32),
             "record_hash": secrets.token_bytes(32), "nonce": secrets.token_urlsafe(16)}
    forked = dict(fresh)
    if clash == "actor-nonce":
        forked["nonce"] = existing["nonce"]
    else:
        forked[clash] = existing[clash]
    before = state(shared)
    with pytest.raises(IntegrityError), shared.engine.begin() as conn:
        conn.execute(records.insert().values(**forked))
    assert state(shared) == before
    # The control: the same row without the clash passes the schema (and is rolled back).
    with shared.engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(records.insert().values(**fresh))
        transaction.rollback()
    assert state(shared) == before


# --- state lives in the database -----------------------------------------------------------


def test_append_after_reopening_continues_the_chain(any_service: Service, regulator: Actor) -> None:
    log = any_service.log
    producer = with_producer(any_service, regulator)
    log.append([producer.note(i) for i in range(6)])
    head = all_records(log)[-1]
    url = any_service.engine.url.render_as_string(hide_password=False)
    any_service.engine.dispose()

    engine = make_engine(url)
    try:
        signer = NoteSigner(any_service.settings.origin,
                            keys.load_private_key(any_service.settings.operator_key))
        reopened = Log(engine, signer, log.identity.roots)
        assert reopened.size() == 8
        (record,) = reopened.append([producer.note(99)])
        assert (record.seq, record.prev) == (8, head.record_hash)
        assert [r.seq for r in reopened.entries(0, 100)] == list(range(9))
        checkpoint = open_checkpoint(reopened.checkpoint() or "", operator_verifier(any_service),
                                     origin=any_service.settings.origin)
        assert (checkpoint.size, checkpoint.root_hash) == (9, rfc6962_root(leaves(reopened)))
        # Replay protection also comes from the database, not from the first Log's memory.
        replay = producer.note(100, nonce=Statement.from_bytes(head.statement).nonce)
        with pytest.raises(ConflictError) as info:
            reopened.append([replay])
        assert info.value.code == "replayed-nonce"
    finally:
        engine.dispose()


def test_two_logs_on_one_database_share_one_chain(any_service: Service, regulator: Actor) -> None:
    """Two processes (here two Logs with their own engines) append in turn to one chain."""
    producer = with_producer(any_service, regulator)
    engine = make_engine(any_service.engine.url.render_as_string(hide_password=False))
    try:
        other = Log(engine, any_service.log.signer, any_service.log.identity.roots)
        logs = [any_service.log, other]
        for i in range(6):
            logs[i % 2].append([producer.note(i)])
        records = other.entries(0, 100)
        assert [r.seq for r in records] == list(range(8))
        for before, record in itertools.pairwise(records):
            assert record.prev == before.record_hash
        checkpoint = open_checkpoint(any_service.log.checkpoint() or "", operator_verifier(any_service))
        assert (checkpoint.size, checkpoint.root_hash) == (8, rfc6962_root(leaves(other)))
    finally:
        engine.dispose()
