"""The rules of statement v2 that bound who prints the special sign and how much, broken on
SQLite and on PostgreSQL alike: each refusal names its rule and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.domain.test_rules import (
    a1_all_labelled,
    labelled_paddy_at_the_mill,
    labelled_paddy_merged_at_the_mill,
    labelled_paddy_milled,
    merged_and_milled,
    merged_by_distributor,
    received_by_mill,
    register_with,
    rice_labels,
)
from tests.domain.world import GTINS, PADDY, RICE, World, approve, dump, issue, process, split
from tests.support import Actor

Build = Callable[[World], list[Envelope]]
NOTHING: Build = lambda w: []  # noqa: E731

CASES: list[tuple[str, Build, Callable[[World], Envelope], str]] = [
    ("over-issue.relabel", a1_all_labelled, lambda w: issue(w.coop_a, "A-1", 1, start=300),
     "labels-exceed-holding"),
    ("over-issue.split", lambda w: [*a1_all_labelled(w), split(w.coop_a, "A-1", [("A-1a", "100")])],
     lambda w: issue(w.coop_a, "A-1a", 1), "labels-exceed-holding"),
    ("over-issue.shipped", labelled_paddy_at_the_mill, lambda w: issue(w.mill, "A-1", 1),
     "labels-exceed-holding"),
    ("over-issue.merged", labelled_paddy_merged_at_the_mill,
     lambda w: issue(w.mill, "M-1", 201, lot="MERGED"), "labels-exceed-holding"),
    ("over-issue.processed", labelled_paddy_milled, lambda w: rice_labels(w.coop_a, "R-1", 141),
     "labels-exceed-harvest"),
    ("over-issue.merged-then-milled", merged_and_milled, lambda w: rice_labels(w.mill, "R-1", 1),
     "labels-exceed-harvest"),
    ("who-prints.distributor", merged_by_distributor, lambda w: issue(w.dist, "D-M", 1, lot="MERGED"),
     "not-approved"),
    ("who-prints.unapproved-processor", received_by_mill, lambda w: issue(w.mill, "A-1", 1),
     "not-approved"),
    ("region.approval", NOTHING, lambda w: approve(w.regulator, PADDY, "coop-c", "1"), "out-of-region"),
    ("region.harvest", NOTHING, register_with(origin={"region": "230113"}), "plot-out-of-region"),
    ("date-in-future", NOTHING, register_with(harvested="2099-09-28"), "date-in-future"),
    ("uscc", NOTHING, lambda w: w.regulator.sign("org.register", {
        "org": "coop-d", "name": {"zh": "d", "en": "d"}, "roles": ["producer"],
        "keys": [Actor("coop-d").pub], "uscc": "91350100M000100Y44"}), "invalid-body"),
]


@pytest.fixture
def world(any_service: Service, regulator: Actor) -> World:
    """The world of tests/domain/world.py on this service (its genesis is `regulator`)."""
    made = World(regulator=regulator)
    any_service.log.append(made.setup())
    return made


@pytest.mark.parametrize(("setup", "statement", "code"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_refused_on_both_databases(any_service: Service, world: World, setup: Build,
                                   statement: Callable[[World], Envelope], code: str) -> None:
    first = setup(world)
    if first:
        any_service.log.append(first)
    size, before = any_service.log.size(), dump(any_service.engine)
    with pytest.raises(LedgerError) as refused:
        any_service.log.append([statement(world)])
    assert refused.value.code == code
    assert (any_service.log.size(), dump(any_service.engine)) == (size, before)


def test_an_approved_packer_prints_on_both_databases(any_service: Service, world: World) -> None:
    any_service.log.append([
        approve(world.regulator, RICE, "mill", "1"), *received_by_mill(world),
        process(world.mill, [("A-1", "100")], "R-1", "70"),
        issue(world.mill, "R-1", 14, pack="5", gtin=GTINS[RICE][0], lot="MILLED")])
    # The rest of the harvest is coop-a's to label, and no more.
    any_service.log.append([issue(world.coop_a, "A-1", 8, pack="25")])
    b = tables.batches.c
    with any_service.engine.connect() as conn:
        assert conn.scalar(select(b.charged).where(b.batch == "A-1")) == "300"
