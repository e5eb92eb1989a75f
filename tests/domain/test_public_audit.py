"""Statement v2 in the rules: a public audit (no disclosures) checks what public fields allow
and writes nothing that needs a confidential value; the organisations a statement names may
read its disclosures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.supply_chain import SupplyChain
from gi_trace.ledger import schema
from gi_trace.ledger.disclosure import digests
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.rules import AppendContext
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Envelope, Statement
from gi_trace.service import Service, audit_log
from tests.domain.world import (
    PADDY,
    Template,
    World,
    approve,
    harvest_to_shelf,
    issue,
    merge,
    operator_verifier,
    process,
    receive,
    register,
    reject,
    sell,
    serials,
    ship,
    split,
    void,
)


def test_the_season_audits_with_and_without_its_disclosures(world: World,
                                                            world_service: Service) -> None:
    world_service.log.append(harvest_to_shelf(world))
    with DatabaseSource(world_service.engine) as source:
        sealed = sum(len(digests(Statement.from_bytes(r.statement).body)) for r in source.records())
        full = audit_log(source, operator_verifier(world_service), world_service.genesis)
    with DatabaseSource(world_service.engine, disclosed=False) as source:
        public = audit_log(source, operator_verifier(world_service), world_service.genesis)
    assert full, full.failure
    assert public, public.failure
    assert (full.unchecked, public.unchecked) == (0, sealed)
    assert sealed > 0


@pytest.fixture
def conn(template: Template, tmp_path: Path) -> Iterator[Connection]:
    with template.copy(tmp_path) as service, service.engine.begin() as connection:
        yield connection


def public(conn: Connection, envelope: Envelope, seq: int = 10_000) -> AppendContext:
    """Apply a statement as a public audit replays it: without its disclosures or labels."""
    ctx = AppendContext(conn, seq, Envelope(envelope.statement, envelope.signature, None))
    SupplyChain().apply(ctx)
    return ctx


def row(conn: Connection, table: Any, **key: str) -> Any:
    return conn.execute(select(table).filter_by(**key)).first()


def test_public_mode_makes_batches_and_lineage_without_quantities(world: World,
                                                                   conn: Connection) -> None:
    a = world.coop_a
    public(conn, register(a, "A-2", "10", origin={"plot": "north", "region": "230184"}), 10_000)
    public(conn, split(a, "A-2", [("A-2a", "4")]), 10_001)
    public(conn, merge(a, ["A-2", "A-2a"], "M-1"), 10_002)
    public(conn, process(a, [("M-1", "10")], "R-1", "7"), 10_003)
    for batch in ("A-2", "A-2a", "M-1", "R-1"):
        made = row(conn, tables.batches, batch=batch)
        assert (made.quantity, made.composition, made.plot, made.plot_region) == (None, None, None, None)
        assert row(conn, tables.holdings, batch=batch) is None
    links = conn.execute(select(tables.lineage.c.quantity).where(
        tables.lineage.c.child.in_(["A-2a", "M-1", "R-1"]))).scalars().all()
    assert links == [None, None, None, None]


def test_public_mode_records_a_label_issue_without_its_labels(world: World, conn: Connection) -> None:
    public(conn, issue(world.coop_a, "A-1", 3, pack="25"))
    assert row(conn, tables.label_issues, seq=10_000).count == 3
    assert conn.execute(select(tables.labels)).first() is None
    assert row(conn, tables.batches, batch="A-1").charged == "0"


def test_public_mode_leaves_shipments_and_label_status_alone(world: World, conn: Connection) -> None:
    for n, envelope in enumerate([ship(world.coop_a, "S-1", "mill", [("A-1", "1")]),
                                  receive(world.mill, "S-1"), reject(world.mill, "S-1"),
                                  void(world.coop_a, serials("A-1", 1)),
                                  sell(world.shop_1, serials("A-1", 1))]):
        public(conn, envelope, 10_000 + n)
    assert conn.execute(select(tables.shipments)).first() is None


PUBLIC_REFUSALS = [
    ("out-of-region", lambda w: approve(w.regulator, PADDY, "coop-c", "1")),
    ("date-in-future", lambda w: register(w.coop_a, "A-2", "1", harvested="2099-01-01")),
    ("not-approved", lambda w: register(w.coop_c, "C-1", "1")),
    ("pack-not-of-product", lambda w: issue(w.coop_a, "A-1", 1, pack="2.5")),
    ("not-approved", lambda w: issue(w.mill, "A-1", 1)),
    ("merge-mixed-products", lambda w: merge(w.coop_a, ["A-1", "T-1"], "M-1")),
    ("duplicate-id", lambda w: split(w.coop_a, "A-1", [("B-1", "1")])),
]


@pytest.mark.parametrize(("code", "statement"), PUBLIC_REFUSALS, ids=[c for c, _ in PUBLIC_REFUSALS])
def test_public_mode_still_checks_what_public_fields_allow(world: World, conn: Connection, code: str,
                                                           statement: Any) -> None:
    with pytest.raises(LedgerError) as refused:
        public(conn, statement(world))
    assert refused.value.code == code


def test_public_mode_cannot_check_what_is_sealed(world: World, conn: Connection) -> None:
    """Over the quota, more than held, more labels than goods: only a full audit can tell."""
    public(conn, register(world.coop_b, "B-2", "999999"), 10_000)
    public(conn, split(world.coop_b, "B-1", [("B-1a", "999999")]), 10_001)
    public(conn, issue(world.coop_b, "B-1", 5000, pack="25"), 10_002)


def readers(service: Service, seq: int) -> set[str]:
    r = schema.readers.c
    with service.engine.connect() as conn:
        return set(conn.scalars(select(r.org).where(r.seq == seq)))


def test_the_orgs_a_statement_names_may_read_its_disclosures(world: World,
                                                              world_service: Service) -> None:
    log = world_service.log
    sent, received = log.append([ship(world.coop_a, "S-1", "mill", [("A-1", "10")]),
                                 receive(world.mill, "S-1")])
    [labelled] = log.append([issue(world.coop_a, "A-1", 3)])
    shipped, rejected = log.append([ship(world.coop_a, "S-2", "shop-1", [("A-1", "2")]),
                                    reject(world.shop_1, "S-2")])
    sold, voided = log.append([sell(world.mill, serials("A-1", 1)),
                               void(world.coop_a, serials("A-1", 1, start=1))])
    assert readers(world_service, sent.seq) == {"mill"}
    assert readers(world_service, received.seq) == {"coop-a"}
    assert readers(world_service, shipped.seq) == {"shop-1"}
    assert readers(world_service, rejected.seq) == {"coop-a"}
    assert readers(world_service, sold.seq) == {"coop-a"}  # the label's issuer
    assert readers(world_service, voided.seq) == set()  # its issuer is its author
    assert readers(world_service, labelled.seq) == set()
