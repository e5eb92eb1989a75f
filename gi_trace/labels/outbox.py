"""The webhook outbox: deliveries kept in the database until the subscriber has them.

The ledger knows nothing of webhooks, so deliveries are not written with the statement:
a dispatcher reads the log after it (from a cursor kept here) and the counterfeit reports,
and enqueues one delivery per webhook and event — idempotently, so two processes that
dispatch the same records enqueue each once. A delivery is claimed by a conditional
UPDATE with a lease (pending → sending), so two processes never send it at once and a
process that dies mid-delivery leaves it to be claimed again when the lease runs out:
nothing is lost on restart, and what may arrive twice carries the same idempotency key.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gi_trace.domain import tables as domain_tables
from gi_trace.ledger import schema
from gi_trace.ledger.database import write_transaction

from . import webhook_events
from .outbox_tables import webhook_attempts, webhook_cursors, webhook_deliveries
from .tables import reports

PAGE = 500  # log records read per dispatch
# Reports are read again this far before the newest seen: one stamped earlier may commit later.
REPORT_RESCAN_SECONDS = 300
LOG_CURSOR, REPORT_CURSOR = "log", "reports"
PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"

_d, _w, _r, _c = webhook_deliveries.c, domain_tables.webhooks.c, schema.records.c, webhook_cursors.c


@dataclass(frozen=True)
class Retry:
    """When to try again: exponential backoff from `base_ms`, capped at `max_ms`, with jitter
    (half the delay random, so failed receivers are not hit in step); `failed` after
    `max_attempts` attempts or once the delivery is `max_age_ms` old."""

    base_ms: int
    max_ms: int
    max_attempts: int
    max_age_ms: int

    def delay_ms(self, attempt: int, rng: random.Random) -> int:
        delay: int = min(self.max_ms, self.base_ms * 2 ** min(attempt - 1, 40))
        return delay // 2 + rng.randint(0, delay - delay // 2)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: SQLite's single writer from the start (no lock upgrade to fail),
    PostgreSQL's row locks (the outbox never waits for the log's append lock)."""
    if engine.dialect.name == "sqlite":
        with write_transaction(engine) as conn:
            yield conn
    else:
        with engine.begin() as conn:
            yield conn


