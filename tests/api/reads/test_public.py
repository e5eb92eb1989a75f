"""Public reads: products, organisations and their keys, approvals — no account needed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import assert_problem
from tests.api.reads.world import LABEL_YEAR, PADDY, USCC, World
from tests.support import Actor


def ids(body: dict[str, object], key: str) -> list[object]:
    return [item[key] for item in body["items"]]  # type: ignore[attr-defined]


def test_products_are_listed_by_id(world: World) -> None:
    body = world.get("/v1/products").get_json()
    assert ids(body, "product") == ["longjing-tea", "wuchang-paddy", "wuchang-rice"]
    assert body["next"] is None


def test_a_product_has_its_region_unit_gtins_and_processes(world: World) -> None:
    resp = world.get("/v1/products/wuchang-paddy")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "product": "wuchang-paddy", "name": {"zh": "五常稻谷", "en": "Wuchang paddy"},
        "region": {"name": {"zh": "黑龙江省五常市", "en": "Wuchang, Heilongjiang"}, "codes": ["230184"]},
        "unit": "kg", "gtins": sorted(PADDY["gtins"]),  # type: ignore[type-var]
        "packs": ["1", "25"], "processes": {"mill": {"to": "wuchang-rice", "max_yield": "0.7"}},
        "regulator": world.regulator.org, "seq": resp.get_json()["seq"]}


@pytest.mark.parametrize(("query", "expected"), [
    (f"gtin={PADDY['gtins'][1]}", ["wuchang-paddy"]),  # type: ignore[index]
    ("gtin=00000000000000", []),
    ("region=230184", ["wuchang-paddy", "wuchang-rice"]),
    ("region=330106", ["longjing-tea"]),
    ("region=230184&gtin=06900000000106", ["wuchang-rice"]),
], ids=["by-gtin", "unknown-gtin", "by-region", "other-region", "both"])
def test_product_filters(world: World, query: str, expected: list[str]) -> None:
    assert ids(world.get(f"/v1/products?{query}").get_json(), "product") == expected


def test_an_unknown_product_is_404(world: World) -> None:
    assert_problem(world.get("/v1/products/champagne"), 404, "not-found")


def test_orgs_are_listed_with_roles_and_keys(world: World) -> None:
    body = world.get("/v1/orgs?limit=500").get_json()
    by_id = {org["org"]: org for org in body["items"]}
    assert by_id["cnipa"]["roles"] == ["regulator"]
    assert by_id["wuchang-mill"]["name"] == {"zh": "五常米业", "en": "Wuchang Rice Mill"}
    assert [k["key_id"] for k in by_id["retailer-bj"]["keys"]] == [world.retailer.key_id]
    assert ids(body, "org") == sorted(by_id)


def test_orgs_filter_by_role(world: World) -> None:
    producers = ids(world.get("/v1/orgs?role=producer").get_json(), "org")
    assert {"wuchang-coop", "other-coop", "lazy-coop"} <= set(producers)
    assert "wuchang-mill" not in producers
    assert ids(world.get("/v1/orgs?role=regulator").get_json(), "org") == ["cnipa"]


def test_an_org_shows_its_credentials_and_every_key(world: World) -> None:
    body = world.get("/v1/orgs/wuchang-coop").get_json()
    assert body["name"] == {"zh": "五常市稻花香合作社", "en": "Wuchang Daohuaxiang Co-op"}
    assert (body["region"], body["uscc"], body["roles"]) == ("230184", USCC, ["producer"])
    [key] = body["keys"]
    assert key["key_id"] == world.producer.key_id
    assert key["pub"] == world.producer.pub
    assert (key["revoked"], key["revoked_ts"], key["revoked_seq"]) == (False, None, None)


def test_revoked_keys_are_marked(world: World) -> None:
    lost, kept = world.new_org(["distributor"], keys=2)
    world.revoke(lost)
    keys = {k["key_id"]: k for k in world.get(f"/v1/orgs/{lost.org}").get_json()["keys"]}
    assert keys[lost.key_id]["revoked"] is True
    assert keys[lost.key_id]["revoked_ts"].endswith("Z")
    assert keys[lost.key_id]["revoked_seq"] > keys[lost.key_id]["added_seq"]
    assert keys[kept.key_id]["revoked"] is False


def test_an_unknown_org_is_404(world: World) -> None:
    assert_problem(world.get("/v1/orgs/nobody"), 404, "not-found")


def by_producer(world: World, query: str, who: Actor | None = None) -> dict[str, Any]:
    return {a["producer"]: a for a in world.get(f"/v1/approvals?{query}", who).get_json()["items"]}


def test_approvals_show_quota_and_suspension_to_everyone(world: World) -> None:
    """Who is approved for how much is public; what a producer used is its harvests' sizes."""
    found = by_producer(world, "product=wuchang-paddy&year=2025")
    assert found["wuchang-coop"] | {"seq": 0} == {
        "product": "wuchang-paddy", "producer": "wuchang-coop", "year": 2025, "quota": "10000",
        "suspended": False, "suspension_reason": None, "regulator": "cnipa", "seq": 0}
    lazy = found["lazy-coop"]
    assert (lazy["suspended"], lazy["suspension_reason"]) == (True, "special sign misused")


def test_a_producer_sees_its_own_quota_used_and_remaining(world: World) -> None:
    found = by_producer(world, "product=wuchang-paddy&year=2025", world.producer)
    assert (found["wuchang-coop"]["used"], found["wuchang-coop"]["remaining"]) == ("5000", "5000")
    assert "used" not in found["other-coop"] and "remaining" not in found["other-coop"]


def test_a_regulator_sees_every_quota_used(world: World) -> None:
    found = by_producer(world, "product=wuchang-paddy&year=2025", world.regulator)
    assert (found["wuchang-coop"]["used"], found["wuchang-coop"]["remaining"]) == ("5000", "5000")
    assert (found["other-coop"]["used"], found["other-coop"]["remaining"]) == ("1000", "2000")


@pytest.mark.parametrize(("query", "expected"), [
    ("", [("lazy-coop", 2025), ("other-coop", 2025), ("other-coop", LABEL_YEAR),
          ("wuchang-coop", 2025), ("wuchang-coop", 2026), ("wuchang-mill", LABEL_YEAR)]),
    ("producer=wuchang-coop", [("wuchang-coop", 2025), ("wuchang-coop", 2026)]),
    ("year=2025", [("lazy-coop", 2025), ("other-coop", 2025), ("wuchang-coop", 2025)]),
    ("producer=wuchang-coop&year=2025", [("wuchang-coop", 2025)]),
    ("product=wuchang-rice", [("wuchang-mill", LABEL_YEAR)]),
    ("product=longjing-tea", []),
], ids=["all", "by-producer", "by-year", "by-producer-and-year", "a-mill-approved-to-label",
        "by-product"])
def test_approval_filters(world: World, query: str, expected: list[tuple[str, int]]) -> None:
    body = world.get(f"/v1/approvals?{query}").get_json()
    assert [(a["producer"], a["year"]) for a in body["items"]] == expected


def test_a_quota_with_decimals_keeps_them(world: World) -> None:
    found = by_producer(world, "producer=wuchang-coop&year=2026", world.producer)
    assert (found["wuchang-coop"]["quota"], found["wuchang-coop"]["remaining"]) == ("12000.5", "12000.5")
