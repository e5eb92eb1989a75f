"""Labels within mass balance: no label certifies goods that do not exist.

Two bounds hold at every v2 label.issue:

- on the goods at hand: the quantity labelled (`pack × count`) is at most what the
  issuer holds of the batch and has not labelled yet (`labels-exceed-holding`);
- on the harvests: labelling `q` of a batch charges each root harvest `q` times the
  batch's composition (`gi_trace.domain.composition`), and no harvest may be charged
  more than was harvested (`labels-exceed-harvest`). This is what stops labels on paddy
  and again on the rice milled from it, or on a batch and again on a part split off it
  and shipped elsewhere.

A voided label certifies nothing, so voiding gives its charge back.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from gi_trace.domain import composition, state, tables
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import violation
from gi_trace.ledger.errors import ConflictError
from gi_trace.ledger.rules import AppendContext

_b = tables.batches.c
_ROOTS = select(_b.batch, _b.quantity, _b.charged)
_SET_CHARGED = update(tables.batches).where(_b.batch == bindparam("b_batch")).values(
    charged=bindparam("b_charged"))
_SET_LABELLED = update(tables.batches).where(_b.batch == bindparam("b_batch")).values(
    labelled=bindparam("b_labelled"))


def _composition(batch: Row[Any]) -> dict[str, Fraction]:
    if batch.composition is None:
        # Not a rule the statement broke: the projections were made before compositions were
        # kept (migration 0006), and replaying the log fills them in.
        raise ConflictError(f"batch {batch.batch} has no composition yet: run `gi-trace "
                            "projections rebuild`", code="projections-stale", field="body.batch")
    return composition.loads(batch.composition)


def require_unlabelled(ctx: AppendContext, batch: Row[Any], quantity: Decimal, field: str) -> None:
    """The issuer must hold `quantity` of the batch that carries no label yet."""
    actor = ctx.statement.actor
    held = state.held(ctx, actor, batch.batch)
    if held.quantity == 0:
        raise violation("not-holder", f"{actor} holds none of batch {batch.batch!r}", "body.batch")
    if quantity > held.unlabelled:
        raise violation("labels-exceed-holding", f"{actor} holds {format_quantity(held.quantity)} "
                        f"of batch {batch.batch}, {format_quantity(held.labelled)} of it labelled; "
                        f"labels for {format_quantity(quantity)} more would exceed it", field)


def charge(ctx: AppendContext, batch: Row[Any], quantity: Decimal, field: str) -> None:
    """Charge labels for `quantity` of a batch to its root harvests, refusing to charge any
    harvest more than it yielded; and count them as labelled on the batch and the holding."""
    charges = composition.charges(_composition(batch), quantity)
    roots = {row.batch: row for row in ctx.conn.execute(_ROOTS.where(_b.batch.in_(charges)))}
    updates = []
    for root, amount in sorted(charges.items()):
        row = roots[root]
        harvested = Fraction(parse_quantity(row.quantity))
        total = Fraction(row.charged or "0") + amount
        if total > harvested:
            raise violation("labels-exceed-harvest", f"labels for {format_quantity(quantity)} of "
                            f"batch {batch.batch} would certify {_show(total)} of harvest {root}, "
                            f"which yielded {row.quantity}", field)
        updates.append({"b_batch": root, "b_charged": composition.fraction_text(total)})
    ctx.conn.execute(_SET_CHARGED, updates)
    _count(ctx, batch, quantity)
    state.relabel(ctx, ctx.statement.actor, batch.batch, quantity)


def release(ctx: AppendContext, batch: Row[Any], quantity: Decimal, issuer: str) -> None:
    """Give back the charge of voided labels that covered `quantity` of a batch."""
    if batch.composition is None:
        return
    charges = composition.charges(composition.loads(batch.composition), quantity)
    roots = ctx.conn.execute(_ROOTS.where(_b.batch.in_(charges))).all()
    ctx.conn.execute(_SET_CHARGED, [
        {"b_batch": row.batch, "b_charged": composition.fraction_text(
            max(Fraction(0), Fraction(row.charged or "0") - charges[row.batch]))}
        for row in roots])
    _count(ctx, batch, -quantity)
    state.relabel(ctx, issuer, batch.batch, -quantity)


def _count(ctx: AppendContext, batch: Row[Any], change: Decimal) -> None:
    now: str = ctx.conn.execute(select(_b.labelled).where(_b.batch == batch.batch)).scalar_one()
    ctx.conn.execute(_SET_LABELLED, {"b_batch": batch.batch, "b_labelled": format_quantity(
        max(Decimal(0), parse_quantity(now) + change))})


def _show(value: Fraction) -> str:
    """A charge for a message: exact when it is a decimal, else to 6 places."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(exact) == value:
        return format_quantity(exact)
    return format_quantity(exact.quantize(Decimal("0.000001"))) + "…"
