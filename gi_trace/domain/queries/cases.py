"""Cases across regions, as regulators read them, and typical cases, as the public does.

Who reads what (issue 12): a case's steps, regulators and outcome are public on the log,
its working summary and the reasons of its transfers and returns are confidential, and a
regulator reads every disclosure (`visibility.Viewer.sees_all`). So any regulator may read
any case by id, summary and reasons included; a regulator's list holds the cases its
region touches (opened, held, transferred to or from it). The public reads only closed
cases their regulator published as typical: product, outcome, public summary, dates and
the regions involved, never the sources, the working summary or a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.ledger.sidecar import read_sidecars

Direction = Literal["in", "out"]
STATUSES = ("open", "transferring", "closed")
_c, _e, _o = tables.cases.c, tables.case_events.c, tables.orgs.c


@dataclass(frozen=True)
class Step:
    """One signed step of a case: opened, transferred (to whom), accepted, returned, closed."""

    seq: int
    type: str
    actor: str
    to: str | None
    ts: str
    reason: str | None  # a transfer's or a return's (confidential: regulators read it)


@dataclass(frozen=True)
class Transfer:
    """A clue transfer and its answer: pending, accepted or returned."""

    seq: int
    from_: str
    to: str
    ts: str
    answer: str  # pending | accepted | returned
    answered_ts: str | None


@dataclass(frozen=True)
class Case:
    case: str
    product: str
    status: str
    opened_by: str
    holder: str
    pending_to: str | None
    outcome: str | None
    published: bool
    public_summary: str | None
    opened_ts: str
    closed_ts: str | None
    seq: int
    sources: dict[str, list[str]]
    summary: str | None
    direction: Direction | None = None  # for a list: a transfer into or out of the reader's region
    history: list[Step] | None = None  # for one case
    transfers: list[Transfer] | None = None


@dataclass(frozen=True)
class TypicalCase:
    """A closed case published for the public: nothing confidential."""

    case: str
    product: str
    outcome: str
    summary: str
    opened_ts: str
    closed_ts: str
    regions: list[str]  # the admin codes of the regulators that handled it
    regulators: list[str]


def _case(row: Any, **extra: Any) -> Case:
    return Case(row.case, row.product, row.status, row.opened_by, row.holder, row.pending_to,
                row.outcome, bool(row.published), row.public_summary, row.opened_ts,
                row.closed_ts, row.seq, json.loads(row.sources), row.summary, **extra)


def region_members(conn: Connection, org: str) -> frozenset[str]:
    """The organisations of `org`'s region (itself alone when it names none)."""
    region = conn.scalar(select(_o.region).where(_o.org == org))
    if region is None:
        return frozenset({org})
    return frozenset(conn.scalars(select(_o.org).where(_o.region == region))) | {org}


def _direction(row: Any, members: frozenset[str]) -> Direction | None:
    if row.status != "transferring":
        return None
    return "in" if row.pending_to in members else "out" if row.holder in members else None


def list_cases(conn: Connection, org: str, *, limit: int, after: str | None = None,
               status: str | None = None) -> Page[Case]:
    """The cases `org`'s region touches (any step signed by, or transferred to, one of its
    organisations), by id."""
    members = region_members(conn, org)
    touched = select(_e.case).where(_e.actor.in_(members) | _e.to.in_(members))
    query = (select(tables.cases).where(_c.case.in_(touched)).order_by(_c.case)
             .limit(limit + 1))
    if after is not None:
        query = query.where(_c.case > after)
    if status is not None:
        query = query.where(_c.status == status)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.case))
    return Page([_case(row, direction=_direction(row, members)) for row in rows], next_)


def _reasons(conn: Connection, seqs: list[int]) -> dict[int, str]:
    """The disclosed `reason` of each of these records that has one."""
    found: dict[int, str] = {}
    for seq in seqs:
        sidecar = read_sidecars(conn, seq, seq + 1, attachments=False).get(seq)
        found.update((seq, d.value) for d in (sidecar.disclosures if sidecar else ())
                     if d.name == "reason")
    return found


def _transfers(history: list[Step]) -> list[Transfer]:
    transfers: list[Transfer] = []
    for step in history:
        if step.type == "case.transfer" and step.to is not None:
            transfers.append(Transfer(step.seq, step.actor, step.to, step.ts, "pending", None))
        elif step.type in ("case.accept", "case.return") and transfers:
            answer = "accepted" if step.type == "case.accept" else "returned"
            last = transfers[-1]
            transfers[-1] = Transfer(last.seq, last.from_, last.to, last.ts, answer, step.ts)
    return transfers


def get_case(conn: Connection, case: str) -> Case | None:
    """One case with its history (reasons included) and its transfers, oldest first."""
    row = conn.execute(select(tables.cases).where(_c.case == case)).first()
    if row is None:
        return None
    events = conn.execute(select(tables.case_events).where(_e.case == case)
                          .order_by(_e.seq)).all()
    reasons = _reasons(conn, [e.seq for e in events
                              if e.type in ("case.transfer", "case.return")])
    history = [Step(e.seq, e.type, e.actor, e.to, e.ts, reasons.get(e.seq)) for e in events]
    return _case(row, history=history, transfers=_transfers(history))


def typical_cases(conn: Connection, *, limit: int, after: str | None = None
                  ) -> Page[TypicalCase]:
    """Closed cases published as typical, by id."""
    query = (select(tables.cases).where((_c.status == "closed") & _c.published)
             .order_by(_c.case).limit(limit + 1))
    if after is not None:
        query = query.where(_c.case > after)
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.case))
    handlers: dict[str, set[str]] = {row.case: set() for row in rows}
    for event in conn.execute(select(_e.case, _e.actor, _e.to)
                              .where(_e.case.in_(list(handlers)))):
        handlers[event.case].update(o for o in (event.actor, event.to) if o is not None)
    involved = set().union(*handlers.values())
    regions = {row.org: row.region for row in conn.execute(
        select(_o.org, _o.region).where(_o.org.in_(involved)))}
    return Page([TypicalCase(
        row.case, row.product, row.outcome, row.public_summary, row.opened_ts, row.closed_ts,
        sorted({regions[o] for o in handlers[row.case] if regions.get(o)}),
        sorted(handlers[row.case])) for row in rows], next_)
