"""Statement v1 replays under the v1 rules: an old log audits as it was accepted.

The log no longer appends v1 statements, so these apply them to the rule directly,
as a replay does, on a copy of the world.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.label_signature import sign_label
from gi_trace.domain.supply_chain import SupplyChain
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.rules import AppendContext
from gi_trace.ledger.statement import Envelope, format_ts, new_nonce, sign
from tests.domain.world import GTINS, PADDY, Template, World, serials
from tests.support import Actor


def v1(actor: Actor, type_: str, body: dict[str, Any]) -> Envelope:
    return sign({"v": 1, "type": type_, "actor": actor.org, "key": actor.key_id,
                 "ts": format_ts(datetime.now(UTC)), "nonce": new_nonce(), "body": body}, actor.key)


@pytest.fixture
def conn(template: Template, tmp_path: Path) -> Iterator[Connection]:
    with template.copy(tmp_path) as service, service.engine.begin() as connection:
        yield connection


def apply(conn: Connection, *envelopes: Envelope) -> None:
    for seq, envelope in enumerate(envelopes, start=10_000):
        SupplyChain().apply(AppendContext(conn, seq, envelope))


def refused(conn: Connection, envelope: Envelope, code: str) -> None:
    with pytest.raises(LedgerError) as error:
        apply(conn, envelope)
    assert error.value.code == code, error.value


def v1_issue(actor: Actor, batch: str, count: int, start: int = 0) -> Envelope:
    numbers = serials(batch, count, start)
    return v1(actor, "label.issue", {
        "batch": batch, "gtin": GTINS[PADDY][0], "serials": numbers,
        "sigs": [sign_label(actor.key, GTINS[PADDY][0], f"L{batch}", n) for n in numbers]})


def batch(conn: Connection, batch_id: str) -> Any:
    return conn.execute(select(tables.batches).where(tables.batches.c.batch == batch_id)).one()


def test_v1_labels_count_units_and_only_the_producer_issues(world: World, conn: Connection) -> None:
    apply(conn, v1_issue(world.coop_b, "B-1", 200))
    refused(conn, v1_issue(world.coop_b, "B-1", 1, start=200), "labels-exceed-units")
    refused(conn, v1_issue(world.coop_a, "B-1", 1, start=300), "not-authorized")
    idx = tables.labels.c.idx
    assert conn.execute(select(idx).where(tables.labels.c.serial == serials("B-1", 1, 7)[0])
                        ).scalar_one() == 7


def test_v1_merge_made_the_merging_holder_the_producer(world: World, conn: Connection) -> None:
    apply(conn,
          v1(world.coop_a, "shipment.send", {"shipment": "S-1", "to": "mill",
                                             "items": [{"batch": "A-1", "quantity": "10"}]}),
          v1(world.mill, "shipment.receive", {"shipment": "S-1"}),
          v1(world.coop_b, "shipment.send", {"shipment": "S-2", "to": "mill",
                                             "items": [{"batch": "B-1", "quantity": "5"}]}),
          v1(world.mill, "shipment.receive", {"shipment": "S-2"}),
          v1(world.mill, "batch.merge", {"from": ["A-1", "B-1"], "into": {"batch": "M", "lot": "M"}}),
          v1(world.mill, "batch.split", {"from": "M", "into": [{"batch": "M-a", "quantity": "1"}]}))
    merged = batch(conn, "M")
    assert (merged.producer, json.loads(merged.producers)) == ("mill", ["mill"])
    assert batch(conn, "M-a").quantity == "1"


def test_v1_shapes_and_checks_stay_as_they_were(world: World, conn: Connection) -> None:
    reg = world.regulator
    # A processor was no producer; a seat outside the region was no reason to refuse.
    refused(conn, v1(reg, "producer.approve", {"product": PADDY, "producer": "mill", "year": 2026,
                                               "quota": "1"}), "not-a-producer")
    apply(conn, v1(reg, "producer.approve", {"product": PADDY, "producer": "coop-c", "year": 2026,
                                             "quota": "1"}))
    # Quantities beside the batches, and a v2 split's shape is not a v1 body.
    refused(conn, v1(world.coop_a, "batch.split", {"from": "A-1", "into": ["A-9"],
                                                   "quantities": ["1"]}), "invalid-body")
    # A USCC's check character was not checked.
    apply(conn, v1(reg, "org.register", {"org": "coop-d", "name": {"zh": "d", "en": "d"},
                                         "roles": ["producer"], "keys": [Actor("coop-d").pub],
                                         "uscc": "93230184MA1B2C3D8X"}))
    # Nor a harvest in the future.
    apply(conn, v1(world.coop_a, "batch.register", {"batch": "A-9", "product": PADDY, "lot": "L",
                                                    "quantity": "1", "harvested": "2026-12-31"}))


def test_v1_told_a_wrong_receiver_who_the_shipment_was_for(world: World, conn: Connection) -> None:
    """v2 answers as for an unknown id (tests/domain/test_rules.py); v1 refused it as forbidden."""
    apply(conn, v1(world.coop_a, "shipment.send", {"shipment": "S-1", "to": "mill",
                                                   "items": [{"batch": "A-1", "quantity": "1"}]}))
    refused(conn, v1(world.dist, "shipment.receive", {"shipment": "S-1"}), "not-authorized")
