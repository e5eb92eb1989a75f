"""The labels an issuer may print: its own, still to be used, streamed for a sheet.

A label's serial and signature are the special sign itself (whoever has them can print
a copy that scans GENUINE), so this is the only read that hands them out, and only to
the special-sign user that issued them. What a scan shows of a label is
`gi_trace.labels.facts`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables


@dataclass(frozen=True)
class IssuedLabel:
    gtin: str
    lot: str
    serial: str
    sig: str


def issued_labels(conn: Connection, batch: str, issuer: str, *,
                  chunk: int = 1000) -> Iterator[IssuedLabel]:
    """The labels `issuer` issued on the batch that are neither void nor sold, in issue order,
    streamed `chunk` rows at a time so that a sheet of 100,000 labels never sits in memory."""
    lab = tables.labels.c
    rows = conn.execution_options(yield_per=chunk).execute(
        select(lab.gtin, lab.lot, lab.serial, lab.sig)
        .where((lab.batch == batch) & (lab.issuer == issuer) & (lab.status == "issued"))
        .order_by(lab.issue_seq, lab.idx, lab.serial))
    for row in rows:
        yield IssuedLabel(row.gtin, row.lot, row.serial, row.sig)
