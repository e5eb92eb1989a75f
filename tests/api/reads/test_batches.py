"""Batches and their journey, for parties and regulators: each party sees the public lineage,
and the confidential values (quantities, plots, holders, shipments) of the statements it may
read — its own, and those naming it; a regulator sees everything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.helpers import assert_problem
from tests.api.reads.world import HARVESTED, World
from tests.support import Actor


def links(items: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None, int]]:
    return [(i["batch"], i["via"], i["kind"], i.get("quantity"), i["depth"]) for i in items]


def test_a_batch_shows_where_it_came_from(world: World) -> None:
    """The mill made rice-1: it sees what it milled and made, not what the co-op split."""
    resp = world.get("/v1/batches/rice-1", world.mill)
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["product"], body["lot"], body["quantity"], body["unit"]) == ("wuchang-rice", "R2025A",
                                                                              "2000", "kg")
    assert (body["producer"], body["producers"], body["created_by"], body["kind"]) == (
        "wuchang-coop", ["wuchang-coop"], "wuchang-mill", "process")
    assert links(body["ancestors"]) == [("paddy-1a", "rice-1", "process", "3000", 1),
                                        ("paddy-1", "paddy-1a", "split", None, 2)]
    assert body["descendants"] == []
    assert body["holdings"] == [{"org": "wuchang-mill", "quantity": "100"}]


def test_a_buyer_sees_the_lineage_but_no_one_elses_quantities(world: World) -> None:
    """retailer-bj bought rice-1: the public lineage, its own holding; not the mill's yield."""
    body = world.get("/v1/batches/rice-1", world.retailer).get_json()
    assert "quantity" not in body
    assert links(body["ancestors"]) == [("paddy-1a", "rice-1", "process", None, 1),
                                        ("paddy-1", "paddy-1a", "split", None, 2)]
    assert body["holdings"] == [{"org": "retailer-bj", "quantity": "1500"}]


def test_a_regulator_sees_every_holder_and_quantity(world: World) -> None:
    body = world.get("/v1/batches/rice-1", world.regulator).get_json()
    assert body["quantity"] == "2000"
    assert links(body["ancestors"]) == [("paddy-1a", "rice-1", "process", "3000", 1),
                                        ("paddy-1", "paddy-1a", "split", "3000", 2)]
    assert body["holdings"] == [{"org": "retailer-bj", "quantity": "1500"},
                                {"org": "wuchang-mill", "quantity": "100"}]


def test_a_batch_shows_where_it_went(world: World) -> None:
    body = world.get("/v1/batches/paddy-1", world.producer).get_json()
    assert links(body["descendants"]) == [("paddy-1a", "paddy-1", "split", "3000", 1),
                                          ("paddy-1b", "paddy-1", "split", "2000", 1),
                                          ("rice-1", "paddy-1a", "process", None, 2)]
    assert body["descendants"][1]["recalled"] is True
    assert body["ancestors"] == []
    assert body["holdings"] == []
    assert body["harvested"] == HARVESTED
    assert body["village"] == {"zh": "龙凤山村", "en": "Longfengshan"}
    assert body["origin"] == {"plot": "Longfeng 7", "lat": "44.93", "lon": "127.17",
                              "region": "230184"}


def test_the_list_shows_quantities_and_plots_to_whoever_made_the_batch(world: World) -> None:
    def shown(who: Actor) -> list[tuple[str, bool, bool]]:
        items = world.get("/v1/batches?limit=500", who).get_json()["items"]
        return [(b["batch"], "quantity" in b, "origin" in b) for b in items]

    assert shown(world.mill) == [("paddy-1a", False, False), ("rice-1", True, False)]
    assert shown(world.producer) == [("paddy-1", True, True), ("paddy-1a", True, False),
                                     ("paddy-1b", True, False), ("rice-1", False, False)]
    assert ("paddy-1", True, True) in shown(world.regulator)


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


@pytest.mark.parametrize(("who", "mine", "theirs", "other_buyer"), [
    ("retailer", "ship-2", "ship-3", "hlj-distribution"),
    ("distributor", "ship-3", "ship-2", "retailer-bj")], ids=["retailer", "distributor"])
def test_a_buyer_sees_its_own_shipment_and_not_the_other_buyers(
        world: World, who: str, mine: str, theirs: str, other_buyer: str) -> None:
    """Both bought rice-1 from the mill; neither learns whom else the mill sold to, or how much."""
    body = world.get("/v1/batches/rice-1", getattr(world, who)).get_json()
    assert [s["shipment"] for s in body["shipments"]] == [mine]
    shipped = {e["detail"]["shipment"] for e in body["events"] if e["type"].startswith("shipment.")}
    assert shipped == {mine}
    text = json.dumps(body)
    assert theirs not in text and other_buyer not in text


def test_events_show_their_public_part_to_those_who_may_not_read_them(world: World) -> None:
    """The mill's process of paddy-1a into rice-1: lineage to the co-op, no quantity."""
    events = world.get("/v1/batches/paddy-1a", world.producer).get_json()["events"]
    process = next(e for e in events if e["type"] == "batch.process")
    assert process["detail"] == {"kind": "process", "process": "mill", "into": "rice-1"}
    split = next(e for e in events if e["type"] == "batch.split")
    assert split["detail"] == {"kind": "split", "parent": "paddy-1", "quantity": "3000"}


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


def test_an_org_filters_by_its_own_holdings_only(world: World) -> None:
    """Who holds what is each holder's business: the retailer may not ask what the
    distributor holds of the rice it also bought."""
    body = world.get("/v1/batches?holder=retailer-bj", world.retailer).get_json()
    assert [b["batch"] for b in body["items"]] == ["rice-1"]
    assert_problem(world.get("/v1/batches?holder=wuchang-mill", world.retailer), 403,
                   "not-authorized")
    assert_problem(world.get("/v1/batches?holder=wuchang-mill", world.unrelated), 403,
                   "not-authorized")


def test_a_party_sees_the_whole_journey_of_its_batch(world: World) -> None:
    """The retailer is no party to the paddy, yet sees it as rice-1's ancestor."""
    body = world.get("/v1/batches/rice-1", world.retailer).get_json()
    assert body["ancestors"][-1]["batch"] == "paddy-1"
    assert_problem(world.get("/v1/batches/paddy-1", world.retailer), 403, "not-a-party")
