"""GI products as the public sees them: protected name, region, unit, GTINs, packs, processes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.queries.paging import Page, cut


@dataclass(frozen=True)
class Name:
    zh: str
    en: str


@dataclass(frozen=True)
class Region:
    name: Name
    codes: list[str]


@dataclass(frozen=True)
class Product:
    product: str
    name: Name
    region: Region
    unit: str
    gtins: list[str]
    packs: list[str]  # net quantities (in `unit`) that one label may cover
    processes: dict[str, dict[str, str]]
    regulator: str
    seq: int


def _gtins(conn: Connection, product_ids: list[str]) -> dict[str, list[str]]:
    g = tables.gtins.c
    found: dict[str, list[str]] = {p: [] for p in product_ids}
    for row in conn.execute(select(g.product, g.gtin).where(g.product.in_(product_ids)).order_by(g.gtin)):
        found[row.product].append(row.gtin)
    return found


def _product(row: Any, gtins: list[str]) -> Product:
    return Product(
        product=row.product, name=Name(row.name_zh, row.name_en),
        region=Region(Name(row.region_zh, row.region_en), json.loads(row.region_codes)),
        unit=row.unit, gtins=gtins, packs=json.loads(row.packs),
        processes=json.loads(row.processes), regulator=row.regulator, seq=row.seq)


def list_products(conn: Connection, *, limit: int, after: str | None = None,
                  gtin: str | None = None, region: str | None = None) -> Page[Product]:
    """Products by id; `gtin` finds the one that owns a GTIN, `region` those of an admin code."""
    p = tables.products.c
    query = select(tables.products).order_by(p.product).limit(limit + 1)
    if after is not None:
        query = query.where(p.product > after)
    if gtin is not None:
        query = query.where(p.product.in_(select(tables.gtins.c.product)
                                          .where(tables.gtins.c.gtin == gtin)))
    if region is not None:
        query = query.where(p.region_codes.contains(json.dumps(region), autoescape=True))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: str(row.product))
    gtins = _gtins(conn, [row.product for row in rows])
    return Page([_product(row, gtins[row.product]) for row in rows], next_)


def get_product(conn: Connection, product: str) -> Product | None:
    row = conn.execute(select(tables.products).where(tables.products.c.product == product)).first()
    return None if row is None else _product(row, _gtins(conn, [product])[product])
