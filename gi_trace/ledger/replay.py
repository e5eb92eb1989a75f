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
from .sidecar import Sidecar, read_sidecars
from .statement import Envelope, Statement

PAGE = 1000
IDENTITY_TABLES: tuple[Table, ...] = (schema.keys, schema.orgs)
SIDECAR_TABLES: tuple[Table, ...] = (schema.readers,)


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


def stored_envelopes(conn: Connection) -> Iterator[tuple[Record, Envelope]]:
    """Each record with its envelope as appended: disclosures and attachments restored."""
    page: dict[int, Sidecar] = {}
    for record in stored_records(conn):
        if record.seq % PAGE == 0:
            page = read_sidecars(conn, record.seq, record.seq + PAGE)
        sidecar = page.get(record.seq, Sidecar(record.seq))
        yield record, Envelope(Statement.from_bytes(record.statement), record.signature,
                               sidecar.disclosures, sidecar.attachments)


def rebuild(conn: Connection, identity: Identity, rules: Sequence[Rule],
            projections: Sequence[Table], *,
            progress: Callable[[int], None] | None = None) -> int:
    """Empty the projection tables and replay the whole log into them; the records replayed.

    Run it inside the writer's transaction, so no append interleaves."""
    for table in (*projections, *IDENTITY_TABLES, *SIDECAR_TABLES):
        conn.execute(delete(table))
    cache: dict[str, Any] = {}
    count = 0
    for record, envelope in stored_envelopes(conn):
        try:
            ctx = AppendContext(conn, record.seq, envelope, cache)
            identity.apply(ctx)
            for rule in rules:
                rule.apply(ctx)
            _keep_readers(conn, ctx)
        except LedgerError as e:
            raise ReplayError(f"seq {record.seq} no longer passes the rules: {e.message}",
                              field=e.field) from e
        count += 1
        if progress is not None and count % PAGE == 0:
            progress(count)
    return count


def _keep_readers(conn: Connection, ctx: AppendContext) -> None:
    readers = sorted(ctx.readers - {ctx.statement.actor})
    if readers:
        conn.execute(schema.readers.insert(), [{"seq": ctx.seq, "org": org} for org in readers])
