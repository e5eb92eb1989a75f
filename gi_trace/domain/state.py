"""Reading and writing the projections from inside the append transaction."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, select, update

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

REGULATOR = "regulator"


def roles(ctx: AppendContext, org: str) -> frozenset[str] | None:
    row = ctx.conn.execute(select(tables.orgs.c.roles).where(tables.orgs.c.org == org)).first()
    return frozenset(json.loads(row.roles)) if row else None


def require_role(ctx: AppendContext, *allowed: str) -> None:
    """Refuse a statement whose author holds none of the allowed roles."""
    held = roles(ctx, ctx.statement.actor) or frozenset()
    if not held.intersection(allowed):
        raise forbidden(f"{ctx.statement.type} must be signed by a {' or '.join(allowed)}; "
                        f"{ctx.statement.actor} is {', '.join(sorted(held)) or 'unregistered'}")


def is_regulator(ctx: AppendContext, org: str) -> bool:
    return REGULATOR in (roles(ctx, org) or ())


def product(ctx: AppendContext, product_id: str, field: str) -> Row[Any]:
    row = ctx.conn.execute(select(tables.products).where(tables.products.c.product == product_id)).first()
    if row is None:
        raise violation("unknown-product", f"no GI product {product_id!r}", field)
    return row


def batch(ctx: AppendContext, batch_id: str, field: str, *, usable: bool = True) -> Row[Any]:
    """The batch; with `usable`, refuse one that was recalled."""
    row = ctx.conn.execute(select(tables.batches).where(tables.batches.c.batch == batch_id)).first()
    if row is None:
        raise violation("unknown-batch", f"no batch {batch_id!r}", field)
    if usable and row.recalled:
        raise violation("batch-recalled", f"batch {batch_id!r} was recalled: {row.recall_reason}",
                        field)
    return row


def require_new_batch(ctx: AppendContext, batch_id: str, field: str) -> None:
    if ctx.conn.execute(select(tables.batches.c.batch).where(tables.batches.c.batch == batch_id)).first():
        raise violation("duplicate-id", f"batch {batch_id!r} already exists", field)


def holding(ctx: AppendContext, org: str, batch_id: str) -> Decimal:
    h = tables.holdings.c
    text = ctx.conn.scalar(select(h.quantity).where((h.org == org) & (h.batch == batch_id)))
    return parse_quantity(text) if text else Decimal(0)


def set_holding(ctx: AppendContext, org: str, batch_id: str, quantity: Decimal) -> None:
    """Write what `org` holds of a batch; a holding of zero is no row at all."""
    h = tables.holdings.c
    ctx.conn.execute(delete(tables.holdings).where((h.org == org) & (h.batch == batch_id)))
    if quantity > 0:
        ctx.conn.execute(tables.holdings.insert().values(org=org, batch=batch_id,
                                                         quantity=format_quantity(quantity)))


def take(ctx: AppendContext, batch_id: str, quantity: Decimal, field: str) -> None:
    """Remove `quantity` of a batch from the author's holding, refusing more than it holds."""
    org = ctx.statement.actor
    held = holding(ctx, org, batch_id)
    if held == 0:
        raise violation("not-holder", f"{org} holds none of batch {batch_id!r}", field)
    if quantity > held:
        raise violation("insufficient-holding", f"{org} holds {format_quantity(held)} of batch "
                        f"{batch_id!r}, not {format_quantity(quantity)}", field)
    set_holding(ctx, org, batch_id, held - quantity)


def give(ctx: AppendContext, org: str, batch_id: str, quantity: Decimal) -> None:
    set_holding(ctx, org, batch_id, holding(ctx, org, batch_id) + quantity)


def event(ctx: AppendContext, batch_id: str, **detail: Any) -> None:
    """Note in the batch's journey what this statement did to it."""
    statement = ctx.statement
    ctx.conn.execute(tables.batch_events.insert().values(
        batch=batch_id, seq=ctx.seq, type=statement.type, actor=statement.actor,
        ts=statement.ts_text, detail=json.dumps(detail, ensure_ascii=False, sort_keys=True,
                                                default=format_quantity)))


def new_batch(ctx: AppendContext, batch_id: str, *, product_id: str, lot: str, quantity: Decimal,
              producer: str, origin: str, **extra: Any) -> None:
    ctx.conn.execute(tables.batches.insert().values(
        batch=batch_id, product=product_id, lot=lot, quantity=format_quantity(quantity),
        producer=producer, created_by=ctx.statement.actor, origin=origin, recalled=False,
        seq=ctx.seq, **extra))


def link(ctx: AppendContext, parent: str, child: str, quantity: Decimal, kind: str) -> None:
    ctx.conn.execute(tables.lineage.insert().values(parent=parent, child=child, kind=kind,
                                                    quantity=format_quantity(quantity), seq=ctx.seq))


def mark_recalled(ctx: AppendContext, batch_ids: list[str], reason: str) -> None:
    ctx.conn.execute(update(tables.batches).where(tables.batches.c.batch.in_(batch_ids))
                     .values(recalled=True, recall_reason=reason, recall_seq=ctx.seq))
