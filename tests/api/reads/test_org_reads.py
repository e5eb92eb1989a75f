"""An organisation's holdings, inbox and shipments: for itself and regulators."""

from __future__ import annotations

import pytest

from tests.api.reads.world import World


def test_holdings_are_what_the_org_holds_now(world: World) -> None:
    body = world.get("/v1/orgs/wuchang-mill/holdings", world.mill).get_json()
    assert body == {"items": [{"batch": "rice-1", "product": "wuchang-rice", "lot": "R2025A",
                               "quantity": "100", "unit": "kg", "recalled": False}], "next": None}


def test_holdings_include_recalled_batches_and_filter_by_product(world: World) -> None:
    body = world.get("/v1/orgs/wuchang-coop/holdings", world.producer).get_json()
    assert [(h["batch"], h["quantity"], h["recalled"]) for h in body["items"]] == [("paddy-1b", "2000", True)]
    assert world.get("/v1/orgs/wuchang-coop/holdings?product=wuchang-rice",
                     world.producer).get_json()["items"] == []


def test_the_inbox_holds_pending_shipments_with_items_and_sender(world: World) -> None:
    body = world.get("/v1/orgs/hlj-distribution/inbox", world.distributor).get_json()
    [shipment] = body["items"]
    assert (shipment["shipment"], shipment["sender"], shipment["status"]) == ("ship-3", "wuchang-mill",
                                                                             "pending")
    assert shipment["items"] == [{"batch": "rice-1", "quantity": "400", "product": "wuchang-rice",
                                  "lot": "R2025A"}]
    assert shipment["settled_seq"] is None


def test_received_shipments_leave_the_inbox(world: World) -> None:
    assert world.get("/v1/orgs/retailer-bj/inbox", world.retailer).get_json()["items"] == []


SHIPMENTS = {
    "all": ("", ["ship-1", "ship-2", "ship-3"]),
    "in": ("direction=in", ["ship-1"]),
    "out": ("direction=out", ["ship-2", "ship-3"]),
    "pending": ("status=pending", ["ship-3"]),
    "received-out": ("status=received&direction=out", ["ship-2"]),
    "rejected": ("status=rejected", []),
}


@pytest.mark.parametrize(("query", "expected"), SHIPMENTS.values(), ids=SHIPMENTS.keys())
def test_shipment_filters(world: World, query: str, expected: list[str]) -> None:
    body = world.get(f"/v1/orgs/wuchang-mill/shipments?{query}", world.mill).get_json()
    assert [s["shipment"] for s in body["items"]] == expected


def test_a_received_shipment_shows_when_it_settled(world: World) -> None:
    [shipment] = world.get("/v1/orgs/retailer-bj/shipments", world.retailer).get_json()["items"]
    assert shipment["status"] == "received"
    assert shipment["settled_seq"] > shipment["sent_seq"]


@pytest.mark.parametrize("query", ["direction=sideways", "status=lost"], ids=["direction", "status"])
def test_bad_shipment_filters_are_422(world: World, query: str) -> None:
    resp = world.get(f"/v1/orgs/wuchang-mill/shipments?{query}", world.mill)
    assert resp.status_code == 422
    assert resp.get_json()["field"] == query.split("=")[0]
