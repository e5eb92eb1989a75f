"""Who reads, and which confidential values they may see (DESIGN.md, "Confidential by default").

The projections hold every value the rules checked, disclosed ones too; a read shows a
confidential value only to whoever may read the disclosures of the statement it came
from: a regulator, the statement's actor, or an organisation a rule named as a reader
(the receiver of a shipment, the sender of a receipt, the issuer of a voided label).
The public reads what the log itself publishes.

Events of the projections are filtered the same way: `public_detail` is what an event
shows to a viewer who may not read its statement. Statement types missing from
`PUBLIC_EVENT_DETAIL` tie a batch to confidential fields (a shipment's items, a label's
serials), so their events are shown only to their readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.ledger import schema

_CHUNK = 500  # seqs per IN list, well inside every database's limit of bound parameters


@dataclass(frozen=True)
class Viewer:
    """Who reads: the public (no org), an organisation, or a regulator (who sees everything)."""

    org: str | None = None
    regulator: bool = False

    @property
    def sees_all(self) -> bool:
        return self.regulator

    @property
    def party(self) -> str | None:
        """The org whose batches bound what it may list; None for a regulator (all of them)."""
        return None if self.regulator else self.org


PUBLIC = Viewer()
OPERATOR = Viewer(regulator=True)  # the server itself: exports for a regulator or the operator


def readable(conn: Connection, viewer: Viewer, seqs: Iterable[int]) -> frozenset[int]:
    """The records among `seqs` whose confidential values `viewer` may read."""
    wanted = sorted(set(seqs))
    if viewer.sees_all:
        return frozenset(wanted)
    if viewer.org is None or not wanted:
        return frozenset()
    r, rd = schema.records.c, schema.readers.c
    named = select(rd.seq).where(rd.org == viewer.org)
    found: set[int] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i:i + _CHUNK]
        found.update(conn.scalars(select(r.seq).where(
            r.seq.in_(chunk) & ((r.actor == viewer.org) | r.seq.in_(named)))))
    return frozenset(found)


# What an event of each type shows a viewer who may not read its statement: the statement's
# public fields, and what the public lineage says. Never a quantity, a counterparty, a
# shipment id, a reason other than a recall's, or a serial.
PUBLIC_EVENT_DETAIL: dict[str, frozenset[str]] = {
    "batch.register": frozenset({"lot", "harvested"}),
    "batch.split": frozenset({"kind", "into", "parent"}),
    "batch.merge": frozenset({"kind", "into", "parents"}),
    "batch.process": frozenset({"kind", "process", "into", "inputs"}),
    "batch.recall": frozenset({"recalled", "reason"}),
    "label.issue": frozenset({"gtin", "count", "pack"}),
}


def public_detail(type_: str, detail: dict[str, Any]) -> dict[str, Any] | None:
    """An event's detail as the public may see it; None when the event itself is confidential."""
    shown = PUBLIC_EVENT_DETAIL.get(type_)
    if shown is None:
        return None
    return {key: value for key, value in detail.items() if key in shown}
