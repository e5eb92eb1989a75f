"""Batches and their journey, for parties and regulators."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import assert_problem
from tests.api.reads.world import HARVESTED, World


def links(items: list[dict[str, Any]]) -> list[tuple[str, str, str, str, int]]:
    return [(i["batch"], i["via"], i["kind"], i["quantity"], i["depth"]) for i in items]


def test_a_batch_shows_where_it_came_from(world: World) -> None:
    resp = world.get("/v1/batches/rice-1", world.retailer)
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["product"], body["lot"], body["quantity"], body["unit"]) == ("wuchang-rice", "R2025A",
                                                                              "2000", "kg")
    assert (body["producer"], body["created_by"], body["kind"]) == ("wuchang-coop", "wuchang-mill",
                                                                    "process")
    assert links(body["ancestors"]) == [("paddy-1a", "rice-1", "process", "3000", 1),
                                        ("paddy-1", "paddy-1a", "split", "3000", 2)]
    assert body["descendants"] == []
    assert body["holdings"] == [{"org": "retailer-bj", "quantity": "1500"},
                                {"org": "wuchang-mill", "quantity": "100"}]


def test_a_batch_shows_where_it_went(world: World) -> None:
    body = world.get("/v1/batches/paddy-1", world.producer).get_json()
    assert links(body["descendants"]) == [("paddy-1a", "paddy-1", "split", "3000", 1),
                                          ("paddy-1b", "paddy-1", "split", "2000", 1),
                                          ("rice-1", "paddy-1a", "process", "3000", 2)]
    assert body["descendants"][1]["recalled"] is True
    assert body["ancestors"] == []
    assert body["holdings"] == []
    assert body["harvested"] == HARVESTED
    assert body["origin"] == {"plot": "Longfeng 7", "lat": "44.93", "lon": "127.17"}


def test_a_batch_lists_its_events_in_log_order(world: World) -> None:
    events = world.get("/v1/batches/rice-1", world.regulator).get_json()["events"]
    assert [(e["type"], e["actor"]) for e in events] == [
        ("batch.process", "wuchang-mill"), ("shipment.send", "wuchang-mill"),
        ("shipment.receive", "retailer-bj"), ("shipment.send", "wuchang-mill")]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[1]["detail"] == {"shipment": "ship-2", "to": "retailer-bj", "quantity": "1500"}
    assert all(e["ts"].endswith("Z") for e in events)


def test_a_batch_lists_its_shipments(world: World) -> None:
    shipments = world.get("/v1/batches/rice-1", world.mill).get_json()["shipments"]
    assert [(s["shipment"], s["receiver"], s["status"], s["quantity"]) for s in shipments] == [
        ("ship-2", "retailer-bj", "received", "1500"), ("ship-3", "hlj-distribution", "pending", "400")]


def test_a_recalled_batch_says_why(world: World) -> None:
    body = world.get("/v1/batches/paddy-1b", world.regulator).get_json()
    assert (body["recalled"], body["recall_reason"]) == (True, "moisture above 15.5%")
    assert body["events"][-1]["type"] == "batch.recall"


def test_an_unknown_batch_is_404(world: World) -> None:
    assert_problem(world.get("/v1/batches/nope", world.regulator), 404, "not-found")


VISIBLE = {
    "regulator": ("regulator", ["other-1", "paddy-1", "paddy-1a", "paddy-1b", "rice-1"]),
    "producer": ("producer", ["paddy-1", "paddy-1a", "paddy-1b", "rice-1"]),
    "mill": ("mill", ["paddy-1a", "rice-1"]),
    "retailer": ("retailer", ["rice-1"]),
    "distributor-with-a-pending-shipment": ("distributor", ["rice-1"]),
    "unrelated-producer": ("unrelated", ["other-1"]),
    "suspended-producer-with-nothing": ("suspended", []),
}


@pytest.mark.parametrize(("who", "expected"), VISIBLE.values(), ids=VISIBLE.keys())
def test_the_list_holds_the_batches_the_caller_is_party_to(world: World, who: str,
                                                           expected: list[str]) -> None:
    body = world.get("/v1/batches?limit=500", getattr(world, who)).get_json()
    assert [b["batch"] for b in body["items"]] == expected


FILTERS = {
    "product": ("product=wuchang-rice", ["rice-1"]),
    "lot": ("lot=L2025A", ["paddy-1", "paddy-1a", "paddy-1b"]),
    "holder": ("holder=wuchang-mill", ["rice-1"]),
    "holder-of-nothing": ("holder=retailer-nobody", []),
    "recalled": ("recalled=true", ["paddy-1b"]),
    "not-recalled": ("recalled=false", ["other-1", "paddy-1", "paddy-1a", "rice-1"]),
    "product-and-lot": ("product=wuchang-paddy&lot=X2025", ["other-1"]),
}


@pytest.mark.parametrize(("query", "expected"), FILTERS.values(), ids=FILTERS.keys())
def test_batch_filters(world: World, query: str, expected: list[str]) -> None:
    body = world.get(f"/v1/batches?{query}", world.regulator).get_json()
    assert [b["batch"] for b in body["items"]] == expected


def test_filters_apply_within_what_the_caller_may_see(world: World) -> None:
    body = world.get("/v1/batches?holder=wuchang-mill", world.unrelated).get_json()
    assert body["items"] == []


def test_a_party_sees_the_whole_journey_of_its_batch(world: World) -> None:
    """The retailer is no party to the paddy, yet sees it as rice-1's ancestor."""
    body = world.get("/v1/batches/rice-1", world.retailer).get_json()
    assert body["ancestors"][-1]["batch"] == "paddy-1"
    assert_problem(world.get("/v1/batches/paddy-1", world.retailer), 403, "not-a-party")
