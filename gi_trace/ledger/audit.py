"""Replay a whole log and check everything an outsider can check, trusting nothing.

For every record, in order: its seq, its link to the previous record, its
record hash, that its statement bytes are canonical, its author's signature,
and (by replaying it into an empty scratch database through the same identity
and rule hooks as the append) that the author's key was not revoked before it,
and every rule. At the end the Merkle root must equal the one in the latest checkpoint, whose
signature must verify with the operator key obtained out of band.

With the disclosures kept beside the log (a regulator's or the operator's source),
every digest is checked against its disclosure and every rule is replayed. Without
them (anyone else) the rules check what public fields allow, and the result counts
the confidential fields that could not be checked.

Memory stays flat: records stream in chunks and the state lives in the scratch
database. Signatures, the costly part, are checked in worker processes one
chunk ahead of the replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from . import merkle
from .appender import Appender
from .checkpoint import Checkpoint, open_checkpoint
from .database import write_transaction
from .disclosure import digests
from .errors import LedgerError
from .identity import Identity, TrustRoots, introduced_keys
from .keys import first_bad_signature, key_id
from .merkle import Frontier
from .nodes import node_reader
from .note import NoteVerifier
from .record import GENESIS_PREV, Record, chain_hash
from .rules import Rule
from .sidecar import Sidecar
from .statement import Envelope, Statement

CHUNK = 1000


class RecordSource(Protocol):
    """Where an audit reads the log from: a database, a server, or a bundle."""

    def latest_checkpoint(self) -> str | None: ...

    def records(self) -> Iterator[Record]:
        """Every record as stored, in the order of `seq`."""
        ...

    def checkpoints(self) -> Iterable[tuple[int, str]]:
        """Older signed checkpoints (size, note), oldest first; empty if the source has none.
        May stream: an export reads them once, in order, whatever their number."""
        ...

    def sidecars(self) -> Iterator[Sidecar] | None:
        """What is kept beside the records, in the order of `seq`, or None when this source
        does not have it (a public audit)."""
        ...


@dataclass(frozen=True)
class AuditFailure:
    seq: int | None
    reason: str
    code: str


@dataclass(frozen=True)
class AuditResult:
    size: int
    checkpoint: Checkpoint | None
    failure: AuditFailure | None
    disclosed: bool = False  # whether the disclosures were there to check
    unchecked: int = 0  # confidential fields whose values could not be checked (public audit)

    def __bool__(self) -> bool:
        return self.failure is None


class _Failed(Exception):
    def __init__(self, seq: int | None, reason: str, code: str) -> None:
        super().__init__(reason)
        self.failure = AuditFailure(seq, reason, code)


@dataclass
class _Chunk:
    """Records that passed the structural checks, ready to replay, and the failure after them."""

    records: list[Record] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    pubs: list[bytes] = field(default_factory=list)
    broken: _Failed | None = None
    bad_signature: Future[int | None] | None = None


class Auditor:
    def __init__(self, source: RecordSource, operator: NoteVerifier, roots: TrustRoots,
                 rules: Sequence[Rule], scratch: Engine, *,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.source = source
        self.operator = operator
        self.identity = Identity(roots)
        self.rules = tuple(rules)
        self.scratch = scratch
        self.progress = progress
        self._keys: dict[str, bytes] = {}
        self._size, self._prev, self._frontier = 0, GENESIS_PREV, Frontier()
        self._cache: dict[str, Any] = {}
        self._sidecars = source.sidecars()
        self._next_sidecar: Sidecar | None = None
        self.unchecked = 0

    def _result(self, checkpoint: Checkpoint | None, failure: AuditFailure | None) -> AuditResult:
        return AuditResult(self._size, checkpoint, failure, self._sidecars is not None, self.unchecked)

    def run(self, executor: Executor | None = None) -> AuditResult:
        checkpoint: Checkpoint | None = None
        try:
            checkpoint = self._open(self.source.latest_checkpoint())
            if executor is None:
                with ProcessPoolExecutor(max_workers=2) as pool:
                    self._replay(checkpoint, pool)
            else:
                self._replay(checkpoint, executor)
            self._compare(checkpoint)
        except _Failed as failed:
            return self._result(checkpoint, failed.failure)
        return self._result(checkpoint, None)

    def _open(self, note: str | None) -> Checkpoint:
        if note is None:
            raise _Failed(None, "the log has no checkpoint", "no-checkpoint")
        try:
            return open_checkpoint(note, self.operator, origin=self.operator.name)
        except LedgerError as e:
            raise _Failed(None, f"checkpoint does not verify with the operator key: {e.message}",
                          "bad-checkpoint") from e

    # -- reading and structure -----------------------------------------------------------
    def _chunks(self) -> Iterator[_Chunk]:
        records = iter(self.source.records())
        expected, prev = 0, GENESIS_PREV
        while batch := list(islice(records, CHUNK)):
            chunk = _Chunk()
            for record in batch:
                try:
                    envelope = self._structure(record, expected, prev)
                except _Failed as failed:
                    chunk.broken = failed
                    break
                chunk.records.append(record)
                chunk.envelopes.append(envelope)
                chunk.pubs.append(self._keys[envelope.statement.key])
                expected, prev = expected + 1, record.record_hash
            yield chunk
            if chunk.broken is not None:
                return

    def _structure(self, record: Record, expected: int, prev: bytes) -> Envelope:
        """The checks that need no state but the previous record; the record's envelope."""
        if record.seq != expected:
            raise _Failed(expected, f"expected seq {expected}, found {record.seq}: a record is "
                          "missing, duplicated or out of order", "seq-gap")
        if record.prev != prev:
            raise _Failed(expected, "prev is not the record hash of the record before",
                          "broken-chain")
        if record.record_hash != chain_hash(prev, record.leaf_hash):
            raise _Failed(expected, "record_hash is not SHA-256(prev || leaf hash)",
                          "bad-record-hash")
        try:
            statement = Statement.from_bytes(record.statement)
        except LedgerError as e:
            raise _Failed(expected, f"statement is not well-formed: {e.message}", e.code) from e
        for pub in introduced_keys(statement):
            self._keys.setdefault(key_id(pub), pub)
        if statement.key not in self._keys:
            raise _Failed(expected, "signed by a key the log never registered", "unknown-key")
        if self._sidecars is None:
            self.unchecked += len(digests(statement.body))
            return Envelope(statement, record.signature, None)
        sidecar = self._sidecar(record.seq)
        return Envelope(statement, record.signature, sidecar.disclosures, sidecar.attachments)

    def _sidecar(self, seq: int) -> Sidecar:
        """The sidecar of `seq` (an empty one if it has none), reading the stream in step."""
        assert self._sidecars is not None
        while self._next_sidecar is None or self._next_sidecar.seq < seq:
            try:
                following = next(self._sidecars, None)
            except LedgerError as e:
                raise _Failed(None, f"the sidecars cannot be read: {e.message}", e.code) from e
            if following is None:
                return Sidecar(seq)
            if self._next_sidecar is not None and following.seq <= self._next_sidecar.seq:
                raise _Failed(following.seq, "sidecars are out of order or repeated", "bad-sidecars")
            self._next_sidecar = following
        return self._next_sidecar if self._next_sidecar.seq == seq else Sidecar(seq)

    # -- replay ------------------------------------------------------------------------
    def _replay(self, checkpoint: Checkpoint, pool: Executor) -> None:
        """Verify the signatures of chunk k+1 in the pool while chunk k is replayed."""
        pending: _Chunk | None = None
        for chunk in self._chunks():
            chunk.bad_signature = _verify_in(pool, chunk)
            if pending is not None:
                self._apply(pending)
                self._report(checkpoint.size)
            pending = chunk
        if pending is not None:
            self._apply(pending)
            self._report(checkpoint.size)

    def _apply(self, chunk: _Chunk) -> None:
        """Replay a chunk into the scratch database. Nonces are left to its unique index; only
        if that fires is the chunk replayed again, looking each one up, to name the replay."""
        assert chunk.bad_signature is not None
        bad = chunk.bad_signature.result()
        try:
            appender = self._replay_chunk(chunk, bad, look_up_nonces=False)
        except IntegrityError:
            self._cache.clear()
            appender = self._replay_chunk(chunk, bad, look_up_nonces=True)
        self._size, self._prev, self._frontier = appender.size, appender.prev, appender.frontier
        if chunk.broken is not None:
            raise chunk.broken

    def _replay_chunk(self, chunk: _Chunk, bad: int | None, *, look_up_nonces: bool) -> Appender:
        with write_transaction(self.scratch) as conn:
            appender = Appender(conn, self.identity, self.rules, size=self._size, prev=self._prev,
                                frontier=Frontier(self._size, list(self._frontier.hashes)),
                                cache=self._cache)
            if look_up_nonces:
                appender.expect(chunk.envelopes)
            for index, (record, envelope, pub) in enumerate(
                    zip(chunk.records, chunk.envelopes, chunk.pubs, strict=True)):
                if index == bad:
                    raise _Failed(record.seq, "signature does not verify", "bad-signature")
                try:
                    appender.add(envelope, pub)
                except LedgerError as e:
                    raise _Failed(record.seq, f"refused on replay: {e.message}", e.code) from e
            appender.flush()
        return appender

    def _report(self, total: int) -> None:
        if self.progress is not None:
            self.progress(self._size, total)

    # -- the end: sizes and roots ----------------------------------------------------------
    def _compare(self, checkpoint: Checkpoint) -> None:
        size = self._size
        if size == checkpoint.size and self._frontier.root() == checkpoint.root_hash:
            return
        rewritten = self._locate()
        if rewritten is not None and rewritten < min(size, checkpoint.size):
            raise _Failed(rewritten, "the records from here on do not hash to the roots of the "
                          "signed checkpoints: history was rewritten", "root-mismatch")
        if size < checkpoint.size:
            raise _Failed(size, f"the log has {size} records but its checkpoint covers "
                          f"{checkpoint.size}: records were removed", "truncated")
        if size > checkpoint.size:
            raise _Failed(checkpoint.size, f"records from seq {checkpoint.size} on are not "
                          "covered by any signed checkpoint", "unsigned-tail")
        raise _Failed(rewritten, "the records do not hash to the root in the signed checkpoint: "
                      "history was rewritten", "root-mismatch")

    def _matches(self, conn: Connection, size: int, note: str) -> bool:
        try:
            signed = self._open(note)
        except _Failed:
            return False
        return signed.size == size and merkle.root_at(size, node_reader(conn)) == signed.root_hash

    def _locate(self) -> int | None:
        """The first seq past the last older checkpoint that still matches the replay."""
        history = [(size, note) for size, note in self.source.checkpoints() if size <= self._size]
        low, high, first_bad = 0, len(history) - 1, None
        with self.scratch.connect() as conn:
            while low <= high:
                middle = (low + high) // 2
                if self._matches(conn, *history[middle]):
                    low = middle + 1
                else:
                    first_bad, high = middle, middle - 1
        if first_bad is None:
            return None
        return history[first_bad - 1][0] if first_bad > 0 else 0


