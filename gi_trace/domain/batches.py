"""Batches: harvests registered by approved producers, and what holders make of them
(split, merge, process). Mass balance is exact: nothing is created or lost.

Each batch keeps its composition (`gi_trace.domain.composition`): how much of each root
harvest one unit of it consumed, so that labels on it can be charged to the harvests.
And each keeps `producers`, the growers of its root harvests: merging or processing
makes no one a producer (v2). `producer` is the one grower when there is one; for a
batch of several growers' harvests, the grower of its first parent, a shortcut for the
reads that name one; the rules read `producers`.

In a public audit (`state.public`) quantities are sealed: a batch is made with its id,
lot and lineage, and nothing that needs a quantity is checked or written.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from gi_trace.domain import composition, state
from gi_trace.domain.approvals import require_approval, use_quota
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.regions import inside
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def register(ctx: AppendContext, body: dict[str, Any]) -> None:
    state.require_role(ctx, "producer")
    product = state.product(ctx, body["product"], "body.product")
    state.require_new_batch(ctx, body["batch"], "body.batch")
    origin = body.get("origin") or {}
    if state.v2(ctx):
        _harvest_facts(ctx, body, json.loads(product.region_codes))
    year = int(body["harvested"][:4])
    if state.public(ctx):
        require_approval(ctx, product.product, year)
    else:
        use_quota(ctx, product.product, year, body["quantity"])
    actor = ctx.statement.actor
    village = body.get("village") or {}
    state.new_batch(ctx, body["batch"], product_id=product.product, lot=body["lot"],
                    quantity=body.get("quantity"), producer=actor, producers=[actor],
                    origin="register",
                    composition=None if state.public(ctx) else composition.dumps(
                        composition.harvest(body["batch"])),
                    charged=None if state.public(ctx) else "0", harvested=body["harvested"],
                    plot=origin.get("plot"), lat=origin.get("lat"), lon=origin.get("lon"),
                    plot_region=origin.get("region"),
                    village_zh=village.get("zh"), village_en=village.get("en"))
    if state.public(ctx):
        state.event(ctx, body["batch"], lot=body["lot"], harvested=body["harvested"])
        return
    state.give(ctx, actor, body["batch"], body["quantity"], new=True)
    state.event(ctx, body["batch"], quantity=body["quantity"], lot=body["lot"],
                harvested=body["harvested"])


def _harvest_facts(ctx: AppendContext, body: dict[str, Any], codes: list[str]) -> None:
    """v2: no harvest after the day it is registered; a plot's region inside the GI's."""
    if date.fromisoformat(body["harvested"]) > ctx.statement.ts.date():
        raise violation("date-in-future", f"harvested {body['harvested']}, after the statement's "
                        f"date {ctx.statement.ts.date()}", "body.harvested")
    region = (body.get("origin") or {}).get("region")
    if region is not None and not inside(region, codes):
        raise violation("plot-out-of-region", f"the plot is in {region}, outside the product's "
                        f"region {', '.join(codes)}", "body.origin.region")


def _lead_producer(ctx: AppendContext, parents: list[Row[Any]]) -> tuple[str, list[str]]:
    """`producer` and `producers` of a batch made of `parents` (see the module's docstring).
    v1 made the author the producer of a batch of several growers; v2 never does."""
    growers = sorted({grower for parent in parents for grower in state.producers(parent)})
    if not state.v2(ctx):
        single = {parent.producer for parent in parents}
        producer = single.pop() if len(single) == 1 else ctx.statement.actor
        return producer, [producer]
    return parents[0].producer, growers


def _blend(parents: list[tuple[Row[Any], Decimal]], produced: Decimal) -> str | None:
    if any(row.composition is None for row, _ in parents):
        return None  # made before its parents' compositions were kept: rebuild the projections
    return composition.dumps(composition.blend(
        [(composition.loads(row.composition), amount) for row, amount in parents], produced))


def split(ctx: AppendContext, body: dict[str, Any]) -> None:
    parent = state.batch(ctx, body["from_"], "body.from")
    actor = ctx.statement.actor
    if state.public(ctx):
        for portion in body["into"]:
            _child(ctx, parent, portion, Decimal(0))
        state.event(ctx, parent.batch, kind="split", into=[p["batch"] for p in body["into"]])
        return
    held = state.holding(ctx, actor, parent.batch)
    if held == 0:
        raise violation("not-holder", f"{actor} holds none of batch {parent.batch!r}", "body.from")
    total = sum((portion["quantity"] for portion in body["into"]), Decimal(0))
    if total > held:
        raise violation("split-exceeds-parent", f"the parts add up to {format_quantity(total)}, "
                        f"more than the {format_quantity(held)} held of {parent.batch}",
                        body["total_at"])
    for portion in body["into"]:
        labelled = state.take(ctx, parent.batch, portion["quantity"], "body.from")
        _child(ctx, parent, portion, labelled)
    state.event(ctx, parent.batch, kind="split", into=[p["batch"] for p in body["into"]],
                quantity=total)


def _child(ctx: AppendContext, parent: Row[Any], portion: dict[str, Any], labelled: Decimal) -> None:
    """A part split off `parent`: the same goods, so the same lot, growers and composition."""
    child, quantity = portion["batch"], portion["quantity"]
    state.require_new_batch(ctx, child, portion["at"])
    state.new_batch(ctx, child, product_id=parent.product, lot=parent.lot, quantity=quantity,
                    producer=parent.producer, producers=state.producers(parent), origin="split",
                    composition=None if quantity is None else parent.composition)
    state.link(ctx, parent.batch, child, quantity, "split")
    if quantity is None:
        state.event(ctx, child, kind="split", parent=parent.batch)
        return
    state.give(ctx, ctx.statement.actor, child, quantity, labelled=labelled, new=True)
    state.event(ctx, child, kind="split", parent=parent.batch, quantity=quantity)


def merge(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Merge everything the author holds of several batches of one GI product."""
    actor, into = ctx.statement.actor, body["into"]
    parents = [state.batch(ctx, name, f"body.from[{i}]") for i, name in enumerate(body["from_"])]
    if len({p.product for p in parents}) > 1:
        raise violation("merge-mixed-products", "only batches of the same GI product merge: "
                        + ", ".join(sorted({p.product for p in parents})), "body.from")
    state.require_new_batch(ctx, into["batch"], "body.into.batch")
    producer, growers = _lead_producer(ctx, parents)
    if state.public(ctx):
        state.new_batch(ctx, into["batch"], product_id=parents[0].product, lot=into["lot"],
                        quantity=None, producer=producer, producers=growers, origin="merge",
                        composition=None)
        for parent in parents:
            state.link(ctx, parent.batch, into["batch"], None, "merge")
            state.event(ctx, parent.batch, kind="merge", into=into["batch"])
        state.event(ctx, into["batch"], kind="merge", parents=[p.batch for p in parents])
        return
    amounts, labelled = [], Decimal(0)
    for index, parent in enumerate(parents):
        held = state.holding(ctx, actor, parent.batch)
        labelled += state.take(ctx, parent.batch, held, f"body.from[{index}]")
        amounts.append(held)
    total = sum(amounts, Decimal(0))
    state.new_batch(ctx, into["batch"], product_id=parents[0].product, lot=into["lot"],
                    quantity=total, producer=producer, producers=growers, origin="merge",
                    composition=_blend(list(zip(parents, amounts, strict=True)), total))
    for parent, amount in zip(parents, amounts, strict=True):
        state.link(ctx, parent.batch, into["batch"], amount, "merge")
        state.event(ctx, parent.batch, kind="merge", into=into["batch"], quantity=amount)
    state.give(ctx, actor, into["batch"], total, labelled=labelled, new=True)
    state.event(ctx, into["batch"], kind="merge", parents=[p.batch for p in parents], quantity=total)


def process(ctx: AppendContext, body: dict[str, Any]) -> None:
    """Turn inputs of one product into an output of another, bounded by the declared yield.
    Labels on the inputs are used up with them: the output starts unlabelled, and its labels
    are charged to the same harvests as the inputs' were."""
    inputs = [(state.batch(ctx, item["batch"], item["at"]), item) for item in body["inputs"]]
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
    output = body["output"]
    if not state.public(ctx):
        total_in = sum((item["quantity"] for _, item in inputs), Decimal(0))
        limit = total_in * parse_quantity(declared["max_yield"])
        if output["quantity"] > limit:
            raise violation("yield-exceeded", f"{format_quantity(total_in)} of {source.product} "
                            f"yields at most {format_quantity(limit)} of {target.product} "
                            f"(max_yield {declared['max_yield']})", output["quantity_at"])
    state.require_new_batch(ctx, output["batch"], "body.output.batch")
    for row, item in inputs:
        quantity = item["quantity"]
        if quantity is not None:
            state.take(ctx, row.batch, quantity, item["quantity_at"])
        state.link(ctx, row.batch, output["batch"], quantity, "process")
        state.event(ctx, row.batch, kind="process", process=body["process"], into=output["batch"],
                    **({} if quantity is None else {"quantity": quantity}))
    producer, growers = _lead_producer(ctx, [row for row, _ in inputs])
    made = output["quantity"]
    state.new_batch(ctx, output["batch"], product_id=target.product, lot=output["lot"],
                    quantity=made, producer=producer, producers=growers, origin="process",
                    composition=None if made is None else _blend(
                        [(row, item["quantity"]) for row, item in inputs], made))
    if made is None:
        state.event(ctx, output["batch"], kind="process", process=body["process"],
                    inputs=[row.batch for row, _ in inputs])
        return
    state.give(ctx, ctx.statement.actor, output["batch"], made, new=True)
    state.event(ctx, output["batch"], kind="process", process=body["process"],
                inputs=[row.batch for row, _ in inputs], quantity=made)
