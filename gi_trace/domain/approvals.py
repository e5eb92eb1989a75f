"""Producer approvals: who may use a GI's special sign, how much a year, and suspensions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.state import REGULATOR, product, require_role, roles
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def _producer(ctx: AppendContext, org: str) -> None:
    if "producer" not in (roles(ctx, org) or ()):
        raise violation("not-a-producer", f"{org!r} is not a registered producer", "body.producer")


def approve(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Approve a producer for a year, or change its quota (never below what it has used)."""
    require_role(ctx, REGULATOR)
    product(ctx, body["product"], "body.product")
    _producer(ctx, body["producer"])
    a = tables.approvals.c
    key = (a.product == body["product"]) & (a.producer == body["producer"]) & (a.year == body["year"])
    used = ctx.conn.scalar(select(a.used).where(key))
    quota = format_quantity(body["quota"])
    if used is None:
        ctx.conn.execute(tables.approvals.insert().values(
            product=body["product"], producer=body["producer"], year=body["year"], quota=quota,
            used="0", regulator=ctx.statement.actor, seq=ctx.seq))
        return
    if body["quota"] < parse_quantity(used):
        raise violation("quota-below-used", f"{body['producer']} has already registered {used}",
                        "body.quota")
    ctx.conn.execute(update(tables.approvals).where(key).values(
        quota=quota, regulator=ctx.statement.actor, seq=ctx.seq))


def _suspension_key(body: dict[str, Any]) -> Any:
    s = tables.suspensions.c
    return (s.product == body["product"]) & (s.producer == body["producer"])


def suspend(ctx: AppendContext, body: dict[str, Any]) -> None:
    require_role(ctx, REGULATOR)
    product(ctx, body["product"], "body.product")
    _producer(ctx, body["producer"])
    if ctx.conn.execute(select(tables.suspensions.c.producer).where(_suspension_key(body))).first():
        raise violation("already-suspended", f"{body['producer']} is already suspended",
                        "body.producer")
    ctx.conn.execute(tables.suspensions.insert().values(
        product=body["product"], producer=body["producer"], reason=body["reason"],
        regulator=ctx.statement.actor, seq=ctx.seq))


def reinstate(ctx: AppendContext, body: dict[str, Any]) -> None:
    require_role(ctx, REGULATOR)
    if ctx.conn.execute(delete(tables.suspensions).where(_suspension_key(body))).rowcount == 0:
        raise violation("not-suspended", f"{body['producer']} is not suspended for {body['product']}",
                        "body.producer")


def use_quota(ctx: AppendContext, product_id: str, year: int, quantity: Decimal) -> None:
    """Count a harvest against the author's approval for that product and year."""
    producer = ctx.statement.actor
    if ctx.conn.execute(select(tables.suspensions.c.reason).where(_suspension_key(
            {"product": product_id, "producer": producer}))).first():
        raise violation("producer-suspended", f"{producer} is suspended for {product_id}",
                        "statement.actor")
    a = tables.approvals.c
    key = (a.product == product_id) & (a.producer == producer) & (a.year == year)
    row = ctx.conn.execute(select(a.quota, a.used).where(key)).first()
    if row is None:
        raise violation("not-approved", f"{producer} is not approved for {product_id} in {year}",
                        "statement.actor")
    used = parse_quantity(row.used) + quantity
    if used > parse_quantity(row.quota):
        raise violation("quota-exceeded", f"{year} quota of {producer} for {product_id} is "
                        f"{row.quota}; {row.used} used, {format_quantity(quantity)} more asked",
                        "body.quantity")
    ctx.conn.execute(update(tables.approvals).where(key).values(used=format_quantity(used)))
