"""Re-derive projections from the log: every record's effects again, nothing re-appended.

The log is the truth and the tables that the API reads are projections of it;
this is how they are rebuilt (after a bug fix in a rule, or to check them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from . import schema
from .errors import LedgerError
from .identity import Identity
from .record import Record
from .rules import AppendContext, Rule
from .statement import Envelope, Statement

PAGE = 1000
IDENTITY_TABLES: tuple[Table, ...] = (schema.keys, schema.orgs)


class ReplayError(LedgerError):
    code = "replay-failed"


def stored_records(conn: Connection) -> Iterator[Record]:
    """The log's records in order, a page at a time (safe while writing on `conn`)."""
    r = schema.records.c
    start = 0
    while True:
        rows = conn.execute(select(r.seq, r.statement, r.signature, r.prev, r.record_hash)
                            .where((r.seq >= start) & (r.seq < start + PAGE)).order_by(r.seq)).all()
        if not rows:
            return
        for row in rows:
            yield Record(row.seq, bytes(row.statement), bytes(row.signature), bytes(row.prev),
                         bytes(row.record_hash))
        start += PAGE


def rebuild(conn: Connection, identity: Identity, rules: Sequence[Rule],
            projections: Sequence[Table], *,
            progress: Callable[[int], None] | None = None) -> int:
    """Empty the projection tables and replay the whole log into them; the records replayed.

    Run it inside the writer's transaction, so no append interleaves."""
    for table in (*projections, *IDENTITY_TABLES):
        conn.execute(delete(table))
    cache: dict[str, Any] = {}
    count = 0
    for record in stored_records(conn):
        ctx = AppendContext(conn, record.seq,
                            Envelope(Statement.from_bytes(record.statement), record.signature), cache)
        try:
            identity.apply(ctx)
            for rule in rules:
                rule.apply(ctx)
        except LedgerError as e:
            raise ReplayError(f"seq {record.seq} no longer passes the rules: {e.message}",
                              field=e.field) from e
        count += 1
        if progress is not None and count % PAGE == 0:
            progress(count)
    return count
