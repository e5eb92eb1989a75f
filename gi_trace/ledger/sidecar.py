"""What the log keeps beside a record: its disclosures, its attachments, who may read them.

None of it is in the leaf, the records served, or the tiles; who may read a record's
disclosures (its actor, the readers a rule named, regulators) is the reads' to decide.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from . import schema
from .disclosure import Disclosure, parse_disclosures
from .statement import Envelope


@dataclass(frozen=True)
class Sidecar:
    seq: int
    disclosures: tuple[Disclosure, ...] = ()
    attachments: Mapping[str, Any] = field(default_factory=dict)
    readers: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """The bundle line of a regulator's export (readers are the server's, not the log's)."""
        return {"seq": self.seq, "disclosures": [d.to_json() for d in self.disclosures],
                **({"attachments": dict(self.attachments)} if self.attachments else {})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sidecar:
        seq = data["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise ValueError("seq must be a non-negative integer")
        attachments = data.get("attachments", {})
        if not isinstance(attachments, dict):
            raise ValueError("attachments must be an object")
        return cls(seq, parse_disclosures(data.get("disclosures", [])), attachments)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sidecar_row(seq: int, envelope: Envelope) -> tuple[int, str | None, str | None] | None:
    """The row to keep for a record, or None when nothing travels beside it."""
    disclosures = envelope.disclosures or ()
    if not disclosures and not envelope.attachments:
        return None
    return (seq, _dumps([d.to_json() for d in disclosures]) if disclosures else None,
            _dumps(dict(envelope.attachments)) if envelope.attachments else None)


def read_sidecars(conn: Connection, start: int, end: int, *,
                  attachments: bool = True) -> dict[int, Sidecar]:
    """The sidecars of records start <= seq < end (those that have one)."""
    s, r = schema.sidecars.c, schema.readers.c
    readers: dict[int, set[str]] = {}
    for row in conn.execute(select(r.seq, r.org).where((r.seq >= start) & (r.seq < end))):
        readers.setdefault(row.seq, set()).add(row.org)
    columns = [s.seq, s.disclosures] + ([s.attachments] if attachments else [])
    found = {}
    for row in conn.execute(select(*columns).where((s.seq >= start) & (s.seq < end))):
        found[row.seq] = Sidecar(
            row.seq, tuple(Disclosure(*d) for d in json.loads(row.disclosures or "[]")),
            json.loads(row.attachments or "{}") if attachments else {},
            frozenset(readers.get(row.seq, ())))
    return found


def all_sidecars(conn: Connection, page: int = 1000) -> Iterator[Sidecar]:
    """Every sidecar in seq order, a page at a time (memory stays flat whatever the log)."""
    s = schema.sidecars.c
    after = -1
    while True:
        seqs = list(conn.scalars(select(s.seq).where(s.seq > after).order_by(s.seq).limit(page)))
        if not seqs:
            return
        chunk = read_sidecars(conn, seqs[0], seqs[-1] + 1)
        yield from (chunk[seq] for seq in seqs)
        after = seqs[-1]
