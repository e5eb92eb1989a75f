"""Reading and writing the projections from inside the append transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, delete, select, update

from gi_trace.domain import tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import forbidden, violation
from gi_trace.ledger.rules import AppendContext

REGULATOR = "regulator"
PLATFORM = "platform"  # an e-commerce platform: checks listings, answers takedown notices
ASSOCIATION = "association"  # a GI's rights holder: sends takedown notices
T = TypeVar("T")

# Statements built once: building a SQLAlchemy construct per call costs more than running it.
_o, _p, _b, _h = tables.orgs.c, tables.products.c, tables.batches.c, tables.holdings.c
_ROLES = select(_o.roles).where(_o.org == bindparam("org"))
_PRODUCT = select(tables.products).where(_p.product == bindparam("product"))
_BATCH = select(tables.batches).where(_b.batch == bindparam("batch"))
_BATCH_EXISTS = select(_b.batch).where(_b.batch == bindparam("batch"))
_HOLDING = select(_h.quantity, _h.labelled).where(
    (_h.org == bindparam("org")) & (_h.batch == bindparam("batch")))
_HOLDING_SET = update(tables.holdings).where(
    (_h.org == bindparam("o")) & (_h.batch == bindparam("b"))).values(
    quantity=bindparam("q"), labelled=bindparam("l"))
_HOLDING_DROP = delete(tables.holdings).where((_h.org == bindparam("o")) & (_h.batch == bindparam("b")))
_HOLDING_ADD = tables.holdings.insert()
_EVENT = tables.batch_events.insert()
_NEW_BATCH = tables.batches.insert()
_LINK = tables.lineage.insert()


def v2(ctx: AppendContext) -> bool:
    """Whether the statement is v2, so that the rules of statement v2 apply to it."""
    return ctx.statement.v >= 2


def public(ctx: AppendContext) -> bool:
    """A v2 statement whose disclosures are not available (a public audit): only the checks
    that need public fields run, and nothing that needs a confidential value is written."""
    return ctx.statement.v >= 2 and ctx.disclosed is None


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


def require_new(ctx: AppendContext, table: Any, value: str, field: str) -> None:
    """Refuse an id already used by a row of `table` (keyed by its first primary-key column)."""
    key = table.primary_key.columns.values()[0]
    if ctx.conn.execute(select(key).where(key == value)).first():
        raise violation("duplicate-id", f"{key.name} {value!r} already exists", field)


def require_org_role(ctx: AppendContext, org: str, role: str, field: str) -> frozenset[str]:
    """Refuse naming `org` where an organisation holding `role` is required."""
    held = roles(ctx, org)
    if held is None or role not in held:
        raise violation(f"not-a-{role}", f"{org!r} is not a registered {role}", field)
    return held


def require_new_batch(ctx: AppendContext, batch_id: str, field: str) -> None:
    if ctx.conn.execute(_BATCH_EXISTS, {"batch": batch_id}).first():
        raise violation("duplicate-id", f"batch {batch_id!r} already exists", field)


@dataclass(frozen=True)
class Held:
    """What an organisation holds of a batch, and how much of that carries live labels."""

    quantity: Decimal
    labelled: Decimal = Decimal(0)

    @property
    def unlabelled(self) -> Decimal:
        return self.quantity - self.labelled


NOTHING = Held(Decimal(0))


def held(ctx: AppendContext, org: str, batch_id: str) -> Held:
    row = ctx.conn.execute(_HOLDING, {"org": org, "batch": batch_id}).first()
    return Held(parse_quantity(row.quantity), parse_quantity(row.labelled)) if row else NOTHING


def holding(ctx: AppendContext, org: str, batch_id: str) -> Decimal:
    return held(ctx, org, batch_id).quantity


def set_holding(ctx: AppendContext, org: str, batch_id: str, now: Held, *, before: Held) -> None:
    """Change what `org` holds of a batch from `before` to `now`; nothing is no row at all."""
    params = {"o": org, "b": batch_id}
    if now.quantity == 0:
        ctx.conn.execute(_HOLDING_DROP, params)
    elif before.quantity == 0:
        ctx.conn.execute(_HOLDING_ADD, {"org": org, "batch": batch_id,
                                        "quantity": format_quantity(now.quantity),
                                        "labelled": format_quantity(now.labelled)})
    else:
        ctx.conn.execute(_HOLDING_SET, {**params, "q": format_quantity(now.quantity),
                                        "l": format_quantity(now.labelled)})


def take(ctx: AppendContext, batch_id: str, quantity: Decimal, field: str, *,
         labelled_first: bool = False) -> Decimal:
    """Remove `quantity` of a batch from the author's holding, refusing more than it holds;
    how much of what left carries labels.

    Which goods leave is a convention, since a statement does not say: a shipment takes the
    labelled goods first (labelled bags are what is traded), a split, merge or process the
    unlabelled first (they work on bulk). Whatever leaves, labelled goods stay labelled
    wherever they go, so no one can label them twice. To ship bulk and keep one's labelled
    bags, split the bulk off first.
    """
    org = ctx.statement.actor
    before = held(ctx, org, batch_id)
    if before.quantity == 0:
        raise violation("not-holder", f"{org} holds none of batch {batch_id!r}", field)
    if quantity > before.quantity:
        raise violation("insufficient-holding", f"{org} holds {format_quantity(before.quantity)} "
                        f"of batch {batch_id!r}, not {format_quantity(quantity)}", field)
    if labelled_first:
        moved = min(before.labelled, quantity)
    else:
        moved = max(Decimal(0), quantity - before.unlabelled)
    set_holding(ctx, org, batch_id, Held(before.quantity - quantity, before.labelled - moved),
                before=before)
    return moved


def give(ctx: AppendContext, org: str, batch_id: str, quantity: Decimal, *,
         labelled: Decimal = Decimal(0), new: bool = False) -> None:
    """Add to what `org` holds of a batch, `labelled` of it carrying labels (`new`: a batch made
    by this statement, held by none)."""
    before = NOTHING if new else held(ctx, org, batch_id)
    set_holding(ctx, org, batch_id, Held(before.quantity + quantity, before.labelled + labelled),
                before=before)


def relabel(ctx: AppendContext, org: str, batch_id: str, change: Decimal) -> None:
    """Mark `change` more (or, negative, less) of what `org` holds of a batch as labelled,
    never below nothing: labels voided on goods that have since moved free nothing here."""
    before = held(ctx, org, batch_id)
    labelled = max(Decimal(0), min(before.quantity, before.labelled + change))
    if before.quantity and labelled != before.labelled:
        set_holding(ctx, org, batch_id, Held(before.quantity, labelled), before=before)


def event(ctx: AppendContext, batch_id: str, **detail: Any) -> None:
    """Note in the batch's journey what this statement did to it."""
    statement = ctx.statement
    ctx.conn.execute(_EVENT, {
        "batch": batch_id, "seq": ctx.seq, "type": statement.type, "actor": statement.actor,
        "ts": statement.ts_text, "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True,
                                                      default=format_quantity)})


