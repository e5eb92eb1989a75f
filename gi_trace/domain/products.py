"""GI products: a protected name, its region, unit, GTINs, declared processes and (v2) the
packs one label may cover."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.domain.quantity import format_quantity
from gi_trace.domain.state import REGULATOR, require_role
from gi_trace.domain.violations import violation
from gi_trace.ledger.rules import AppendContext


def register(ctx: AppendContext, body: dict[str, Any]) -> None:
    require_role(ctx, REGULATOR)
    product_id = body["product"]
    if ctx.conn.execute(select(tables.products.c.product)
                        .where(tables.products.c.product == product_id)).first():
        raise violation("duplicate-id", f"product {product_id!r} already exists", "body.product")
    for index, gtin in enumerate(body["gtins"]):
        if not valid_check_digit(gtin):
            raise violation("bad-gtin", f"{gtin} has a wrong GS1 check digit", f"body.gtins[{index}]")
        owner = ctx.conn.scalar(select(tables.gtins.c.product).where(tables.gtins.c.gtin == gtin))
        if owner is not None:
            raise violation("duplicate-id", f"GTIN {gtin} already belongs to {owner}",
                            f"body.gtins[{index}]")
    processes = {name: {"to": p["to"], "max_yield": format_quantity(p["max_yield"])}
                 for name, p in body.get("processes", {}).items()}
    region = body["region"]
    ctx.conn.execute(tables.products.insert().values(
        product=product_id, name_zh=body["name"]["zh"], name_en=body["name"]["en"],
        region_zh=region["name"]["zh"], region_en=region["name"]["en"],
        region_codes=json.dumps(region["codes"]), unit=body["unit"],
        processes=json.dumps(processes, sort_keys=True),
        packs=json.dumps([format_quantity(pack) for pack in body.get("packs", [])]),
        regulator=ctx.statement.actor, seq=ctx.seq))
    ctx.conn.execute(tables.gtins.insert(), [{"gtin": g, "product": product_id} for g in body["gtins"]])
