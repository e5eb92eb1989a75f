"""What a log record or a counterfeit report tells whom: the webhook events and their payloads.

A payload is small and public: the event's ids, types, actors and times, and a link to
its log entry — never a confidential field, whoever subscribes (a subscriber that may
read more fetches the entry with its token). The one exception is what is the
subscriber's own: the recalled batches it holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables

RECALL, NOTICE, CASE, REPORT = "recall", "notice", "case", "report"
# The statement types that may concern a subscriber, for the dispatcher's scan of the log.
TYPES = ("batch.recall", "notice.send", "notice.answer", "case.transfer", "case.accept",
         "case.return")

_b, _h, _n, _e = tables.batches.c, tables.holdings.c, tables.notices.c, tables.case_events.c


@dataclass(frozen=True)
class Event:
    org: str  # the organisation it concerns: only that org's webhooks receive it
    kind: str  # recall | notice | case | report (what a webhook.register subscribes to)
    id: str  # log-<seq> or report-<id>: one delivery per webhook and event
    payload: dict[str, Any]


def _holders(conn: Connection, seq: int) -> dict[str, list[str]]:
    """Who holds stock of the batches the recall at `seq` marked, and which of them."""
    rows = conn.execute(select(_h.org, _h.batch, _h.quantity)
                        .join(tables.batches, _b.batch == _h.batch)
                        .where(_b.recall_seq == seq).order_by(_h.org, _h.batch))
    held: dict[str, list[str]] = {}
    for row in rows:
        if Decimal(row.quantity) > 0:
            held.setdefault(row.org, []).append(row.batch)
    return held


def _transfer_sender(conn: Connection, case: str, seq: int) -> str | None:
    """Who transferred `case` last before `seq`: the one an accept or a return answers."""
    sender: str | None = conn.scalar(
        select(_e.actor).where((_e.case == case) & (_e.type == "case.transfer") & (_e.seq < seq))
        .order_by(_e.seq.desc()).limit(1))
    return sender


def _concerned(conn: Connection, seq: int, type_: str, actor: str,
               body: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """(org, kind, fields) for each organisation the statement concerns."""
    if type_ == "batch.recall":
        for org, held in _holders(conn, seq).items():
            yield org, RECALL, {"batch": body["batch"], "reason": body["reason"], "held": held}
    elif type_ == "notice.send":
        yield body["platform"], NOTICE, {
            "notice": body["notice"], "platform": body["platform"], "reason": body["reason"],
            "deadline": body["deadline"],
            **({"listing": body["listing"]} if "listing" in body else {})}
    elif type_ == "notice.answer":
        sender = conn.scalar(select(_n.sender).where(_n.notice == body["notice"]))
        if sender is not None:
            yield sender, NOTICE, {"notice": body["notice"], "status": body["status"]}
    elif type_ == "case.transfer":
        yield body["to"], CASE, {"case": body["case"], "from": actor, "to": body["to"]}
    else:  # case.accept, case.return
        sender = _transfer_sender(conn, body["case"], seq)
        if sender is not None:
            yield sender, CASE, {"case": body["case"], "by": actor}


def of_record(conn: Connection, seq: int, statement: bytes, base_url: str) -> list[Event]:
    """The events of the log record `seq` (one of TYPES), read from the projections as they are
    now: the dispatcher runs right after the append."""
    parsed = json.loads(statement)
    type_, actor = parsed["type"], parsed["actor"]
    head = {"seq": seq, "type": type_, "actor": actor, "ts": parsed["ts"],
            "entry": f"{base_url}/v1/log/entries?start={seq}&end={seq + 1}"}
    return [Event(org, kind, f"log-{seq}", {"event": kind, "id": f"log-{seq}", **head, **fields})
            for org, kind, fields in _concerned(conn, seq, type_, actor, parsed["body"])]


def _report_orgs(conn: Connection, report: Any) -> list[str]:
    """Who the reported product is: the label's issuer, the batch's growers and its holders."""
    orgs: set[str] = set()
    if report.serial is not None:
        issuer = conn.scalar(select(tables.labels.c.issuer)
                             .where(tables.labels.c.serial == report.serial))
        if issuer is not None:
            orgs.add(issuer)
    if report.batch is not None:
        producers = conn.scalar(select(_b.producers).where(_b.batch == report.batch))
        orgs.update(json.loads(producers) if producers else [])
        orgs.update(row.org for row in conn.execute(
            select(_h.org, _h.quantity).where(_h.batch == report.batch))
            if Decimal(row.quantity) > 0)
    return sorted(orgs)


def of_report(conn: Connection, report: Any) -> list[Event]:
    """The events of a counterfeit report (a row of gi_reports): its code, never what the
    reporter wrote (that may name people; regulators read it in their queue)."""
    event_id = f"report-{report.id}"
    payload = {"event": REPORT, "id": event_id, "report": report.id,
               "created": datetime.fromtimestamp(report.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
               **{name: getattr(report, name) for name in ("gtin", "lot", "batch")
                  if getattr(report, name) is not None}}
    return [Event(org, REPORT, event_id, payload) for org in _report_orgs(conn, report)]
