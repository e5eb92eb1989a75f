"""What a reporter reads with a receipt code: its report, the cases built on it, a reward.

received → in-case (a case names the report among its sources) → rewarded (reward.grant on
the log) → claimed (off the log, gi_trace.labels.reward_claims). Cases show only what the
log publishes of them (id, status, outcome, the regulator holding it, dates), never their
working summary; the report shows nothing the reporter did not send but its id and date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from gi_trace.domain import tables as domain_tables
from gi_trace.ledger.statement import format_ts

from .tables import reports, reward_claims

STATES = ("received", "in-case", "rewarded", "claimed")
_c, _rw = domain_tables.cases.c, domain_tables.rewards.c


@dataclass(frozen=True)
class CaseLine:
    case: str
    status: str  # open | transferring | closed
    outcome: str | None
    holder: str  # the regulator handling it
    opened_ts: str
    closed_ts: str | None


@dataclass(frozen=True)
class RewardLine:
    reward: str
    case: str
    amount: str  # yuan
    ts: str
    claimed_at: str | None


@dataclass(frozen=True)
class ReceiptStatus:
    report: str
    received: str  # RFC 3339
    state: str  # one of STATES
    cases: list[CaseLine]
    reward: RewardLine | None


def unix_ts(seconds: int) -> str:
    return format_ts(datetime.fromtimestamp(seconds, UTC))


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _cases(conn: Connection, report_id: str) -> list[CaseLine]:
    """Cases whose sources name the report: a LIKE narrows, the JSON decides."""
    pattern = f'%"{_like_literal(report_id)}"%'
    rows = conn.execute(select(_c.case, _c.status, _c.outcome, _c.holder, _c.opened_ts,
                               _c.closed_ts, _c.sources)
                        .where(_c.sources.like(pattern, escape="\\")).order_by(_c.seq)).all()
    return [CaseLine(row.case, row.status, row.outcome, row.holder, row.opened_ts, row.closed_ts)
            for row in rows if report_id in json.loads(row.sources).get("reports", [])]


def _reward(conn: Connection, report_id: str) -> RewardLine | None:
    k = reward_claims.c
    row = conn.execute(select(_rw.reward, _rw.case, _rw.amount, _rw.ts, k.claimed_at)
                       .select_from(domain_tables.rewards.outerjoin(reward_claims,
                                                                    k.reward == _rw.reward))
                       .where(_rw.report == report_id)).first()
    if row is None:
        return None
    claimed = None if row.claimed_at is None else unix_ts(row.claimed_at)
    return RewardLine(row.reward, row.case, row.amount, row.ts, claimed)


def receipt_status(conn: Connection, report_id: str) -> ReceiptStatus:
    """The status of a report the caller proved to be the reporter of (by its receipt code)."""
    created = conn.scalar(select(reports.c.created).where(reports.c.id == report_id))
    if created is None:
        raise LookupError(report_id)
    cases = _cases(conn, report_id)
    reward = _reward(conn, report_id)
    if reward is not None:
        state = "claimed" if reward.claimed_at is not None else "rewarded"
    else:
        state = "in-case" if cases else "received"
    return ReceiptStatus(report_id, unix_ts(created), state, cases, reward)