def new_batch(ctx: AppendContext, batch_id: str, *, product_id: str, lot: str,
              quantity: Decimal | None, producers: Iterable[str], producer: str, origin: str,
              composition: str | None, **extra: Any) -> None:
    """A batch made by this statement; `quantity` and `composition` are None in a public audit."""
    ctx.conn.execute(_NEW_BATCH, {
        "batch": batch_id, "product": product_id, "lot": lot,
        "quantity": None if quantity is None else format_quantity(quantity),
        "producer": producer, "producers": json.dumps(sorted(set(producers))),
        "created_by": ctx.statement.actor, "origin": origin, "composition": composition,
        "labelled": "0", "charged": None, "recalled": False, "seq": ctx.seq, "harvested": None,
        "plot": None, "lat": None, "lon": None, "plot_region": None, "village_zh": None,
        "village_en": None, "recall_reason": None, "recall_seq": None, **extra})


def producers(row: Row[Any]) -> list[str]:
    """The growers whose harvests a batch comes from."""
    found: list[str] = json.loads(row.producers)
    return found


def link(ctx: AppendContext, parent: str, child: str, quantity: Decimal | None, kind: str) -> None:
    ctx.conn.execute(_LINK, {"parent": parent, "child": child, "kind": kind,
                             "quantity": None if quantity is None else format_quantity(quantity),
                             "seq": ctx.seq})


def mark_recalled(ctx: AppendContext, batch_ids: list[str], reason: str) -> None:
    """Mark batches recalled; one recalled before keeps its first reason."""
    ctx.conn.execute(update(tables.batches).where(tables.batches.c.batch.in_(batch_ids)
                                                  & ~tables.batches.c.recalled)
                     .values(recalled=True, recall_reason=reason, recall_seq=ctx.seq))
