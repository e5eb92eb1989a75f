"""The body of one append transaction: check each statement, chain it, grow the tree.

An Appender lives only while its caller holds the writer lock (or owns a
scratch database, as the audit does); it buffers rows and writes them in bulk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, select, tuple_

from . import schema
from .database import insert_rows
from .errors import ConflictError, MalformedError
from .identity import Identity
from .merkle import Frontier
from .nodes import node_reader
from .record import GENESIS_PREV, Record
from .rules import AppendContext, Rule
from .sidecar import sidecar_row
from .statement import Envelope

_HEAD = select(schema.records.c.seq, schema.records.c.record_hash).order_by(
    schema.records.c.seq.desc()).limit(1)


@dataclass(frozen=True)
class Head:
    size: int
    prev: bytes
    frontier: tuple[bytes, ...]


class Appender:
    def __init__(self, conn: Connection, identity: Identity, rules: tuple[Rule, ...], *,
                 size: int, prev: bytes, frontier: Frontier, cache: dict[str, Any] | None = None) -> None:
        self.conn = conn
        self.identity = identity
        self.rules = rules
        self.known_types = known_types(identity, rules)
        self.size = size
        self.prev = prev
        self.frontier = frontier
        self.cache = {} if cache is None else cache
        self._records: list[tuple[Any, ...]] = []
        self._nodes: list[tuple[int, int, bytes]] = []
        self._sidecars: list[tuple[int, str | None, str | None]] = []
        self._readers: list[tuple[int, str]] = []
        self._nonces: set[tuple[str, str]] = set()

    @classmethod
    def at_head(cls, conn: Connection, identity: Identity, rules: tuple[Rule, ...], *,
                known: Head | None = None) -> Appender:
        """Start from the log's current head: its size, last record hash and compact range.

        `known` is the head this process left after its last append; if the log has not
        moved since (same size and last record hash, which commits to the whole chain),
        its compact range is reused instead of read again."""
        last = conn.execute(_HEAD).first()
        size, prev = (last.seq + 1, bytes(last.record_hash)) if last else (0, GENESIS_PREV)
        if known is not None and (known.size, known.prev) == (size, prev):
            frontier = Frontier(size, list(known.frontier))
        else:
            frontier = Frontier.load(size, node_reader(conn))
        return cls(conn, identity, rules, size=size, prev=prev, frontier=frontier)

    def head(self) -> Head:
        return Head(self.size, self.prev, tuple(self.frontier.hashes))

    def expect(self, envelopes: Sequence[Envelope]) -> None:
        """Look up in one query which of the coming statements reuse a stored nonce."""
        pairs = {(e.statement.actor, e.statement.nonce) for e in envelopes}
        r = schema.records.c
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(pairs), 500):
            rows = self.conn.execute(select(r.actor, r.nonce).where(tuple_(r.actor, r.nonce).in_(chunk)))
            found.update((row.actor, row.nonce) for row in rows)
        self._nonces = found

    def add(self, envelope: Envelope, pub: bytes) -> Record:
        """Check one statement whose signature by `pub` is already verified, and chain it.

        `expect` must have been called with it first, so a replayed nonce is known.
        """
        statement = envelope.statement
        check_type(statement.type, self.known_types)
        if (statement.actor, statement.nonce) in self._nonces:
            raise ConflictError("nonce already used by this actor (replay)",
                                field="statement.nonce", code="replayed-nonce")
        ctx = AppendContext(self.conn, self.size, envelope, self.cache)
        self.identity.authorize(ctx, pub)
        self.identity.apply(ctx)
        for rule in self.rules:
            rule.apply(ctx)
        record = Record.build(self.size, statement.canonical, envelope.signature, self.prev)
        sidecar = sidecar_row(self.size, envelope)
        if sidecar is not None:
            self._sidecars.append(sidecar)
            self._readers.extend((self.size, org) for org in sorted(ctx.readers - {statement.actor}))
        self._nonces.add((statement.actor, statement.nonce))
        self._records.append((record.seq, record.statement, record.signature, record.prev,
                              record.record_hash, statement.actor, statement.nonce, statement.type,
                              statement.ts_text))
        self._nodes.extend((level, idx, digest)
                           for (level, idx), digest in self.frontier.append(record.leaf_hash))
        self.size += 1
        self.prev = record.record_hash
        return record

    def flush(self) -> None:
        """Write the buffered rows with plain DBAPI executemany: the hot path of bulk appends."""
        for table, rows in ((schema.records, self._records), (schema.nodes, self._nodes),
                            (schema.sidecars, self._sidecars), (schema.readers, self._readers)):
            if rows:
                insert_rows(self.conn, table, rows)
        self._records, self._nodes, self._sidecars, self._readers = [], [], [], []

    def root(self) -> bytes:
        return self.frontier.root()


def known_types(identity: Identity, rules: tuple[Rule, ...]) -> frozenset[str]:
    return identity.types.union(*(rule.types for rule in rules))


def check_type(type_: str, known: frozenset[str]) -> None:
    if type_ not in known:
        raise MalformedError(f"unknown statement type {type_!r}", field="statement.type",
                             code="unknown-type")


T = TypeVar("T")


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
