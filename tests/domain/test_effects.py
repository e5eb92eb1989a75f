"""What accepted statements do to the projections: holdings move exactly, lineage is kept both
ways, and a recall reaches every descendant and nothing else."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from gi_trace.domain import tables
from gi_trace.domain.violations import RuleViolation
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.domain.world import (
    PADDY,
    RICE,
    World,
    merge,
    process,
    recall,
    receive,
    register,
    reject,
    ship,
    split,
)


def holdings(engine: Engine) -> dict[tuple[str, str], str]:
    h = tables.holdings.c
    with engine.connect() as conn:
        rows = conn.execute(select(h.org, h.batch, h.quantity))
        return {(row.org, row.batch): row.quantity for row in rows}


def batch(engine: Engine, batch_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(tables.batches).where(tables.batches.c.batch == batch_id)).one()


def lineage(engine: Engine) -> set[tuple[str, str, str, str]]:
    g = tables.lineage.c
    with engine.connect() as conn:
        return {tuple(row) for row in conn.execute(select(g.parent, g.child, g.kind, g.quantity))}


def walk(engine: Engine, start: str, *, down: bool) -> set[str]:
    """Every batch reachable from `start` through the lineage: descendants, or ancestors."""
    edges = {(p, c) for p, c, _, _ in lineage(engine)}
    step = {(p, c) if down else (c, p) for p, c in edges}
    found: set[str] = set()
    frontier = {start}
    while frontier:
        frontier = {b for a, b in step if a in frontier} - found
        found |= frontier
    return found


def recalled(engine: Engine) -> set[str]:
    b = tables.batches.c
    with engine.connect() as conn:
        return set(conn.scalars(select(b.batch).where(b.recalled)))


def shipment(engine: Engine, shipment_id: str) -> tuple[str, str | None]:
    s = tables.shipments.c
    with engine.connect() as conn:
        row = conn.execute(select(s.status, s.reason).where(s.shipment == shipment_id)).one()
    return row.status, row.reason


@pytest.fixture
def append(world_service: Service) -> Any:
    def append(*envelopes: Envelope) -> None:
        world_service.log.append(list(envelopes))
    return append


@pytest.fixture
def engine(world_service: Service) -> Engine:
    return world_service.engine


START = {("coop-a", "A-1"): "300", ("coop-a", "T-1"): "50", ("coop-b", "B-1"): "200"}


def test_the_world_starts_with_three_harvests(engine: Engine) -> None:
    assert holdings(engine) == START


# -- split ------------------------------------------------------------------------------------

def test_split_moves_exact_decimals_from_the_parent_to_the_children(
        world: World, engine: Engine, append: Any) -> None:
    append(split(world.coop_a, "A-1", [("A-1a", "0.1"), ("A-1b", "0.2")]))

    assert holdings(engine) == {**START, ("coop-a", "A-1"): "299.7", ("coop-a", "A-1a"): "0.1",
                                ("coop-a", "A-1b"): "0.2"}
    assert lineage(engine) == {("A-1", "A-1a", "split", "0.1"), ("A-1", "A-1b", "split", "0.2")}
    child = batch(engine, "A-1a")
    assert (child.product, child.lot, child.producer, child.origin, child.quantity) == (
        PADDY, "LA-1", "coop-a", "split", "0.1")


def test_splitting_everything_leaves_no_zero_holding(world: World, engine: Engine, append: Any) -> None:
    append(split(world.coop_a, "A-1", [("A-1a", "299.999999"), ("A-1b", "0.000001")]))

    assert ("coop-a", "A-1") not in holdings(engine)
    assert holdings(engine)[("coop-a", "A-1a")] == "299.999999"


# -- merge ------------------------------------------------------------------------------------

def test_merge_adds_exactly_what_is_held_of_each_parent(world: World, engine: Engine, append: Any) -> None:
    append(split(world.coop_a, "A-1", [("A-1a", "0.1"), ("A-1b", "0.2")]),
           merge(world.coop_a, ["A-1a", "A-1b"], "M-1"))

    assert holdings(engine) == {**START, ("coop-a", "A-1"): "299.7", ("coop-a", "M-1"): "0.3"}
    merged = batch(engine, "M-1")
    assert Decimal(merged.quantity) == Decimal("0.1") + Decimal("0.2") == Decimal("0.3")
    assert (merged.product, merged.lot, merged.producer, merged.origin) == (PADDY, "MERGED", "coop-a",
                                                                            "merge")
    assert walk(engine, "M-1", down=False) == {"A-1", "A-1a", "A-1b"}


def test_merge_of_two_producers_harvests_at_a_mill(world: World, engine: Engine, append: Any) -> None:
    append(ship(world.coop_a, "S-1", "mill", [("A-1", "100.25")]), receive(world.mill, "S-1"),
           ship(world.coop_b, "S-2", "mill", [("B-1", "49.75")]), receive(world.mill, "S-2"),
           merge(world.mill, ["A-1", "B-1"], "M-1"))

    assert holdings(engine) == {("coop-a", "A-1"): "199.75", ("coop-a", "T-1"): "50",
                                ("coop-b", "B-1"): "150.25", ("mill", "M-1"): "150"}
    # Merging makes no one a producer: the growers of its harvests stay its producers, and
    # `producer` names the grower of its first parent.
    merged = batch(engine, "M-1")
    assert (merged.producer, json.loads(merged.producers)) == ("coop-a", ["coop-a", "coop-b"])
    assert json.loads(merged.composition) == {"A-1": "401/600", "B-1": "199/600"}
    assert {row for row in lineage(engine) if row[1] == "M-1"} == {
        ("A-1", "M-1", "merge", "100.25"), ("B-1", "M-1", "merge", "49.75")}


# -- process ----------------------------------------------------------------------------------

def test_process_consumes_the_inputs_and_creates_the_output_product(
        world: World, engine: Engine, append: Any) -> None:
    append(split(world.coop_a, "A-1", [("A-2", "100")]),
           process(world.coop_a, [("A-1", "0.1"), ("A-2", "0.2")], "R-1", "0.21"))

    assert holdings(engine) == {**START, ("coop-a", "A-1"): "199.9", ("coop-a", "A-2"): "99.8",
                                ("coop-a", "R-1"): "0.21"}
    output = batch(engine, "R-1")
    assert (output.product, output.quantity, output.producer, output.origin) == (
        RICE, "0.21", "coop-a", "process")
    assert {row for row in lineage(engine) if row[1] == "R-1"} == {
        ("A-1", "R-1", "process", "0.1"), ("A-2", "R-1", "process", "0.2")}


# -- shipments --------------------------------------------------------------------------------

def test_goods_leave_the_sender_at_once_and_reach_the_receiver_on_receipt(
        world: World, engine: Engine, append: Any) -> None:
    append(ship(world.coop_a, "S-1", "mill", [("A-1", "0.1"), ("T-1", "50")]))

    in_transit = {("coop-a", "A-1"): "299.9", ("coop-b", "B-1"): "200"}
    assert holdings(engine) == in_transit
    assert shipment(engine, "S-1") == ("pending", None)

    append(receive(world.mill, "S-1"))

    assert holdings(engine) == {**in_transit, ("mill", "A-1"): "0.1", ("mill", "T-1"): "50"}
    assert shipment(engine, "S-1") == ("received", None)


def test_a_rejected_shipment_goes_back_to_the_sender(world: World, engine: Engine, append: Any) -> None:
    append(ship(world.coop_a, "S-1", "mill", [("A-1", "0.1")]),
           ship(world.coop_a, "S-2", "mill", [("A-1", "0.2")]),
           receive(world.mill, "S-1"), reject(world.mill, "S-2", "wet"))

    assert holdings(engine) == {**START, ("coop-a", "A-1"): "299.9", ("mill", "A-1"): "0.1"}
    assert shipment(engine, "S-2") == ("rejected", "wet")


def test_deliveries_of_one_batch_add_up_exactly(world: World, engine: Engine, append: Any) -> None:
    append(ship(world.coop_a, "S-1", "dist", [("A-1", "0.1")]), receive(world.dist, "S-1"),
           ship(world.coop_a, "S-2", "dist", [("A-1", "0.2")]), receive(world.dist, "S-2"),
           ship(world.dist, "S-3", "shop-1", [("A-1", "0.3")]), receive(world.shop_1, "S-3"))

    assert holdings(engine) == {**START, ("coop-a", "A-1"): "299.7", ("shop-1", "A-1"): "0.3"}


def test_a_receiver_ships_on_what_it_received(world: World, engine: Engine, append: Any) -> None:
    append(ship(world.coop_a, "S-1", "mill", [("A-1", "300")]), receive(world.mill, "S-1"),
           process(world.mill, [("A-1", "300")], "R-1", "210"),
           ship(world.mill, "S-2", "dist", [("R-1", "209.999999")]), receive(world.dist, "S-2"),
           ship(world.dist, "S-3", "shop-2", [("R-1", "100")]), reject(world.shop_2, "S-3"))

    assert holdings(engine) == {("coop-a", "T-1"): "50", ("coop-b", "B-1"): "200",
                                ("mill", "R-1"): "0.000001", ("dist", "R-1"): "209.999999"}
    assert batch(engine, "R-1").producer == "coop-a"  # the GI producer at its root


# -- recall -----------------------------------------------------------------------------------

@pytest.fixture
def family(world: World, append: Any) -> None:
    """A-1 and its descendants, some of which travelled; A-2 is merged in but not descended from
    A-1, and B-1 (split too) is a stranger.

    A-1 ─split─▶ A-1a ─(shipped to the mill)─process─▶ R-1 ─split─▶ R-1x
        └split─▶ A-1b ─merge (with A-2)─▶ M-1 ─split─▶ M-1x
    B-1 ─split─▶ B-1a
    """
    append(register(world.coop_a, "A-2", "100"),
           split(world.coop_a, "A-1", [("A-1a", "100"), ("A-1b", "100")]),
           ship(world.coop_a, "S-1", "mill", [("A-1a", "100")]), receive(world.mill, "S-1"),
           process(world.mill, [("A-1a", "50")], "R-1", "35"),
           split(world.mill, "R-1", [("R-1x", "5")]),
           merge(world.coop_a, ["A-1b", "A-2"], "M-1"),
           split(world.coop_a, "M-1", [("M-1x", "1")]),
           split(world.coop_b, "B-1", [("B-1a", "1")]))


DESCENDANTS_OF_A1 = {"A-1a", "A-1b", "R-1", "R-1x", "M-1", "M-1x"}


@pytest.mark.usefixtures("family")
def test_lineage_reads_both_ways(engine: Engine) -> None:
    assert walk(engine, "A-1", down=True) == DESCENDANTS_OF_A1
    assert walk(engine, "R-1x", down=False) == {"R-1", "A-1a", "A-1"}
    assert walk(engine, "M-1x", down=False) == {"M-1", "A-1b", "A-2", "A-1"}
    assert walk(engine, "A-2", down=True) == {"M-1", "M-1x"}
    assert walk(engine, "A-1", down=False) == set()
    assert walk(engine, "M-1x", down=True) == set()


@pytest.mark.usefixtures("family")
def test_recall_reaches_every_descendant_and_nothing_else(
        world: World, engine: Engine, append: Any, world_service: Service) -> None:
    before = holdings(engine)

    append(recall(world.coop_a, "A-1", "cadmium"))

    assert recalled(engine) == {"A-1", *DESCENDANTS_OF_A1}
    seq = world_service.log.size() - 1
    for batch_id in {"A-1", *DESCENDANTS_OF_A1}:
        row = batch(engine, batch_id)
        assert (row.recall_reason, row.recall_seq) == ("cadmium", seq)
    assert holdings(engine) == before  # a recall marks, it moves nothing


@pytest.mark.usefixtures("family")
def test_recalling_a_middle_batch_spares_its_ancestors_and_siblings(
        world: World, engine: Engine, append: Any) -> None:
    append(recall(world.regulator, "A-1a"))

    assert recalled(engine) == {"A-1a", "R-1", "R-1x"}


@pytest.mark.usefixtures("family")
def test_recalling_a_merge_parent_reaches_the_merge_but_not_the_other_parent(
        world: World, engine: Engine, append: Any) -> None:
    append(recall(world.coop_a, "A-2"))

    assert recalled(engine) == {"A-2", "M-1", "M-1x"}


@pytest.mark.usefixtures("family")
def test_the_holder_of_a_recalled_descendant_can_no_longer_use_it(
        world: World, world_service: Service, append: Any) -> None:
    append(recall(world.regulator, "A-1"))

    for envelope in (ship(world.mill, "S-9", "dist", [("R-1x", "1")]),
                     process(world.mill, [("A-1a", "1")], "R-9", "0.5"),
                     split(world.coop_a, "M-1x", [("M-9", "0.5")])):
        with pytest.raises(RuleViolation, match="was recalled") as refused:
            world_service.log.append([envelope])
        assert refused.value.code == "batch-recalled"