def _insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows`, skipping those a unique key already has; how many were new."""
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(list(rows)).on_conflict_do_nothing()
    return len(conn.execute(statement.returning(*table.primary_key.columns)).all())


# -- dispatch: from the log and the reports to deliveries --------------------------------------

@dataclass(frozen=True)
class _Webhook:
    webhook: str
    org: str
    events: frozenset[str]
    seq: int
    removed_seq: int | None
    registered: int  # unix seconds of its registration, for reports (which have no seq)

    def active_at(self, seq: int) -> bool:
        return self.seq < seq and (self.removed_seq is None or seq < self.removed_seq)


def _webhooks(conn: Connection) -> list[_Webhook]:
    rows = conn.execute(select(_w.webhook, _w.org, _w.events, _w.seq, _w.removed_seq, _r.ts)
                        .join(schema.records, _r.seq == _w.seq).where(_w.url.is_not(None)))
    return [_Webhook(row.webhook, row.org, frozenset(json.loads(row.events)), row.seq,
                     row.removed_seq, int(datetime.fromisoformat(row.ts).timestamp()))
            for row in rows]


def _positions(conn: Connection, *, lock: bool) -> dict[str, int]:
    query = select(_c.name, _c.position)
    return {row.name: row.position for row in conn.execute(query.with_for_update() if lock else query)}


def _delivery(hook: _Webhook, event: webhook_events.Event, now_ms: int) -> dict[str, Any]:
    return {"webhook": hook.webhook, "event": event.id, "kind": event.kind,
            "payload": json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")),
            "status": PENDING, "attempts": 0, "created_ms": now_ms, "next_ms": now_ms}


def _log_deliveries(conn: Connection, hooks: list[_Webhook], start: int, end: int, base_url: str,
                    now_ms: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(_r.seq, _r.statement).where(
        (_r.seq >= start) & (_r.seq < end) & _r.type.in_(webhook_events.TYPES)).order_by(_r.seq))
    return [_delivery(hook, event, now_ms)
            for row in rows for event in webhook_events.of_record(conn, row.seq, row.statement, base_url)
            for hook in hooks
            if hook.org == event.org and event.kind in hook.events and hook.active_at(row.seq)]


def _report_deliveries(conn: Connection, hooks: list[_Webhook], since: int,
                       now_ms: int) -> tuple[list[dict[str, Any]], int]:
    """Deliveries of the reports since `since` (unix seconds), and the newest report's time."""
    r = reports.c
    listening = [h for h in hooks if webhook_events.REPORT in h.events and h.removed_seq is None]
    if not listening:  # a webhook registered later hears of later reports only
        return [], max(since, int(conn.scalar(select(func.coalesce(func.max(r.created), 0))) or 0))
    start = max(since, min(h.registered for h in listening)) - REPORT_RESCAN_SECONDS
    rows = list(conn.execute(select(r.id, r.created, r.gtin, r.lot, r.serial, r.batch)
                             .where(r.created >= start).order_by(r.created, r.id)))
    found = [_delivery(hook, event, now_ms)
             for row in rows for event in webhook_events.of_report(conn, row)
             for hook in listening if hook.org == event.org and hook.registered <= row.created]
    return found, max([since, *(int(row.created) for row in rows)])


def _log_range(conn: Connection, hooks: list[_Webhook], position: int) -> tuple[int, int]:
    """The records still to read, a page at most: none before the first webhook's registration."""
    size = int(conn.scalar(select(func.coalesce(func.max(_r.seq), -1))) or 0) + 1
    start = max(position, min((h.seq + 1 for h in hooks), default=size))
    return start, max(start, min(size, start + PAGE))


def _idle(engine: Engine) -> bool:
    """Nothing to dispatch: no webhook, or no record nor report since the cursors."""
    with engine.connect() as conn:
        hooks = _webhooks(conn)
        if not hooks:
            return True
        positions = _positions(conn, lock=False)
        start, end = _log_range(conn, hooks, positions.get(LOG_CURSOR, 0))
        newer = conn.scalar(select(func.count()).select_from(reports)
                            .where(reports.c.created > positions.get(REPORT_CURSOR, 0)))
        return start == end and not newer


def dispatch(engine: Engine, base_url: str, now_ms: int) -> int:
    """Enqueue the deliveries of the records appended since the last dispatch (a page of them)
    and of recent reports; how many were new. Cheap when idle: it only reads."""
    if _idle(engine):
        return 0
    with _writing(engine) as conn:
        _insert_new(conn, webhook_cursors, [{"name": LOG_CURSOR, "position": 0},
                                            {"name": REPORT_CURSOR, "position": 0}])
        positions = _positions(conn, lock=True)  # two dispatchers take turns from here
        hooks = _webhooks(conn)
        start, end = _log_range(conn, hooks, positions[LOG_CURSOR])
        found = _log_deliveries(conn, hooks, start, end, base_url, now_ms)
        from_reports, newest = _report_deliveries(conn, hooks, positions[REPORT_CURSOR], now_ms)
        added = _insert_new(conn, webhook_deliveries, found + from_reports)
        for name, position in ((LOG_CURSOR, end), (REPORT_CURSOR, newest)):
            conn.execute(update(webhook_cursors).where(_c.name == name).values(position=position))
    return added


# -- claims and results -------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A delivery this process may send until its lease runs out."""

    id: int
    webhook: str
    event: str
    url: str | None  # None once the webhook was removed: the delivery then fails unsent
    payload: bytes
    attempt: int
    created_ms: int

    @property
    def idempotency_key(self) -> str:
        """The same on every attempt of the delivery: a receiver drops a second arrival by it.
        An RFC 8941 string, as the Idempotency-Key field is."""
        return f'"{self.event}:{self.webhook}"'


def _claimable(now_ms: int) -> Any:
    return or_(and_(_d.status == PENDING, _d.next_ms <= now_ms),
               and_(_d.status == SENDING, _d.lease_ms <= now_ms))


def claim(engine: Engine, now_ms: int, lease_ms: int, limit: int) -> list[Claim]:
    """Up to `limit` due deliveries (pending and due, or sending with a lapsed lease), each
    claimed by a conditional UPDATE that only one process can win."""
    with engine.connect() as conn:
        due = list(conn.scalars(select(_d.id).where(_claimable(now_ms))
                                .order_by(_d.next_ms, _d.id).limit(limit)))
    claims = []
    for delivery in due:
        with engine.begin() as conn:
            won = conn.execute(update(webhook_deliveries)
                               .where((_d.id == delivery) & _claimable(now_ms))
                               .values(status=SENDING, lease_ms=now_ms + lease_ms,
                                       attempts=_d.attempts + 1)).rowcount
            if not won:
                continue
            row = conn.execute(select(_d.id, _d.webhook, _d.event, _d.payload, _d.attempts,
                                      _d.created_ms, _w.url, _w.removed_seq)
                               .join(domain_tables.webhooks, _w.webhook == _d.webhook)
                               .where(_d.id == delivery)).one()
        claims.append(Claim(row.id, row.webhook, row.event,
                            row.url if row.removed_seq is None else None,
                            row.payload.encode("utf-8"), row.attempts, row.created_ms))
    return claims


def finish(engine: Engine, claim: Claim, now_ms: int, *, code: int | None, error: str | None,
           retry: Retry, rng: random.Random) -> str:
    """Record the attempt and what follows: delivered on a 2xx, else pending again after the
    backoff, or failed past the attempts or the age. The status changes only while the claim
    still holds (a claimer whose lease lapsed and was claimed again changes nothing)."""
    if code is not None and 200 <= code < 300:
        values: dict[str, Any] = {"status": DELIVERED, "done_ms": now_ms}
    elif (claim.url is None or claim.attempt >= retry.max_attempts
          or now_ms - claim.created_ms >= retry.max_age_ms):
        values = {"status": FAILED, "done_ms": now_ms}
    else:
        values = {"status": PENDING, "next_ms": now_ms + retry.delay_ms(claim.attempt, rng)}
    with engine.begin() as conn:
        _insert_new(conn, webhook_attempts, [{"delivery": claim.id, "attempt": claim.attempt,
                                              "at_ms": now_ms, "code": code, "error": error}])
        conn.execute(update(webhook_deliveries)
                     .where((_d.id == claim.id) & (_d.status == SENDING)
                            & (_d.attempts == claim.attempt))
                     .values(lease_ms=None, last_code=code, last_error=error, **values))
    return str(values["status"])


# -- the subscriber's delivery log --------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    attempt: int
    at_ms: int
    code: int | None
    error: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    event: str
    kind: str
    status: str
    attempts: list[Attempt]
    created_ms: int
    next_ms: int | None  # when it is tried again (pending only)
    done_ms: int | None
    last_code: int | None
    last_error: str | None


def deliveries_of(conn: Connection, webhook: str, *, before: int | None, limit: int) -> list[Delivery]:
    """A page of the webhook's deliveries, newest first (ids below `before`), with their attempts."""
    query = select(webhook_deliveries).where(_d.webhook == webhook)
    if before is not None:
        query = query.where(_d.id < before)
    rows = list(conn.execute(query.order_by(_d.id.desc()).limit(limit)))
    a = webhook_attempts.c
    tries: dict[int, list[Attempt]] = {}
    for row in conn.execute(select(webhook_attempts).where(a.delivery.in_([r.id for r in rows]))
                            .order_by(a.delivery, a.attempt)):
        tries.setdefault(row.delivery, []).append(Attempt(row.attempt, row.at_ms, row.code, row.error))
    return [Delivery(row.id, row.event, row.kind, row.status, tries.get(row.id, []), row.created_ms,
                     row.next_ms if row.status == PENDING else None, row.done_ms, row.last_code,
                     row.last_error) for row in rows]
