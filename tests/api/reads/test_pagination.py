"""Every list pages with ?limit= and ?after=, and says where the next page starts."""

from __future__ import annotations

from typing import Any

import pytest

from gi_trace.domain.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from tests.api.helpers import assert_problem
from tests.api.reads.world import LABEL_YEAR, World
from tests.support import Actor

# list url, item id field, who asks, every id in order
LISTS: dict[str, tuple[str, str, str | None, list[Any]]] = {
    "products": ("/v1/products", "product", None, ["longjing-tea", "wuchang-paddy", "wuchang-rice"]),
    "approvals": ("/v1/approvals", "producer", None,
                  ["lazy-coop", "other-coop", "other-coop", "wuchang-coop", "wuchang-coop",
                   "wuchang-mill"]),
    "batches": ("/v1/batches", "batch", "regulator",
                ["other-1", "paddy-1", "paddy-1a", "paddy-1b", "rice-1"]),
    "shipments": ("/v1/orgs/wuchang-mill/shipments", "shipment", "mill", ["ship-1", "ship-2", "ship-3"]),
    "holdings": ("/v1/orgs/wuchang-mill/holdings", "batch", "mill", ["rice-1"]),
}


def walk(world: World, url: str, field: str, actor: Actor | None, limit: int) -> tuple[list[Any], int]:
    """Follow `next` from the first page to the last; the ids seen and the number of pages."""
    seen: list[Any] = []
    pages, after = 0, None
    while True:
        query = f"limit={limit}" + (f"&after={after}" if after else "")
        body = world.get(f"{url}{'&' if '?' in url else '?'}{query}", actor).get_json()
        pages += 1
        assert len(body["items"]) <= limit
        seen += [item[field] for item in body["items"]]
        after = body["next"]
        if after is None:
            return seen, pages
        assert len(body["items"]) == limit


@pytest.mark.parametrize(("url", "field", "who", "expected"), LISTS.values(), ids=LISTS.keys())
@pytest.mark.parametrize("limit", [1, 2, 500])
def test_pages_cover_the_list_once_in_order(world: World, url: str, field: str, who: str | None,
                                            expected: list[Any], limit: int) -> None:
    actor = getattr(world, who) if who else None
    seen, pages = walk(world, url, field, actor, limit)
    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


def test_orgs_page_through_every_org(world: World) -> None:
    everything = [o["org"] for o in world.get("/v1/orgs?limit=500").get_json()["items"]]
    seen, pages = walk(world, "/v1/orgs", "org", None, 3)
    assert seen == everything
    assert pages == -(-len(everything) // 3)


def test_the_inbox_pages_too(world: World) -> None:
    body = world.get("/v1/orgs/hlj-distribution/inbox?limit=1", world.distributor).get_json()
    assert ([s["shipment"] for s in body["items"]], body["next"]) == (["ship-3"], None)


def test_pages_combine_with_filters(world: World) -> None:
    first = world.get("/v1/batches?lot=L2025A&limit=2", world.regulator).get_json()
    assert ([b["batch"] for b in first["items"]], first["next"]) == (["paddy-1", "paddy-1a"], "paddy-1a")
    rest = world.get("/v1/batches?lot=L2025A&limit=2&after=paddy-1a", world.regulator).get_json()
    assert ([b["batch"] for b in rest["items"]], rest["next"]) == (["paddy-1b"], None)


def test_the_approval_cursor_names_product_producer_and_year(world: World) -> None:
    body = world.get("/v1/approvals?limit=4").get_json()
    assert body["next"] == "wuchang-paddy/wuchang-coop/2025"
    rest = world.get(f"/v1/approvals?after={body['next']}").get_json()
    assert [(a["product"], a["producer"], a["year"]) for a in rest["items"]] == [
        ("wuchang-paddy", "wuchang-coop", 2026), ("wuchang-rice", "wuchang-mill", LABEL_YEAR)]


def test_the_default_page_is_50(world: World) -> None:
    assert DEFAULT_LIMIT == 50
    missing = DEFAULT_LIMIT + 1 - len(world.get("/v1/orgs?limit=500").get_json()["items"])
    world.append(*(world.register(Actor(f"shop-{i:02}"), ["retailer"], "商店", "Shop")
                   for i in range(missing)))
    body = world.get("/v1/orgs").get_json()
    assert len(body["items"]) == DEFAULT_LIMIT
    assert body["next"] == body["items"][-1]["org"]


def test_after_the_end_is_an_empty_last_page(world: World) -> None:
    assert world.get("/v1/products?after=zzz").get_json() == {"items": [], "next": None}


BAD = {
    "limit-zero": ("/v1/products?limit=0", "bad-argument", "limit"),
    "limit-above-max": (f"/v1/products?limit={MAX_LIMIT + 1}", "bad-argument", "limit"),
    "limit-not-integer": ("/v1/orgs?limit=ten", "bad-argument", "limit"),
    "after-empty": ("/v1/orgs?after=", "bad-argument", "after"),
    "approval-cursor-malformed": ("/v1/approvals?after=wuchang-coop", "bad-cursor", "after"),
    "approval-cursor-bad-year": ("/v1/approvals?after=a/b/20x5", "bad-cursor", "after"),
    "year-out-of-range": ("/v1/approvals?year=1999", "bad-argument", "year"),
    "role-unknown": ("/v1/orgs?role=king", "bad-argument", "role"),
    "recalled-not-boolean": ("/v1/batches?recalled=maybe", "bad-argument", "recalled"),
}


@pytest.mark.parametrize(("url", "code", "field"), BAD.values(), ids=BAD.keys())
def test_bad_list_arguments_are_422(world: World, url: str, code: str, field: str) -> None:
    assert_problem(world.get(url, world.regulator), 422, code, field=field)
