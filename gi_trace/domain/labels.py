"""Special-sign labels: issued by a batch's producer, never more than the batch's units,
each carrying the producer's signature (statement v1; v2's label.issue is in
`label_issue`); voided by their issuer or sold by a holder.

A voided or sold label's issuer may read that statement's disclosures (`ctx.readers`):
the serials of its own labels. A voided v2 label gives its mass-balance charge back.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_FLOOR
from typing import Any

from sqlalchemy import bindparam, func, select, update

from gi_trace.domain import label_balance, state, tables
from gi_trace.domain.approvals import require_not_suspended
from gi_trace.domain.label_signature import label_message
from gi_trace.domain.quantity import parse_quantity
from gi_trace.domain.recall import descendants
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.identity import stored_public_keys
from gi_trace.ledger.keys import first_bad_signature
from gi_trace.ledger.rules import AppendContext

_l, _g = tables.labels.c, tables.gtins.c
_COUNT = select(func.count()).select_from(tables.labels).where(_l.batch == bindparam("batch"))
_GTIN_PRODUCT = select(_g.product).where(_g.gtin == bindparam("gtin"))
_INSERT = tables.labels.insert()
_SET_STATUS = update(tables.labels).where(_l.serial == bindparam("s_serial")).values(
    status=bindparam("s_status"), status_seq=bindparam("s_seq"), status_ts=bindparam("s_ts"),
    status_by=bindparam("s_by"), reason=bindparam("s_reason"))


def issue(ctx: AppendContext, body: dict[str, Any]) -> None:
    statement = ctx.statement
    batch = state.batch(ctx, body["batch"], "body.batch")
    if batch.producer != statement.actor:
        raise forbidden(f"only the batch's producer ({batch.producer}) may issue its labels")
    if ctx.conn.scalar(_GTIN_PRODUCT, {"gtin": body["gtin"]}) != batch.product:
        raise violation("gtin-not-of-product", f"GTIN {body['gtin']} is not one of product "
                        f"{batch.product}'s GTINs", "body.gtin")
    require_not_suspended(ctx, batch.product, batch.producer)
    units = int(parse_quantity(batch.quantity).to_integral_value(ROUND_FLOOR))
    issued = ctx.conn.scalar(_COUNT, {"batch": batch.batch}) or 0
    if issued + len(body["serials"]) > units:
        raise violation("labels-exceed-units", f"batch {batch.batch} has {units} units and "
                        f"{issued} labels already; {len(body['serials'])} more would exceed it",
                        "body.serials")
    _check_label_signatures(ctx, body, batch.lot)
    taken = _existing(ctx, body["serials"])
    if taken:
        index = body["serials"].index(taken[0])
        raise violation("duplicate-serial", f"serial {taken[0]} was issued before",
                        f"body.serials[{index}]")
    ctx.conn.execute(_INSERT, [
        {"serial": serial, "gtin": body["gtin"], "batch": batch.batch, "lot": batch.lot,
         "issuer": statement.actor, "key": statement.key, "sig": sig, "status": "issued",
         "issue_seq": ctx.seq, "issue_ts": statement.ts_text, "status_seq": None, "status_ts": None,
         "status_by": None, "reason": None, "idx": index}
        for index, (serial, sig) in enumerate(zip(body["serials"], body["sigs"], strict=True))])
    state.event(ctx, batch.batch, gtin=body["gtin"], count=len(body["serials"]))


def _check_label_signatures(ctx: AppendContext, body: dict[str, Any], lot: str) -> None:
    """Every printed `s` must verify, so no label in the log can fail a scan's check."""
    key = ctx.statement.key
    pub = stored_public_keys(ctx.conn, [key])[key]
    items = [(pub, label_message(body["gtin"], lot, serial, key),
              b64url_decode(sig, field=f"body.sigs[{i}]"))
             for i, (serial, sig) in enumerate(zip(body["serials"], body["sigs"], strict=True))]
    bad = first_bad_signature(items)
    if bad is not None:
        raise violation("bad-label-signature", f"the signature of serial {body['serials'][bad]} "
                        f"does not verify with key {key}", f"body.sigs[{bad}]")


def _existing(ctx: AppendContext, serials: list[str]) -> list[str]:
    rows = ctx.conn.execute(select(_l.serial).where(_l.serial.in_(serials)))
    return sorted({row.serial for row in rows}, key=serials.index)


def _labels(ctx: AppendContext, serials: list[str]) -> list[Any]:
    rows = {row.serial: row for row in ctx.conn.execute(
        select(tables.labels).where(_l.serial.in_(serials)))}
    for index, serial in enumerate(serials):
        row = rows.get(serial)
        field = f"body.serials[{index}]"
        if row is None:
            raise violation("unknown-label", f"no label with serial {serial}", field)
        if row.status != "issued":
            raise violation(f"label-{row.status}", f"label {serial} is already {row.status}", field)
    return [rows[serial] for serial in serials]


def _set_status(ctx: AppendContext, rows: list[Any], status: str, reason: str | None) -> None:
    statement = ctx.statement
    ctx.readers.update({row.issuer for row in rows} - {statement.actor})
    ctx.conn.execute(_SET_STATUS, [
        {"s_serial": row.serial, "s_status": status, "s_seq": ctx.seq, "s_ts": statement.ts_text,
         "s_by": statement.actor, "s_reason": reason} for row in rows])
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.batch] = counts.get(row.batch, 0) + 1
    for batch_id, count in sorted(counts.items()):
        state.event(ctx, batch_id, count=count, **({"reason": reason} if reason else {}))


def void(ctx: AppendContext, body: dict[str, Any]) -> None:
    if state.public(ctx):
        return
    rows = _labels(ctx, body["serials"])
    for row in rows:
        if row.issuer != ctx.statement.actor:
            raise forbidden(f"only the issuer ({row.issuer}) may void label {row.serial}")
    _set_status(ctx, rows, "void", body.get("reason"))
    _release(ctx, rows)


def _release(ctx: AppendContext, rows: list[Any]) -> None:
    """Give back what voided v2 labels charged (v1 labels charged nothing)."""
    voided = Counter(row.issue_seq for row in rows)
    i = tables.label_issues.c
    for issue in ctx.conn.execute(select(tables.label_issues).where(i.seq.in_(voided))).all():
        batch = state.batch(ctx, issue.batch, "body.serials", usable=False)
        label_balance.release(ctx, batch, parse_quantity(issue.pack) * voided[issue.seq],
                              issue.issuer)


def sell(ctx: AppendContext, body: dict[str, Any]) -> None:
    """A sale by whoever holds the labelled goods: the batch itself or anything made of it."""
    if state.public(ctx):
        return
    rows = _labels(ctx, body["serials"])
    actor = ctx.statement.actor
    held: dict[str, bool] = {}
    for index, row in enumerate(rows):
        if row.batch not in held:
            family = [row.batch, *descendants(ctx, row.batch)]
            held[row.batch] = any(state.holding(ctx, actor, b) > 0 for b in family)
        if not held[row.batch]:
            raise violation("not-holder", f"{actor} holds none of batch {row.batch} (label "
                            f"{row.serial})", f"body.serials[{index}]")
    _set_status(ctx, rows, "sold", body.get("reason"))
