"""Producer approvals: who may use a GI's special sign, how much a year, and suspensions.

Under statement v2 a special-sign user is a grower (producer) or the mill or packer
(processor) that bags the goods and prints their labels, and its seat must lie in the
product's protected region (GB/T 2260 codes, `gi_trace.domain.regions`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.regions import inside
from gi_trace.domain.state import REGULATOR, cached, forget, product, require_role, roles, v2
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext

SIGN_USERS = frozenset({"producer", "processor"})  # v2: a grower, or a mill or packer


def _producer(ctx: AppendContext, org: str) -> None:
    if not v2(ctx):
        if "producer" not in (roles(ctx, org) or ()):
            raise violation("not-a-producer", f"{org!r} is not a registered producer",
                            "body.producer")
    elif not SIGN_USERS & (roles(ctx, org) or frozenset()):
        raise violation("not-a-producer", f"{org!r} is neither a producer nor a processor: only "
                        "they may use the special sign", "body.producer")


def _in_region(ctx: AppendContext, org: str, gi: Any) -> None:
    """v2: refuse to approve an organisation whose seat is not inside the product's region."""
    seat = ctx.conn.scalar(select(tables.orgs.c.region).where(tables.orgs.c.org == org))
    codes: list[str] = json.loads(gi.region_codes)
    if seat is None:
        raise violation("out-of-region", f"{org} registered no region, so it cannot be shown to "
                        f"lie in {gi.product}'s region {', '.join(codes)}", "body.producer")
    if not inside(seat, codes):
        raise violation("out-of-region", f"{org} is in {seat}, outside {gi.product}'s region "
                        f"{', '.join(codes)}", "body.producer")


def approve(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Approve a producer for a year, or change its quota (never below what it has used)."""
    require_role(ctx, REGULATOR)
    gi = product(ctx, body["product"], "body.product")
    _producer(ctx, body["producer"])
    if v2(ctx):
        _in_region(ctx, body["producer"], gi)
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
    forget(ctx, "approval", (body["product"], body["producer"], body["year"]))


_a, _s = tables.approvals.c, tables.suspensions.c
_APPROVAL_KEY = ((_a.product == bindparam("k_product")) & (_a.producer == bindparam("k_producer"))
                 & (_a.year == bindparam("k_year")))
_APPROVAL = select(_a.quota, _a.used).where(_APPROVAL_KEY)
_USE = update(tables.approvals).where(_APPROVAL_KEY).values(used=bindparam("k_used"))
_SUSPENDED = select(_s.reason).where((_s.product == bindparam("product"))
                                    & (_s.producer == bindparam("producer")))


def _suspension_key(body: dict[str, Any]) -> Any:
    return (_s.product == body["product"]) & (_s.producer == body["producer"])


def require_not_suspended(ctx: AppendContext, product_id: str, producer: str) -> None:
    """Refuse a suspended producer's harvests and labels."""
    reason = cached(ctx, "suspended", (product_id, producer), lambda: ctx.conn.scalar(
        _SUSPENDED, {"product": product_id, "producer": producer}))
    if reason is not None:
        raise violation("producer-suspended", f"{producer} is suspended for {product_id}: {reason}",
                        "statement.actor")


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
    forget(ctx, "suspended", (body["product"], body["producer"]))


def reinstate(ctx: AppendContext, body: dict[str, Any]) -> None:
    require_role(ctx, REGULATOR)
    if ctx.conn.execute(delete(tables.suspensions).where(_suspension_key(body))).rowcount == 0:
        raise violation("not-suspended", f"{body['producer']} is not suspended for {body['product']}",
                        "body.producer")
    forget(ctx, "suspended", (body["product"], body["producer"]))


def require_approval(ctx: AppendContext, product_id: str, year: int) -> list[Decimal]:
    """The author's approval for a product and year, `[quota, used]`, if it is not suspended."""
    producer = ctx.statement.actor
    require_not_suspended(ctx, product_id, producer)
    key = {"k_product": product_id, "k_producer": producer, "k_year": year}

    def load() -> list[Decimal] | None:
        row = ctx.conn.execute(_APPROVAL, key).first()
        return [parse_quantity(row.quota), parse_quantity(row.used)] if row else None

    approval = cached(ctx, "approval", (product_id, producer, year), load)
    if approval is None:
        raise violation("not-approved", f"{producer} is not approved for {product_id} in {year}",
                        "statement.actor")
    return approval


def use_quota(ctx: AppendContext, product_id: str, year: int, quantity: Decimal) -> None:
    """Count a harvest against the author's approval for that product and year."""
    producer = ctx.statement.actor
    approval = require_approval(ctx, product_id, year)
    key = {"k_product": product_id, "k_producer": producer, "k_year": year}
    quota, used = approval
    if used + quantity > quota:
        raise violation("quota-exceeded", f"{year} quota of {producer} for {product_id} is "
                        f"{format_quantity(quota)}; {format_quantity(used)} used, "
                        f"{format_quantity(quantity)} more asked", "body.quantity")
    approval[1] = used + quantity
    ctx.conn.execute(_USE, {**key, "k_used": format_quantity(approval[1])})