def _verify_in(pool: Executor, chunk: _Chunk) -> Future[int | None]:
    """Split a chunk's signature checks over two workers; the first bad index overall."""
    items = [(pub, e.statement.signing_input(), e.signature)
             for pub, e in zip(chunk.pubs, chunk.envelopes, strict=True)]
    half = (len(items) + 1) // 2
    return _combine(pool.submit(first_bad_signature, items[:half]),
                    pool.submit(first_bad_signature, items[half:]), half)


def _combine(first: Future[int | None], second: Future[int | None], offset: int) -> Future[int | None]:
    result: Future[int | None] = Future()

    def done(_: Future[int | None]) -> None:
        if first.done() and second.done() and not result.done():
            a, b = first.result(), second.result()
            result.set_result(a if a is not None else (None if b is None else b + offset))

    first.add_done_callback(done)
    second.add_done_callback(done)
    return result


def audit(source: RecordSource, operator: NoteVerifier, roots: TrustRoots, rules: Iterable[Rule],
          scratch: Engine, *, progress: Callable[[int, int], None] | None = None,
          executor: Executor | None = None) -> AuditResult:
    """Audit a log; the scratch engine must point at an empty, migrated database."""
    return Auditor(source, operator, roots, tuple(rules), scratch, progress=progress).run(executor)
