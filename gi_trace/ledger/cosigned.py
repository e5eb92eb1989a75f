"""The log's collection of witness cosignatures: checked, kept, served with the checkpoint.

A cosignature is kept only if it verifies under a witness the operator lists
and is over a checkpoint this log issued, byte for byte. Readers count only
the witnesses listed now, so removing a witness from the list (say its key
leaked) withdraws what it vouched for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, and_, false, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from . import schema
from .checkpoint import Checkpoint
from .cosignature import Cosignature, CosignatureVerifier, open_cosignatures
from .errors import RefusedError
from .note import add_signatures, parse_note


@dataclass(frozen=True)
class Witnessed:
    """A listed witness and the largest tree it cosigned (at ``cosigned_at``, POSIX seconds)."""

    witness: str
    tree_size: int
    cosigned_at: int


class Cosignatures:
    def __init__(self, engine: Engine, witnesses: Sequence[CosignatureVerifier], *,
                 skew_seconds: int = 300, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.witnesses = list(witnesses)
        self.skew_seconds = skew_seconds
        self.clock = clock

    def add(self, note: str | bytes) -> tuple[Checkpoint, list[Cosignature]]:
        """Verify and keep the listed witnesses' cosignatures on a checkpoint note.

        Refused: a note no listed witness cosigned (``unknown-witness``), a
        cosignature from the future (``cosigned-in-future``), and a checkpoint
        this log never issued (``unknown-checkpoint``).
        """
        parsed, cosignatures = open_cosignatures(note, self.witnesses)
        checkpoint = Checkpoint.from_text(parsed.text)
        latest = self.clock() + self.skew_seconds
        for c in cosignatures:
            if c.timestamp > latest:
                raise RefusedError(f"cosignature by {c.name} is dated {c.timestamp}, after the "
                                   "server's clock", code="cosigned-in-future", field="note")
        with self.engine.begin() as conn:
            issued = conn.scalar(select(schema.checkpoints.c.note)
                                 .where(schema.checkpoints.c.size == checkpoint.size))
            if issued is None or parse_note(issued).text != parsed.text:
                raise RefusedError(f"this log never issued that checkpoint of size "
                                   f"{checkpoint.size}", code="unknown-checkpoint", field="note")
            for c in cosignatures:
                _keep_latest(conn, checkpoint.size, c)
        return checkpoint, cosignatures

    def _listed(self) -> ColumnElement[bool]:
        c = schema.cosignatures.c
        if not self.witnesses:
            return false()
        return tuple_(c.witness, c.key_hash).in_([(w.name, w.key_hash) for w in self.witnesses])

    def cosigned_note(self) -> str | None:
        """The latest checkpoint that listed witnesses cosigned, with all their lines appended."""
        c = schema.cosignatures.c
        with self.engine.connect() as conn:
            size = conn.scalar(select(func.max(c.tree_size)).where(self._listed()))
            if size is None:
                return None
            rows = conn.execute(select(c.witness, c.key_hash, c.cosigned_at, c.signature)
                                .where(self._listed() & (c.tree_size == size))
                                .order_by(c.witness))
            lines = [Cosignature(row.witness, bytes(row.key_hash), row.cosigned_at,
                                 bytes(row.signature)).line() for row in rows]
            note: str = conn.execute(select(schema.checkpoints.c.note)
                                     .where(schema.checkpoints.c.size == size)).scalar_one()
        return add_signatures(note, lines)

    def witnessed(self, min_size: int) -> list[Witnessed]:
        """Listed witnesses that cosigned a tree of at least ``min_size`` records, each with the
        largest such tree: how many independent parties vouch for a record below ``min_size``."""
        c = schema.cosignatures.c
        largest = (select(c.witness, c.key_hash, func.max(c.tree_size).label("tree_size"))
                   .where(self._listed() & (c.tree_size >= min_size))
                   .group_by(c.witness, c.key_hash).subquery())
        query = (select(c.witness, c.tree_size, c.cosigned_at)
                 .join(largest, and_(c.witness == largest.c.witness,
                                     c.key_hash == largest.c.key_hash,
                                     c.tree_size == largest.c.tree_size))
                 .order_by(c.witness))
        with self.engine.connect() as conn:
            return [Witnessed(row.witness, row.tree_size, row.cosigned_at)
                    for row in conn.execute(query)]


def _keep_latest(conn: Connection, size: int, c: Cosignature) -> None:
    """Insert, or replace an older cosignature by the same witness of the same tree."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    table = schema.cosignatures
    stmt = insert(table).values(tree_size=size, witness=c.name, key_hash=c.key_hash,
                                cosigned_at=c.timestamp, signature=c.signature)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.tree_size, table.c.witness, table.c.key_hash],
        set_={"cosigned_at": stmt.excluded.cosigned_at, "signature": stmt.excluded.signature},
        where=table.c.cosigned_at < stmt.excluded.cosigned_at))
