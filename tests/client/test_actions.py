"""Every statement method of the client, on its happy path, against a live server.

Each call must come back with a receipt whose inclusion in a signed checkpoint
was verified, and the log's projections must show the statement's effect.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from gi_trace.client import Receipt, drafts
from gi_trace.domain import tables
from gi_trace.ledger import keys, merkle, schema
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.note import NoteVerifier
from tests.client.shared import Shared
from tests.domain.world import PADDY, RICE, gtin14, receive, ship, split
from tests.support import Actor


def assert_verified(shared: Shared, receipt: Receipt, type_: str) -> None:
    """The receipt names the record the log really holds, under a checkpoint the operator signed."""
    service = shared.service
    assert receipt.type == type_
    assert receipt.leaf_hash == merkle.leaf_hash(receipt.envelope.leaf)
    assert receipt.seq < receipt.tree_size <= service.log.size()
    with service.engine.connect() as conn:
        stored = conn.execute(select(schema.records.c.statement)
                              .where(schema.records.c.seq == receipt.seq)).scalar_one()
    assert bytes(stored) == receipt.envelope.statement.canonical
    verifier = NoteVerifier.from_vkey(shared.log_key)
    assert open_checkpoint(receipt.checkpoint.note, verifier).size == receipt.tree_size


def test_register_org_and_its_keys(shared: Shared) -> None:
    shop = Actor("shop-3")
    receipt = shared.connect(shared.world.regulator).register_org(
        "shop-3", {"zh": "盒马鲜生", "en": "Hema Fresh"}, ["retailer"], [shop.key], region="110108")
    assert_verified(shared, receipt, "org.register")
    assert shared.row(tables.orgs, org="shop-3").name_zh == "盒马鲜生"

    spare = keys.generate()
    client = shared.connect(shop)
    assert_verified(shared, client.add_key(spare, label="receiving-desk handheld"), "key.add")
    revoked = client.revoke_key(keys.private_key_id(spare), reason="device lost")
    assert_verified(shared, revoked, "key.revoke")
    assert shared.row(schema.keys, key_id=keys.private_key_id(spare)).revoked_seq == revoked.seq


def test_register_product_with_a_declared_process(shared: Shared) -> None:
    receipt = shared.connect(shared.world.regulator).register_product(
        "wuchang-bran", {"zh": "五常米糠", "en": "Wuchang rice bran"},
        region_name={"zh": "五常市", "en": "Wuchang"}, region_codes=["230184"], unit="kg",
        gtins=[gtin14("0693123400099")], processes={"pressing": (RICE, Decimal("0.250"))})
    assert_verified(shared, receipt, "product.register")
    assert receipt.envelope.statement.body["processes"] == {
        "pressing": {"to": RICE, "max_yield": "0.25"}}
    assert shared.row(tables.products, product="wuchang-bran").unit == "kg"


def test_approve_suspend_and_reinstate_a_producer(shared: Shared) -> None:
    regulator = shared.connect(shared.world.regulator)
    assert_verified(shared, regulator.approve_producer(PADDY, "coop-c", 2026, 800),
                    "producer.approve")
    assert shared.row(tables.approvals, producer="coop-c").quota == "800"
    assert_verified(shared, regulator.suspend_producer(PADDY, "coop-c", "failed inspection"),
                    "producer.suspend")
    assert shared.row(tables.suspensions, producer="coop-c") is not None
    assert_verified(shared, regulator.reinstate_producer(PADDY, "coop-c", "re-inspected"),
                    "producer.reinstate")
    assert shared.row(tables.suspensions, producer="coop-c") is None


def test_register_batch_with_its_origin(shared: Shared) -> None:
    receipt = shared.connect(shared.world.coop_a).register_batch(
        "A-2", PADDY, "MINLE2026-02", "120.5", "2026-10-01", plot="Hongguang plot 3",
        lat="44.9012", lon=Decimal("127.1453"))
    assert_verified(shared, receipt, "batch.register")
    batch = shared.row(tables.batches, batch="A-2")
    assert (batch.quantity, batch.plot, batch.lat, batch.lon) == ("120.5", "Hongguang plot 3",
                                                                  "44.9012", "127.1453")
    assert shared.holding("coop-a", "A-2") == Decimal("120.5")


def test_split_batch(shared: Shared) -> None:
    parent = shared.harvest(shared.world.coop_a, "60")
    into: dict[str, drafts.Quantity] = {f"{parent}a": "20", f"{parent}b": Decimal("30.25")}
    receipt = shared.connect(shared.world.coop_a).split_batch(parent, into)
    assert_verified(shared, receipt, "batch.split")
    assert [shared.holding("coop-a", b) for b in (parent, f"{parent}a", f"{parent}b")] == [
        Decimal("9.75"), Decimal(20), Decimal("30.25")]


def test_merge_batches(shared: Shared) -> None:
    parent = shared.harvest(shared.world.coop_a, "30")
    shared.service.log.append([split(shared.world.coop_a, parent, [(f"{parent}a", "10"),
                                                                    (f"{parent}b", "20")])])
    receipt = shared.connect(shared.world.coop_a).merge_batches([f"{parent}a", f"{parent}b"],
                                                                f"{parent}m", "MERGED-1")
    assert_verified(shared, receipt, "batch.merge")
    assert shared.holding("coop-a", f"{parent}m") == 30


def test_process_batch_within_the_declared_yield(shared: Shared) -> None:
    paddy, shipment = shared.harvest(shared.world.coop_a, "100"), shared.unique("S")
    shared.service.log.append([ship(shared.world.coop_a, shipment, "mill", [(paddy, "100")]),
                               receive(shared.world.mill, shipment)])
    receipt = shared.connect(shared.world.mill).process_batch(
        "milling", [(paddy, 100)], f"{paddy}-rice", "JH2026-1001", "70")
    assert_verified(shared, receipt, "batch.process")
    assert shared.holding("mill", f"{paddy}-rice") == 70
    assert shared.row(tables.batches, batch=f"{paddy}-rice").product == RICE


def test_ship_then_receive(shared: Shared) -> None:
    paddy, shipment = shared.harvest(shared.world.coop_a, "50"), shared.unique("S")
    sent = shared.connect(shared.world.coop_a).ship(shipment, "mill", {paddy: "20"})
    assert_verified(shared, sent, "shipment.send")
    assert shared.row(tables.shipments, shipment=shipment).status == "pending"
    received = shared.connect(shared.world.mill).receive(shipment, reason="weighed 20 kg")
    assert_verified(shared, received, "shipment.receive")
    assert shared.row(tables.shipments, shipment=shipment).status == "received"
    assert shared.holding("mill", paddy) == 20 and shared.holding("coop-a", paddy) == 30


def test_ship_then_reject(shared: Shared) -> None:
    paddy, shipment = shared.harvest(shared.world.coop_a, "50"), shared.unique("S")
    shared.connect(shared.world.coop_a).ship(shipment, "mill", {paddy: "50"})
    rejected = shared.connect(shared.world.mill).reject(shipment, "moisture 18.5 %")
    assert_verified(shared, rejected, "shipment.reject")
    assert shared.row(tables.shipments, shipment=shipment).reason == "moisture 18.5 %"
    assert shared.holding("coop-a", paddy) == 50 and shared.holding("mill", paddy) == 0


def test_recall(shared: Shared) -> None:
    paddy = shared.harvest(shared.world.coop_a, "5")
    receipt = shared.connect(shared.world.regulator).recall(paddy, "pesticide residue")
    assert_verified(shared, receipt, "batch.recall")
    assert shared.row(tables.batches, batch=paddy).recalled


def test_generic_submit(shared: Shared) -> None:
    body = {"batch": "B-2", "product": PADDY, "lot": "LB-2", "quantity": "10",
            "harvested": "2026-09-30"}
    receipt = shared.connect(shared.world.coop_b).submit("batch.register", body)
    assert_verified(shared, receipt, "batch.register")
    assert receipt.envelope.statement.body == body


def test_submit_many_appends_a_group_in_order(shared: Shared) -> None:
    batch, shipment = shared.unique("A"), shared.unique("S")
    receipts = shared.connect(shared.world.coop_a).submit_many([
        ("batch.register", {"batch": batch, "product": PADDY, "lot": "LA-3", "quantity": "40",
                            "harvested": "2026-10-02"}),
        ("batch.split", {"from": batch, "into": [{"batch": f"{batch}a", "quantity": "15"}]}),
        ("shipment.send", {"shipment": shipment, "to": "dist",
                           "items": [{"batch": f"{batch}a", "quantity": "15"}]}),
    ])
    assert [r.seq for r in receipts] == list(range(receipts[0].seq, receipts[0].seq + 3))
    assert {r.tree_size for r in receipts} == {shared.service.log.size()}
    for receipt, type_ in zip(receipts, ("batch.register", "batch.split", "shipment.send"),
                              strict=True):
        assert_verified(shared, receipt, type_)
