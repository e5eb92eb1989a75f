"""The journey on a verdict: that label's own lineage only — its harvests, the batches in between,
the shipments that carried its goods to the shop — with the harvest date and village a shopper
needs, and never another branch's shipments, quantities, plots, coordinates, shipment ids or
SSCCs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.domain.label_signature import sign_label
from gi_trace.service import Service
from tests.api.helpers import serving
from tests.api.test_scan import template, verdict
from tests.domain.world import (
    GTINS,
    PADDY,
    RICE,
    Template,
    World,
    approve,
    issue,
    process,
    receive,
    register,
    sell,
    serials,
    ship,
    split,
)

__all__ = ["template"]
RICE_GTIN = GTINS[RICE][0]
EARLY, LATE = "2026-09-20", "2026-10-02"


def chain(world: World, *, both_shops_labelled: bool = True) -> list[Any]:
    """Two harvests milled together; the mill, approved to print the rice's special sign, labels
    four 5 kg bags of it; the rice shipped to two shops, the labelled bags to both (or all to
    shop-1); a part of the first harvest shipped to a distributor (a branch no label of the
    rice travelled). shop-1 sells the first bag."""
    first = "10" if both_shops_labelled else "200"  # labelled bags leave first: 2 bags, or all 4
    a, mill = world.coop_a, world.mill
    return [
        approve(world.regulator, RICE, "mill", "1000"),
        register(a, "A-2", "400", harvested=EARLY,
                 origin={"plot": "north field 7", "lat": "44.9012", "lon": "127.1453"}),
        register(a, "A-3", "300", harvested=LATE),
        split(a, "A-2", [("A-2a", "250"), ("A-2b", "150")]),
        ship(a, "S-MILL-1", "mill", [("A-2a", "250"), ("A-3", "300")]),
        receive(mill, "S-MILL-1"),
        ship(a, "S-DIST-9", "dist", [("A-2b", "150")]),
        receive(world.dist, "S-DIST-9"),
        process(mill, [("A-2a", "250"), ("A-3", "300")], "R-1", "385", lot="RICE-1"),
        issue(mill, "R-1", 4, gtin=RICE_GTIN, lot="RICE-1", pack="5"),
        ship(mill, "S-SHOP-1", "shop-1", [("R-1", first)]),
        receive(world.shop_1, "S-SHOP-1"),
        ship(mill, "S-SHOP-2", "shop-2", [("R-1", "100")]),
        receive(world.shop_2, "S-SHOP-2"),
        sell(world.shop_1, serials("R-1", 1)),
    ]


@pytest.fixture
def milled(template: Template, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[
        tuple[World, Service, FlaskClient]]:
    with template.copy(tmp_path) as service:
        world = template.world
        service.log.append(chain(world, both_shops_labelled=getattr(request, "param", True)))
        with serving(service.settings) as app:
            yield world, service, app.test_client()


def rice_link(world: World, serial: str) -> str:
    sig = sign_label(world.mill.key, RICE_GTIN, "RICE-1", serial)
    return f"/01/{RICE_GTIN}/10/RICE-1/21/{serial}?s={sig}"


def shipments(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["actor"], s["detail"]["to"]) for s in data["journey"] if s["type"] == "shipment.send"]


def test_a_sold_labels_journey_is_its_own_path_from_the_fields_to_the_shop(milled: Any) -> None:
    world, _, client = milled
    data = verdict(client, rice_link(world, serials("R-1", 1)[0]))
    assert shipments(data) == [("coop-a", "mill"), ("mill", "shop-1")]
    types = [s["type"] for s in data["journey"]]
    assert types[:2] == ["batch.register", "batch.register"]
    assert {"batch.split", "batch.process", "label.issue", "label.sell"} <= set(types)
    assert types[-1] == "label.sell"
    assert data["retailer"]["org"] == "shop-1"
    assert data["producer"]["org"] == "mill" and data["label"]["pack"] == "5"
    assert {s["batch"] for s in data["journey"]} >= {"A-2", "A-2a", "A-3", "R-1"}
    assert "A-2b" not in json.dumps(data)  # the distributor's branch of the harvest


def test_an_unsold_labels_journey_stops_where_its_goods_parted(milled: Any) -> None:
    world, _, client = milled
    data = verdict(client, rice_link(world, serials("R-1", 2)[1]))
    assert data["verdict"] == "GENUINE"
    assert shipments(data) == [("coop-a", "mill")]  # shop-1 or shop-2: the ledger cannot say which
    assert data["retailer"] is None


@pytest.mark.parametrize("milled", [False], indirect=True, ids=["all-labelled-bags-to-shop-1"])
def test_an_unsold_labels_journey_goes_to_the_one_shop_holding_every_labelled_bag(milled: Any) -> None:
    world, _, client = milled
    data = verdict(client, rice_link(world, serials("R-1", 2)[1]))
    assert shipments(data) == [("coop-a", "mill"), ("mill", "shop-1")]  # not shop-2's bulk rice
    assert data["retailer"]["org"] == "shop-1"
    page = client.get(rice_link(world, serials("R-1", 2)[1]) + "&lang=en").get_data(as_text=True)
    assert 'id="retailer"' in page


def test_the_verdict_shows_the_harvest_dates_not_a_later_date(milled: Any) -> None:
    world, _, client = milled
    data = verdict(client, rice_link(world, serials("R-1", 1)[0]))
    assert data["batch"]["harvested"] == EARLY  # the oldest harvest in the bag
    assert sorted(h["harvested"] for h in data["harvests"]) == [EARLY, LATE]
    assert {h["batch"] for h in data["harvests"]} == {"A-2", "A-3"}
    harvests = [s for s in data["journey"] if s["type"] == "batch.register"]
    assert sorted(s["detail"]["harvested"] for s in harvests) == [EARLY, LATE]
    page = client.get(rice_link(world, serials("R-1", 1)[0]) + "&lang=en").get_data(as_text=True)
    assert f'<dd id="harvested">{EARLY}</dd>' in page
    assert f'<time datetime="{EARLY}">{EARLY}</time>' in page


def test_no_confidential_value_reaches_the_verdict(milled: Any) -> None:
    world, _, client = milled
    for serial in (serials("R-1", 1)[0], serials("R-1", 2)[1]):
        link = rice_link(world, serial)
        text = json.dumps(verdict(client, link)) + client.get(link, headers={"Accept": "text/html"}) \
            .get_data(as_text=True)
        for secret in ("north field", "44.9012", "127.1453", "S-MILL-1", "S-SHOP-1", "S-SHOP-2",
                       "S-DIST-9", "quantity", "plot", '"lat"', '"lon"', "sscc", "385 kg", "250 kg"):
            assert secret not in text, secret


def test_every_verdict_matches_the_published_schema(milled: Any) -> None:
    from jsonschema import Draft202012Validator

    from gi_trace.labels.verdict_schema import VERDICT_SCHEMA
    world, _, client = milled
    validator = Draft202012Validator(VERDICT_SCHEMA)
    for link in (rice_link(world, serials("R-1", 1)[0]), rice_link(world, serials("R-1", 2)[1]),
                 rice_link(world, serials("R-1", 1, 77)[0]), f"/01/{GTINS[PADDY][0]}/10/LA-1/21/X?s=AAAA"):
        validator.validate(verdict(client, link))
