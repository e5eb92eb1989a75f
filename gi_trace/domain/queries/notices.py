"""Takedown notices as the public, a platform and a regulator read them, with what the log's
times say of them: how long the platform took to respond, and whether it is overdue.

Everything about a notice is public (who asked which platform to take what down, why, by
when, and what it answered) except its evidence, a confidential field: it shows only to
whoever may read the notice.send's disclosures (its sender, the platform, regulators).

Times are judged against `now`, which the caller passes (the server's clock at read time),
to the second: a notice is overdue once the whole second of its deadline has passed with no
final answer (removed or disputed). An acknowledgement is a response, not a takedown, so an
acknowledged notice still falls overdue.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median_low
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from gi_trace.domain import tables
from gi_trace.domain.notices import FINAL
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.domain.queries.visibility import PUBLIC, Viewer, readable
from gi_trace.ledger.statement import format_ts, parse_ts

STATUSES = ("open", "acknowledged", "removed", "disputed")
_SECOND = 19  # len("2026-11-24T08:00:00"): a ts cut to the second, which orders as text
_n = tables.notices.c


@dataclass(frozen=True)
class Notice:
    notice: str
    platform: str
    listing: str | None
    url: str | None
    reason: str
    detail: str | None
    deadline: str
    sender: str
    sent_ts: str
    seq: int
    status: str
    acknowledged_ts: str | None
    answered_ts: str | None  # removed or disputed
    answer_reason: str | None
    answer_seq: int | None
    evidence: dict[str, list[str]] | None  # None unless the viewer may read the notice.send
    response_seconds: int | None  # sent → the platform's first answer; None before it answers
    overdue: bool


@dataclass(frozen=True)
class PlatformNotices:
    """One platform's notices: how many wait for a takedown, how many are past their deadline,
    and how fast it responds (median of its responded notices, seconds)."""

    platform: str
    notices: int
    open: int  # not yet removed or disputed
    overdue: int
    responded: int
    median_response_seconds: int | None


def _seconds(row: Any) -> int | None:
    first = row.acknowledged_ts or row.answered_ts
    if first is None:
        return None
    return int((parse_ts(first) - parse_ts(row.sent_ts)).total_seconds())


def _overdue(row: Any, now: datetime) -> bool:
    return row.status not in FINAL and str(row.deadline)[:_SECOND] < format_ts(now)[:_SECOND]


def _notice(row: Any, now: datetime, disclosed: bool) -> Notice:
    evidence = json.loads(row.evidence) if disclosed and row.evidence is not None else None
    return Notice(row.notice, row.platform, row.listing, row.url, row.reason, row.detail,
                  row.deadline, row.sender, row.sent_ts, row.seq, row.status, row.acknowledged_ts,
                  row.answered_ts, row.answer_reason, row.answer_seq, evidence, _seconds(row),
                  _overdue(row, now))


def _overdue_clause(now: datetime) -> ColumnElement[bool]:
    """The SQL twin of `_overdue`."""
    return (_n.status.not_in(FINAL)
            & (func.substr(_n.deadline, 1, _SECOND) < format_ts(now)[:_SECOND]))


def list_notices(conn: Connection, now: datetime, *, limit: int, after: str | None = None,
                 viewer: Viewer = PUBLIC, platform: str | None = None, sender: str | None = None,
                 status: str | None = None, settled: bool | None = None,
                 overdue: bool | None = None) -> Page[Notice]:
    """Notices by id, filtered as asked; evidence shows where `viewer` may read it."""
    query = select(tables.notices).order_by(_n.notice).limit(limit + 1)
    if after is not None:
        query = query.where(_n.notice > after)
    if platform is not None:
        query = query.where(_n.platform == platform)
    if sender is not None:
        query = query.where(_n.sender == sender)
    if status is not None:
        query = query.where(_n.status == status)
    if settled is not None:
        query = query.where(_n.status.in_(FINAL) if settled else _n.status.not_in(FINAL))
    if overdue is not None:
        query = query.where(_overdue_clause(now) if overdue else ~_overdue_clause(now))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.notice))
    disclosed = readable(conn, viewer, [row.seq for row in rows])
    return Page([_notice(row, now, row.seq in disclosed) for row in rows], next_)


def get_notice(conn: Connection, notice: str, now: datetime,
               viewer: Viewer = PUBLIC) -> Notice | None:
    row = conn.execute(select(tables.notices).where(_n.notice == notice)).first()
    if row is None:
        return None
    return _notice(row, now, bool(readable(conn, viewer, [row.seq])))


def by_platform(conn: Connection, now: datetime) -> list[PlatformNotices]:
    """Every platform that was sent a notice, by id. One pass over the notices: a GI's
    takedowns number in the thousands a year, and a median needs them all."""
    rows = conn.execute(select(_n.platform, _n.status, _n.deadline, _n.sent_ts,
                               _n.acknowledged_ts, _n.answered_ts).order_by(_n.platform)).all()
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.platform].append(row)
    summaries = []
    for platform, notices in grouped.items():
        times = [s for s in map(_seconds, notices) if s is not None]
        summaries.append(PlatformNotices(
            platform, len(notices), sum(row.status not in FINAL for row in notices),
            sum(_overdue(row, now) for row in notices), len(times),
            median_low(times) if times else None))
    return summaries
