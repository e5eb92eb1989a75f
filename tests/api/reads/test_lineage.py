"""The journey through a diamond (split, then merge back): every edge once, nearest first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.reads.world import HARVESTED, World, open_world, split


@pytest.fixture(scope="module")
def diamond(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """d-0 → split → d-a, d-b → merge → d-m → split → d-m1; another harvest e-0 merged in too."""
    with open_world(tmp_path_factory.mktemp("diamond")) as world:
        coop = world.producer
        world.append(
            coop.sign("batch.register", {"batch": "d-0", "product": "wuchang-paddy", "lot": "D1",
                                         "quantity": "1000", "harvested": HARVESTED}),
            coop.sign("batch.register", {"batch": "e-0", "product": "wuchang-paddy", "lot": "E1",
                                         "quantity": "10", "harvested": HARVESTED}),
            split(coop, "d-0", [("d-a", "600"), ("d-b", "400")]),
            coop.sign("batch.merge", {"from": ["d-a", "d-b", "e-0"], "into": {"batch": "d-m", "lot": "M1"}}),
            split(coop, "d-m", [("d-m1", "1010")]),
        )
        yield world


def edges(world: World, batch: str, side: str) -> list[tuple[str, str, int]]:
    body = world.get(f"/v1/batches/{batch}", world.producer).get_json()
    return [(link["batch"], link["via"], link["depth"]) for link in body[side]]


def test_descendants_through_a_diamond(diamond: World) -> None:
    assert edges(diamond, "d-0", "descendants") == [
        ("d-a", "d-0", 1), ("d-b", "d-0", 1), ("d-m", "d-a", 2), ("d-m", "d-b", 2), ("d-m1", "d-m", 3)]


def test_ancestors_through_a_diamond(diamond: World) -> None:
    assert edges(diamond, "d-m1", "ancestors") == [
        ("d-m", "d-m1", 1), ("d-a", "d-m", 2), ("d-b", "d-m", 2), ("e-0", "d-m", 2),
        ("d-0", "d-a", 3), ("d-0", "d-b", 3)]


@pytest.mark.parametrize("who", ["regulator", "producer"])
def test_merge_edges_carry_the_quantities_merged(diamond: World, who: str) -> None:
    body = diamond.get("/v1/batches/d-m", getattr(diamond, who)).get_json()
    assert {(a["batch"], a["kind"], a["quantity"]) for a in body["ancestors"] if a["depth"] == 1} == {
        ("d-a", "merge", "600"), ("d-b", "merge", "400"), ("e-0", "merge", "10")}


def test_a_merge_says_nothing_of_its_quantities_to_a_later_holder(diamond: World) -> None:
    """A merge has no confidential field, but its quantities are what its author held: a buyer
    of the merged batch sees the lineage, not them."""
    coop, buyer = diamond.producer, diamond.mill
    diamond.append(coop.sign("shipment.send", {"shipment": "d-ship", "to": buyer.org,
                                               "items": [{"batch": "d-m1", "quantity": "10"}]}))
    body = diamond.get("/v1/batches/d-m1", buyer).get_json()
    assert [(a["batch"], a.get("quantity")) for a in body["ancestors"] if a["depth"] == 2] == [
        ("d-a", None), ("d-b", None), ("e-0", None)]
    assert "quantity" not in body
