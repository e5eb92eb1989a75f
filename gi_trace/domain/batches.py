"""Batches: harvests registered by approved producers, and what holders make of them
(split, merge, process). Mass balance is exact: nothing is created or lost."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from gi_trace.domain import state
from gi_trace.domain.approvals import use_quota
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def register(ctx: AppendContext, body: dict[str, Any]) -> None:
    state.require_role(ctx, "producer")
    product = state.product(ctx, body["product"], "body.product")
    state.require_new_batch(ctx, body["batch"], "body.batch")
    use_quota(ctx, product.product, int(body["harvested"][:4]), body["quantity"])
    origin = body.get("origin", {})
    actor = ctx.statement.actor
    state.new_batch(ctx, body["batch"], product_id=product.product, lot=body["lot"],
                    quantity=body["quantity"], producer=actor, origin="register",
                    harvested=body["harvested"], plot=origin.get("plot"), lat=origin.get("lat"),
                    lon=origin.get("lon"))
    state.give(ctx, actor, body["batch"], body["quantity"], new=True)
    state.event(ctx, body["batch"], quantity=body["quantity"], lot=body["lot"],
                harvested=body["harvested"])


def split(ctx: AppendContext, body: dict[str, Any]) -> None:
    parent = state.batch(ctx, body["from_"], "body.from")
    actor = ctx.statement.actor
    held = state.holding(ctx, actor, parent.batch)
    if held == 0:
        raise violation("not-holder", f"{actor} holds none of batch {parent.batch!r}", "body.from")
    total = sum((portion["quantity"] for portion in body["into"]), Decimal(0))
    if total > held:
        raise violation("split-exceeds-parent", f"the parts add up to {format_quantity(total)}, "
                        f"more than the {format_quantity(held)} held of {parent.batch}", "body.into")
    state.take(ctx, parent.batch, total, "body.from")
    for index, portion in enumerate(body["into"]):
        child = portion["batch"]
        state.require_new_batch(ctx, child, f"body.into[{index}].batch")
        state.new_batch(ctx, child, product_id=parent.product, lot=parent.lot,
                        quantity=portion["quantity"], producer=parent.producer, origin="split")
        state.link(ctx, parent.batch, child, portion["quantity"], "split")
        state.give(ctx, ctx.statement.actor, child, portion["quantity"], new=True)
        state.event(ctx, child, kind="split", parent=parent.batch, quantity=portion["quantity"])
    state.event(ctx, parent.batch, kind="split", into=[p["batch"] for p in body["into"]],
                quantity=total)


def merge(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Merge everything the author holds of several batches of one GI product."""
    actor, into = ctx.statement.actor, body["into"]
    parents = [state.batch(ctx, name, f"body.from[{i}]") for i, name in enumerate(body["from_"])]
    if len({p.product for p in parents}) > 1:
        raise violation("merge-mixed-products", "only batches of the same GI product merge: "
                        + ", ".join(sorted({p.product for p in parents})), "body.from")
    state.require_new_batch(ctx, into["batch"], "body.into.batch")
    amounts = []
    for index, parent in enumerate(parents):
        held = state.holding(ctx, actor, parent.batch)
        state.take(ctx, parent.batch, held, f"body.from[{index}]")
        amounts.append(held)
    producers = {p.producer for p in parents}
    total = sum(amounts, Decimal(0))
    state.new_batch(ctx, into["batch"], product_id=parents[0].product, lot=into["lot"],
                    quantity=total, producer=producers.pop() if len(producers) == 1 else actor,
                    origin="merge")
    for parent, amount in zip(parents, amounts, strict=True):
        state.link(ctx, parent.batch, into["batch"], amount, "merge")
        state.event(ctx, parent.batch, kind="merge", into=into["batch"], quantity=amount)
    state.give(ctx, actor, into["batch"], total, new=True)
    state.event(ctx, into["batch"], kind="merge", parents=[p.batch for p in parents], quantity=total)


def process(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Turn inputs of one product into an output of another, bounded by the declared yield."""
    inputs = [(state.batch(ctx, item["batch"], f"body.inputs[{i}].batch"), item["quantity"])
              for i, item in enumerate(body["inputs"])]
    products = {row.product for row, _ in inputs}
    if len(products) > 1:
        raise violation("process-mixed-products", "all inputs of a process must be one product",
                        "body.inputs")
    source = state.product(ctx, products.pop(), "body.inputs")
    declared = json.loads(source.processes).get(body["process"])
    if declared is None:
        raise violation("unknown-process", f"{source.product} declares no process "
                        f"{body['process']!r}", "body.process")
    target = state.product(ctx, declared["to"], "body.process")
    total_in = sum((quantity for _, quantity in inputs), Decimal(0))
    output = body["output"]
    limit = total_in * parse_quantity(declared["max_yield"])
    if output["quantity"] > limit:
        raise violation("yield-exceeded", f"{format_quantity(total_in)} of {source.product} yields at "
                        f"most {format_quantity(limit)} of {target.product} (max_yield "
                        f"{declared['max_yield']})", "body.output.quantity")
    state.require_new_batch(ctx, output["batch"], "body.output.batch")
    for index, (row, quantity) in enumerate(inputs):
        state.take(ctx, row.batch, quantity, f"body.inputs[{index}].quantity")
        state.link(ctx, row.batch, output["batch"], quantity, "process")
        state.event(ctx, row.batch, kind="process", process=body["process"], into=output["batch"],
                    quantity=quantity)
    producers = {row.producer for row, _ in inputs}
    state.new_batch(ctx, output["batch"], product_id=target.product, lot=output["lot"],
                    quantity=output["quantity"],
                    producer=producers.pop() if len(producers) == 1 else ctx.statement.actor,
                    origin="process")
    state.give(ctx, ctx.statement.actor, output["batch"], output["quantity"], new=True)
    state.event(ctx, output["batch"], kind="process", process=body["process"],
                inputs=[row.batch for row, _ in inputs], quantity=output["quantity"])
