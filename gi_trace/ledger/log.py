"""The log: append signed statements, serve records, roots, proofs and checkpoints.

Signatures are verified before the writer lock is taken (key ids name keys
forever, so no lock is needed to find a public key); the lock covers only the
checks that depend on the log's state, the writes and the new checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from . import merkle, schema
from .appender import Appender
from .checkpoint import Checkpoint
from .database import write_transaction
from .errors import ConflictError, LedgerError, MalformedError, RefusedError, VerificationError
from .identity import Identity, TrustRoots, resolve_public_keys
from .keys import verify
from .nodes import node_reader
from .note import NoteSigner
from .record import Record
from .rules import Rule
from .statement import Envelope

MAX_BATCH = 1000
MAX_PAGE = 1000
DEFAULT_WINDOW = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


def verify_signatures(envelopes: Sequence[Envelope], pubs: Sequence[bytes | None]) -> None:
    """Raise for the first statement whose key is unknown or whose signature is bad."""
    for index, (envelope, pub) in enumerate(zip(envelopes, pubs, strict=True)):
        if pub is None:
            raise RefusedError("unknown key", field="statement.key", code="unknown-key", index=index)
        if not verify(pub, envelope.statement.signing_input(), envelope.signature):
            raise VerificationError("signature does not verify over the canonical statement",
                                    field="signature", code="bad-signature", index=index)


class Log:
    def __init__(self, engine: Engine, signer: NoteSigner, roots: TrustRoots,
                 rules: Sequence[Rule] = (), *, window: timedelta = DEFAULT_WINDOW,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.signer = signer
        self.identity = Identity(roots)
        self.rules = tuple(rules)
        self.window = window
        self.clock = clock

    @property
    def origin(self) -> str:
        return self.signer.name

    # -- writing ------------------------------------------------------------------------
    def append(self, envelopes: Sequence[Envelope]) -> list[Record]:
        """Append all the statements in one transaction, or none of them."""
        if not 1 <= len(envelopes) <= MAX_BATCH:
            raise MalformedError(f"append 1 to {MAX_BATCH} statements at a time",
                                 code="batch-size")
        self._check_window(envelopes)
        with self.engine.connect() as conn:
            pubs = resolve_public_keys(conn, envelopes)
        verify_signatures(envelopes, pubs)
        try:
            with write_transaction(self.engine) as conn:
                appender = Appender.at_head(conn, self.identity, self.rules)
                appender.expect(envelopes)
                records = []
                for index, (envelope, pub) in enumerate(zip(envelopes, pubs, strict=True)):
                    assert pub is not None
                    try:
                        records.append(appender.add(envelope, pub))
                    except LedgerError as e:
                        raise e.at(index) from None
                appender.flush()
                self._write_checkpoint(conn, appender.size, appender.root())
        except IntegrityError as e:
            raise ConflictError("the log changed under this append; retry",
                                code="concurrent-append") from e
        return records

    def _check_window(self, envelopes: Sequence[Envelope]) -> None:
        now = self.clock()
        for index, envelope in enumerate(envelopes):
            statement = envelope.statement
            if self.identity.roots.allows(statement.actor, statement.key):
                continue  # genesis entries are signed once, out of band, and may be old
            if abs(statement.ts - now) > self.window:
                raise RefusedError(f"ts is more than {int(self.window.total_seconds())} s from the "
                                   f"server clock ({now:%Y-%m-%dT%H:%M:%SZ})",
                                   field="statement.ts", code="stale-timestamp", index=index)

    def _write_checkpoint(self, conn: Connection, size: int, root: bytes) -> None:
        note = Checkpoint(self.origin, size, root).sign(self.signer)
        conn.execute(schema.checkpoints.insert().values(size=size, root=root, note=note))

    # -- reading --------------------------------------------------------------------------
    def size(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.coalesce(func.max(schema.checkpoints.c.size), 0))))

    def checkpoint(self) -> str | None:
        """The latest signed checkpoint note, or None for a log never appended to."""
        with self.engine.connect() as conn:
            return conn.scalar(select(schema.checkpoints.c.note)
                               .order_by(schema.checkpoints.c.size.desc()).limit(1))

    def entries(self, start: int, end: int) -> list[Record]:
        """Records with start <= seq < end, at most MAX_PAGE of them."""
        r = schema.records.c
        end = min(end, start + MAX_PAGE)
        with self.engine.connect() as conn:
            rows = conn.execute(select(r.seq, r.statement, r.signature, r.prev, r.record_hash)
                                .where((r.seq >= start) & (r.seq < end)).order_by(r.seq))
            return [Record(row.seq, bytes(row.statement), bytes(row.signature), bytes(row.prev),
                           bytes(row.record_hash)) for row in rows]

    def _checked_size(self, conn: Connection, size: int, field: str) -> None:
        current = int(conn.scalar(select(func.coalesce(func.max(schema.checkpoints.c.size), 0))))
        if not 0 < size <= current:
            raise MalformedError(f"must be between 1 and the log size {current}", field=field,
                                 code="bad-tree-size")

    def inclusion_proof(self, seq: int, size: int) -> tuple[bytes, list[bytes], bytes]:
        """(leaf hash, audit path, root) for record `seq` in the tree of `size` leaves."""
        with self.engine.connect() as conn:
            self._checked_size(conn, size, "tree_size")
            if not 0 <= seq < size:
                raise MalformedError("must be below tree_size", field="seq", code="bad-index")
            reader = node_reader(conn)
            leaf = reader([(0, seq)])[(0, seq)]
            return leaf, merkle.inclusion_proof(seq, size, reader), merkle.root_at(size, reader)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        with self.engine.connect() as conn:
            self._checked_size(conn, second, "to")
            if not 0 < first <= second:
                raise MalformedError("must be between 1 and `to`", field="from", code="bad-tree-size")
            return merkle.consistency_proof(first, second, node_reader(conn))

