"""Reading and writing the projections from inside the append transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, delete, select, update

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

REGULATOR = "regulator"
T = TypeVar("T")

# Statements built once: building a SQLAlchemy construct per call costs more than running it.
_o, _p, _b, _h = tables.orgs.c, tables.products.c, tables.batches.c, tables.holdings.c
_ROLES = select(_o.roles).where(_o.org == bindparam("org"))
_PRODUCT = select(tables.products).where(_p.product == bindparam("product"))
_BATCH = select(tables.batches).where(_b.batch == bindparam("batch"))
_BATCH_EXISTS = select(_b.batch).where(_b.batch == bindparam("batch"))
_HOLDING = select(_h.quantity).where((_h.org == bindparam("org")) & (_h.batch == bindparam("batch")))
_HOLDING_SET = update(tables.holdings).where(
    (_h.org == bindparam("o")) & (_h.batch == bindparam("b"))).values(quantity=bindparam("q"))
_HOLDING_DROP = delete(tables.holdings).where((_h.org == bindparam("o")) & (_h.batch == bindparam("b")))
_HOLDING_ADD = tables.holdings.insert()
_EVENT = tables.batch_events.insert()
_NEW_BATCH = tables.batches.insert()
_LINK = tables.lineage.insert()


def cached(ctx: AppendContext, kind: str, key: object, load: Callable[[], T]) -> T:
    """Memoise a lookup for the rest of the transaction (a refused group starts a fresh one).
    A handler that changes a memoised fact must `forget` it."""
    memo = ctx.cache.setdefault(f"domain.{kind}", {})
    if key not in memo:
        memo[key] = load()
    value: T = memo[key]
    return value


def forget(ctx: AppendContext, kind: str, key: object) -> None:
    ctx.cache.get(f"domain.{kind}", {}).pop(key, None)


def roles(ctx: AppendContext, org: str) -> frozenset[str] | None:
    def load() -> frozenset[str] | None:
        row = ctx.conn.execute(_ROLES, {"org": org}).first()
        return frozenset(json.loads(row.roles)) if row else None
    return cached(ctx, "roles", org, load)


def require_role(ctx: AppendContext, *allowed: str) -> None:
    """Refuse a statement whose author holds none of the allowed roles."""
    held = roles(ctx, ctx.statement.actor) or frozenset()
    if not held.intersection(allowed):
        raise forbidden(f"{ctx.statement.type} must be signed by a {' or '.join(allowed)}; "
                        f"{ctx.statement.actor} is {', '.join(sorted(held)) or 'unregistered'}")


def is_regulator(ctx: AppendContext, org: str) -> bool:
    return REGULATOR in (roles(ctx, org) or ())


def product(ctx: AppendContext, product_id: str, field: str) -> Row[Any]:
    row = cached(ctx, "product", product_id,
                 lambda: ctx.conn.execute(_PRODUCT, {"product": product_id}).first())
    if row is None:
        raise violation("unknown-product", f"no GI product {product_id!r}", field)
    return row


def batch(ctx: AppendContext, batch_id: str, field: str, *, usable: bool = True) -> Row[Any]:
    """The batch; with `usable`, refuse one that was recalled."""
    row = ctx.conn.execute(_BATCH, {"batch": batch_id}).first()
    if row is None:
        raise violation("unknown-batch", f"no batch {batch_id!r}", field)
    if usable and row.recalled:
        raise violation("batch-recalled", f"batch {batch_id!r} was recalled: {row.recall_reason}",
                        field)
    return row


def require_new_batch(ctx: AppendContext, batch_id: str, field: str) -> None:
    if ctx.conn.execute(_BATCH_EXISTS, {"batch": batch_id}).first():
        raise violation("duplicate-id", f"batch {batch_id!r} already exists", field)


def holding(ctx: AppendContext, org: str, batch_id: str) -> Decimal:
    text = ctx.conn.scalar(_HOLDING, {"org": org, "batch": batch_id})
    return parse_quantity(text) if text else Decimal(0)


def set_holding(ctx: AppendContext, org: str, batch_id: str, quantity: Decimal, *,
                held: Decimal) -> None:
    """Change what `org` holds of a batch from `held` to `quantity`; zero is no row at all."""
    params = {"o": org, "b": batch_id}
    if quantity == 0:
        ctx.conn.execute(_HOLDING_DROP, params)
    elif held == 0:
        ctx.conn.execute(_HOLDING_ADD, {"org": org, "batch": batch_id,
                                        "quantity": format_quantity(quantity)})
    else:
        ctx.conn.execute(_HOLDING_SET, {**params, "q": format_quantity(quantity)})


def take(ctx: AppendContext, batch_id: str, quantity: Decimal, field: str) -> None:
    """Remove `quantity` of a batch from the author's holding, refusing more than it holds."""
    org = ctx.statement.actor
    held = holding(ctx, org, batch_id)
    if held == 0:
        raise violation("not-holder", f"{org} holds none of batch {batch_id!r}", field)
    if quantity > held:
        raise violation("insufficient-holding", f"{org} holds {format_quantity(held)} of batch "
                        f"{batch_id!r}, not {format_quantity(quantity)}", field)
    set_holding(ctx, org, batch_id, held - quantity, held=held)


def give(ctx: AppendContext, org: str, batch_id: str, quantity: Decimal, *,
         new: bool = False) -> None:
    """Add to what `org` holds of a batch (`new`: a batch made by this statement, held by none)."""
    held = Decimal(0) if new else holding(ctx, org, batch_id)
    set_holding(ctx, org, batch_id, held + quantity, held=held)


def event(ctx: AppendContext, batch_id: str, **detail: Any) -> None:
    """Note in the batch's journey what this statement did to it."""
    statement = ctx.statement
    ctx.conn.execute(_EVENT, {
        "batch": batch_id, "seq": ctx.seq, "type": statement.type, "actor": statement.actor,
        "ts": statement.ts_text, "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True,
                                                      default=format_quantity)})


def new_batch(ctx: AppendContext, batch_id: str, *, product_id: str, lot: str, quantity: Decimal,
              producer: str, origin: str, **extra: Any) -> None:
    ctx.conn.execute(_NEW_BATCH, {
        "batch": batch_id, "product": product_id, "lot": lot, "quantity": format_quantity(quantity),
        "producer": producer, "created_by": ctx.statement.actor, "origin": origin,
        "recalled": False, "seq": ctx.seq, "harvested": None, "plot": None, "lat": None, "lon": None,
        "recall_reason": None, "recall_seq": None, **extra})


def link(ctx: AppendContext, parent: str, child: str, quantity: Decimal, kind: str) -> None:
    ctx.conn.execute(_LINK, {"parent": parent, "child": child, "kind": kind,
                             "quantity": format_quantity(quantity), "seq": ctx.seq})


def mark_recalled(ctx: AppendContext, batch_ids: list[str], reason: str) -> None:
    """Mark batches recalled; one recalled before keeps its first reason."""
    ctx.conn.execute(update(tables.batches).where(tables.batches.c.batch.in_(batch_ids)
                                                  & ~tables.batches.c.recalled)
                     .values(recalled=True, recall_reason=reason, recall_seq=ctx.seq))
