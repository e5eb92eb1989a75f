"""Shipments: goods leave the sender's holding at once and reach the receiver only when
it signs the receipt; a rejected shipment goes back to the sender.

Under statement v2 every field of a shipment is confidential, so a public audit checks
nothing here; the receiver may read a shipment's disclosures, and the sender may read
those of its receipt or rejection (`ctx.readers`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update

from gi_trace.domain import state, tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

RECEIVING_ROLES = frozenset({"producer", "processor", "distributor", "retailer"})


def send(ctx: AppendContext, body: dict[str, Any]) -> None:
    if state.public(ctx):
        return
    sender, receiver = ctx.statement.actor, body["to"]
    if ctx.conn.execute(select(tables.shipments.c.shipment)
                        .where(tables.shipments.c.shipment == body["shipment"])).first():
        raise violation("duplicate-id", f"shipment {body['shipment']!r} already exists",
                        "body.shipment")
    receiver_roles = state.roles(ctx, receiver)
    if receiver_roles is None:
        raise violation("unknown-org", f"no organisation {receiver!r}", "body.to")
    if receiver == sender or not receiver_roles & RECEIVING_ROLES:
        raise violation("bad-receiver", f"{receiver} cannot receive goods from {sender}", "body.to")
    sscc = body.get("sscc")
    if sscc and ctx.conn.execute(select(tables.shipments.c.shipment)
                                 .where(tables.shipments.c.sscc == sscc)).first():
        raise violation("duplicate-id", f"SSCC {sscc} is already on another shipment", "body.sscc")
    ctx.conn.execute(tables.shipments.insert().values(
        shipment=body["shipment"], sender=sender, receiver=receiver, status="pending",
        sent_ts=ctx.statement.ts_text, sent_seq=ctx.seq, sscc=sscc))
    ctx.readers.add(receiver)
    for item in body["items"]:
        state.batch(ctx, item["batch"], item["at"])
        labelled = state.take(ctx, item["batch"], item["quantity"], item["quantity_at"],
                              labelled_first=True)
        ctx.conn.execute(tables.shipment_items.insert().values(
            shipment=body["shipment"], batch=item["batch"], quantity=format_quantity(item["quantity"]),
            labelled=format_quantity(labelled)))
        state.event(ctx, item["batch"], shipment=body["shipment"], to=receiver,
                    quantity=item["quantity"])


def _pending(ctx: AppendContext, body: dict[str, Any]) -> Row[Any]:
    row = ctx.conn.execute(select(tables.shipments)
                           .where(tables.shipments.c.shipment == body["shipment"])).first()
    if state.v2(ctx):
        # Who a shipment goes to, and whether an id exists at all, are confidential: anyone but
        # its receiver gets the same answer as for an id that was never used.
        if row is None or row.receiver != ctx.statement.actor:
            raise violation("unknown-shipment", f"no shipment {body['shipment']!r} to "
                            f"{ctx.statement.actor}", "body.shipment")
    elif row is None:
        raise violation("unknown-shipment", f"no shipment {body['shipment']!r}", "body.shipment")
    elif row.receiver != ctx.statement.actor:
        raise forbidden(f"shipment {row.shipment} is addressed to {row.receiver}")
    if row.status != "pending":
        raise violation("shipment-not-pending", f"shipment {row.shipment} was already {row.status}",
                        "body.shipment")
    return row


def _settle(ctx: AppendContext, body: dict[str, Any], status: str) -> None:
    """Close a pending shipment: the goods go to the receiver, or back to the sender."""
    if state.public(ctx):
        return
    row = _pending(ctx, body)
    ctx.readers.add(row.sender)
    holder = row.receiver if status == "received" else row.sender
    ctx.conn.execute(update(tables.shipments).where(tables.shipments.c.shipment == row.shipment)
                     .values(status=status, reason=body.get("reason"), settled_seq=ctx.seq))
    items = ctx.conn.execute(select(tables.shipment_items)
                             .where(tables.shipment_items.c.shipment == row.shipment))
    for item in items.all():
        state.give(ctx, holder, item.batch, parse_quantity(item.quantity),
                   labelled=parse_quantity(item.labelled))
        state.event(ctx, item.batch, shipment=row.shipment, status=status,
                    quantity=item.quantity, **({"reason": body["reason"]} if body.get("reason") else {}))


def receive(ctx: AppendContext, body: dict[str, Any]) -> None:
    _settle(ctx, body, "received")


def reject(ctx: AppendContext, body: dict[str, Any]) -> None:
    _settle(ctx, body, "rejected")
