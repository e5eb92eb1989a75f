"""The log: append signed statements, serve records, roots, proofs and checkpoints.

Signatures are verified before the writer lock is taken (key ids name keys
forever, so no lock is needed to find a public key); the lock covers only the
checks that depend on the log's state, the writes and the new checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from . import merkle, schema
from .appender import Appender, Head, check_type, known_types
from .checkpoint import Checkpoint
from .database import write_transaction
from .errors import ConflictError, LedgerError, MalformedError, RefusedError, VerificationError
from .group_commit import GroupCommit, Request
from .identity import Identity, TrustRoots, introduced_keys, stored_public_keys
from .keys import key_id, verify
from .nodes import node_reader
from .note import NoteSigner
from .record import Record
from .rules import Rule
from .sidecar import Sidecar, read_sidecars
from .statement import VERSION, Envelope

MAX_BATCH = 1000
MAX_PAGE = 1000
DEFAULT_WINDOW = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Refused(Exception):
    """A request of a group that a rule refused; the rest of the group is appended again."""

    def __init__(self, request: Request, error: LedgerError) -> None:
        super().__init__(error.message)
        self.request, self.error = request, error


def _first_line(error: DBAPIError) -> str:
    """What the driver said, without the statement and parameters SQLAlchemy adds."""
    return str(error.orig).strip().split("\n", 1)[0]


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
        self.known_types = known_types(self.identity, self.rules)
        self.attachments = frozenset().union(*(rule.attachments for rule in self.rules))
        self.window = window
        self.clock = clock
        self._pubs: dict[str, bytes] = {}
        self._head: Head | None = None  # where this process's last append left the log
        self._group = GroupCommit(self._commit, MAX_BATCH)

    @property
    def origin(self) -> str:
        return self.signer.name

    @property
    def group_commit(self) -> GroupCommit:
        """What groups concurrent appends; its `observer` hook sees each group committed."""
        return self._group

    # -- writing ------------------------------------------------------------------------
    def append(self, envelopes: Sequence[Envelope]) -> list[Record]:
        """Append all the statements in one transaction, or none of them.

        Concurrent calls from threads of this process are grouped into one
        transaction (see group_commit); each call still succeeds or fails whole.
        """
        if not 1 <= len(envelopes) <= MAX_BATCH:
            raise MalformedError(f"append 1 to {MAX_BATCH} statements at a time",
                                 code="batch-size")
        for index, envelope in enumerate(envelopes):
            try:
                check_type(envelope.statement.type, self.known_types)
                self._check_version(envelope)
            except LedgerError as e:
                raise e.at(index) from None
        self._check_window(envelopes)
        pubs = self._public_keys(envelopes)
        verify_signatures(envelopes, pubs)
        return self._group.submit(envelopes, [pub for pub in pubs if pub is not None])

    def _public_keys(self, envelopes: Sequence[Envelope]) -> list[bytes | None]:
        """Each statement's public key: from this batch, the process cache, or the database."""
        known = {key_id(pub): pub for e in envelopes for pub in introduced_keys(e.statement)}
        missing = {e.statement.key for e in envelopes} - known.keys() - self._pubs.keys()
        if missing:
            with self.engine.connect() as conn:
                self._pubs.update(stored_public_keys(conn, missing))
        return [self._pubs.get(e.statement.key) or known.get(e.statement.key) for e in envelopes]

    def _commit(self, group: list[Request]) -> None:
        """Append a group of requests in one transaction and settle each request.

        Optimistic: a request a rule refuses is taken out and the others are appended
        again in a fresh transaction, so the common case pays for no savepoints. A value
        the database itself refuses (too long for its column, a constraint) names no
        request: the group is halved until the request at fault stands alone, and every
        other request is appended. A fault of the database (DatabaseUnavailableError)
        fails the requests not yet settled.
        """
        pending = list(group)
        while pending:
            try:
                results = self._append_all(pending)
            except _Refused as refused:
                refused.request.error = refused.error
                pending.remove(refused.request)
                continue
            except DBAPIError as e:
                if len(pending) == 1:
                    pending[0].error = MalformedError(
                        f"the database refused a value of these statements: {_first_line(e)}",
                        code="database-refused")
                    return
                half = len(pending) // 2
                self._commit(pending[:half])
                self._commit(pending[half:])
                return
            for request, records in results:
                request.records = records
            return

    def _append_all(self, requests: list[Request]) -> list[tuple[Request, list[Record]]]:
        results = []
        began: int | None = None
        try:
            with write_transaction(self.engine) as conn:
                appender = Appender.at_head(conn, self.identity, self.rules, known=self._head)
                began = appender.size
                appender.expect([e for request in requests for e in request.envelopes])
                for request in requests:
                    records = []
                    for index, (envelope, pub) in enumerate(
                            zip(request.envelopes, request.pubs, strict=True)):
                        try:
                            records.append(appender.add(envelope, pub))
                        except LedgerError as e:
                            raise _Refused(request, e.at(index)) from None
                    results.append((request, records))
                appender.flush()
                self._write_checkpoint(conn, appender.size, appender.root())
        except IntegrityError as e:
            if began is not None and self.size() != began:  # another writer got past the lock
                raise ConflictError("the log changed under this append; retry",
                                    code="concurrent-append") from e
            raise
        self._head = appender.head()
        return results

    def _check_version(self, envelope: Envelope) -> None:
        """New statements are v2: a v1 statement published every field. Old logs still read."""
        statement = envelope.statement
        if statement.v != VERSION and not self.identity.is_genesis(statement):
            raise MalformedError(f"statement v{statement.v} is retired; sign v{VERSION}",
                                 field="statement.v", code="v1-retired")
        if envelope.disclosures is None:
            raise MalformedError("disclosures are required", field="disclosures",
                                 code="missing-field")

    def _check_window(self, envelopes: Sequence[Envelope]) -> None:
        now = self.clock()
        for index, envelope in enumerate(envelopes):
            statement = envelope.statement
            if self.identity.is_genesis(statement):
                continue
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
            return int(conn.scalar(select(func.coalesce(func.max(schema.checkpoints.c.size), 0))) or 0)

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

    def sidecars(self, start: int, end: int, *, attachments: bool = False) -> dict[int, Sidecar]:
        """What is kept beside records start <= seq < end (at most MAX_PAGE of them): their
        disclosures and readers, and with `attachments` what their rules checked."""
        end = min(end, start + MAX_PAGE)
        with self.engine.connect() as conn:
            return read_sidecars(conn, start, end, attachments=attachments)

    def _checked_size(self, conn: Connection, size: int, field: str) -> None:
        current = int(conn.scalar(select(func.coalesce(func.max(schema.checkpoints.c.size), 0))) or 0)
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

