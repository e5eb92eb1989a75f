"""Bulk intake: rows already mapped to drafts (csv_intake, epcis_intake), checked here, then
signed and appended in lists of at most 1,000, each list all or nothing.

Every row is checked against the body schemas the server loads (gi_trace.domain.bodies) and
the date rule first (`precheck`): when one fails, nothing is sent and every failing row is
reported, so a cooperative fixes its sheet once. A list the server refuses is appended in
no part; the row at fault is reported with the server's problem code and field, and the
list's other rows as not appended, so the report says exactly which rows to send again.
Later lists are still sent: each stands alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gi_trace.domain.bodies import load_body
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.log import MAX_BATCH

from .client import Client
from .drafts import Draft
from .errors import ProblemError, StatementError
from .log import Receipt
from .org_check import about_the_signer
from .precheck import check_dates

MAX_LIST = MAX_BATCH  # statements in one POST: what the server appends in one transaction


@dataclass(frozen=True)
class Row:
    """A statement to send, and where it came from (a CSV line, an EPCIS event)."""

    number: int
    draft: Draft


@dataclass(frozen=True)
class Refusal:
    """Why a row was not appended: the field at fault (the source's name for it when known)
    and the code of the rule, the server's or this machine's."""

    number: int
    code: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"row {self.number}: {self.code}{where}: {self.message}"


@dataclass
class Outcome:
    appended: list[Receipt] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    not_appended: list[int] = field(default_factory=list)  # rows of refused lists, not at fault

    @property
    def ok(self) -> bool:
        return not self.refused and not self.not_appended


FieldNames = Callable[[str | None], str | None]
"""Turns a statement field (`body.origin.lat`) into the source's name for it (`lat`)."""


def _same(field: str | None) -> str | None:
    return field


def precheck(rows: Sequence[Row], *, names: FieldNames = _same,
             now: datetime | None = None) -> list[Refusal]:
    """Every row the server would refuse for its shape or date, checked on this machine."""
    ts = now or datetime.now(UTC)
    refused = []
    for row in rows:
        try:
            load_body(row.draft.type, row.draft.body)
            check_dates(row.draft, ts)
        except MalformedError as e:
            refused.append(Refusal(row.number, e.code, names(e.field), e.message))
        except StatementError as e:
            # Its message reads "code [field]: reason"; the refusal has code and field apart.
            refused.append(Refusal(row.number, e.code, names(e.field), e.message.split(": ", 1)[-1]))
    return refused


def lists(rows: Sequence[Row], size: int = MAX_LIST) -> list[Sequence[Row]]:
    if not 1 <= size <= MAX_LIST:
        raise ValueError(f"a list holds 1 to {MAX_LIST} statements, not {size}")
    return [rows[start:start + size] for start in range(0, len(rows), size)]


def submit(client: Client, rows: Sequence[Row], *, size: int = MAX_LIST,
           names: FieldNames = _same,
           progress: Callable[[int], None] = lambda done: None) -> Outcome:
    """Sign and append the rows list by list; `progress` hears how many rows each list settled.

    A transport or verification failure stops the import (raised, after the lists before
    it were appended and verified); a refusal only settles its own list.
    """
    outcome = Outcome()
    for batch in lists(rows, size):
        try:
            outcome.appended += client.submit_many([row.draft for row in batch])
        except ProblemError as e:
            if about_the_signer(e):
                raise  # no row of any list can pass: the org or key is wrong (org_check)
            if e.index is None or not 0 <= e.index < len(batch):
                outcome.refused += [Refusal(row.number, e.code, names(e.field), e.detail)
                                    for row in batch]
            else:
                at_fault = batch[e.index].number
                outcome.refused.append(Refusal(at_fault, e.code, names(e.field), e.detail))
                outcome.not_appended += [row.number for row in batch if row.number != at_fault]
        progress(len(batch))
    return outcome
