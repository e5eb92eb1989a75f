"""Claims of reporter rewards: the reporter, who has no key, claims with the receipt code.

A reward is granted on the log (reward.grant, gi_trace.domain.rewards); the claim is kept
here, off the log, once per reward (the primary key refuses a second even from two
workers at once). The payout reference the reporter types (e.g. an Alipay account) is
stored in clear for the regulator who pays: it is personal data, never on the log and
read only through `rewards` (regulators only). Encrypting it would not keep it from the
regulators who must read it, and the server would hold the key anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from gi_trace.domain import tables as domain_tables
from gi_trace.domain.queries.paging import Page, cut
from gi_trace.ledger.errors import ConflictError

from .receipt_status import RewardLine, receipt_status, unix_ts
from .reports import clean_text
from .tables import reward_claims

PAYOUT_FIELD = "payout_ref"
_rw, _k = domain_tables.rewards.c, reward_claims.c


@dataclass(frozen=True)
class Reward:
    """A granted reward and its claim, as a regulator reads it."""

    reward: str
    report: str
    case: str
    amount: str
    regulator: str
    ts: str
    claimed_at: str | None
    payout_ref: str | None


def _already(reward: str) -> ConflictError:
    return ConflictError(f"reward {reward!r} was already claimed", code="already-claimed",
                         field="code")


def claim(engine: Engine, report_id: str, payout_ref: object, *, now: int) -> RewardLine:
    """Record the claim of the reward granted on `report_id`: ConflictError when there is none
    yet (`not-rewarded`) or it was claimed (`already-claimed`)."""
    payout = clean_text(payout_ref, PAYOUT_FIELD, required=True)
    with engine.connect() as conn:
        reward = receipt_status(conn, report_id).reward
    if reward is None:
        raise ConflictError("this report has not been rewarded (yet)", code="not-rewarded",
                            field="code")
    if reward.claimed_at is not None:
        raise _already(reward.reward)
    try:
        with engine.begin() as conn:
            conn.execute(insert(reward_claims).values(reward=reward.reward, claimed_at=now,
                                                      payout_ref=payout))
    except IntegrityError as e:  # another worker's claim won
        raise _already(reward.reward) from e
    return RewardLine(reward.reward, reward.case, reward.amount, reward.ts, unix_ts(now))


def rewards(conn: Connection, *, limit: int, after: str | None = None,
            claimed: bool | None = None) -> Page[Reward]:
    """Rewards by id, with their claims; `claimed` keeps only the claimed (or unclaimed) ones."""
    query = (select(_rw.reward, _rw.report, _rw.case, _rw.amount, _rw.regulator, _rw.ts,
                    _k.claimed_at, _k.payout_ref)
             .select_from(domain_tables.rewards.outerjoin(reward_claims, _k.reward == _rw.reward))
             .order_by(_rw.reward).limit(limit + 1))
    if after is not None:
        query = query.where(_rw.reward > after)
    if claimed is not None:
        query = query.where(_k.reward.is_not(None) if claimed else _k.reward.is_(None))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.reward))
    return Page([Reward(row.reward, row.report, row.case, row.amount, row.regulator, row.ts,
                        None if row.claimed_at is None else unix_ts(row.claimed_at),
                        row.payout_ref) for row in rows], next_)
