"""Every statement method of the client, on its happy path, against a live server.

Each call must come back with a receipt whose inclusion in a signed checkpoint
was verified, and the log's projections must show the statement's effect.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gi_trace.client import Receipt, drafts
from gi_trace.domain import tables
from gi_trace.labels.issuing import new_labels
from gi_trace.ledger import keys, merkle, schema
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.disclosure import reveal
from gi_trace.ledger.note import NoteVerifier
from tests.client.shared import Shared
from tests.domain.world import GTINS, PADDY, RICE, gtin14, receive, ship, split
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


def disclosed(receipt: Receipt) -> dict[str, Any]:
    """The confidential fields the client sealed, each checked against the signed `_sd`."""
    envelope = receipt.envelope
    return reveal(envelope.statement.body, envelope.disclosures or ())


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
        gtins=[gtin14("0693123400099")], packs=["0.5", Decimal("1.0")],
        processes={"pressing": (RICE, Decimal("0.250"))})
    assert_verified(shared, receipt, "product.register")
    body = receipt.envelope.statement.body
    assert body["processes"] == {"pressing": {"to": RICE, "max_yield": "0.25"}}
    assert body["packs"] == ["0.5", "1"]
    assert shared.row(tables.products, product="wuchang-bran").unit == "kg"


def test_approve_suspend_and_reinstate_a_special_sign_user(shared: Shared) -> None:
    regulator = shared.connect(shared.world.regulator)
    assert_verified(shared, regulator.approve_producer(RICE, "mill", 2026, 800),
                    "producer.approve")
    assert shared.row(tables.approvals, producer="mill", product=RICE).quota == "800"
    assert_verified(shared, regulator.suspend_producer(RICE, "mill", "failed inspection"),
                    "producer.suspend")
    assert shared.row(tables.suspensions, producer="mill") is not None
    assert_verified(shared, regulator.reinstate_producer(RICE, "mill", "re-inspected"),
                    "producer.reinstate")
    assert shared.row(tables.suspensions, producer="mill") is None


def test_register_batch_with_its_origin(shared: Shared) -> None:
    receipt = shared.connect(shared.world.coop_a).register_batch(
        "A-2", PADDY, "MINLE2026-02", "120.5", "2026-10-01", plot="Hongguang plot 3",
        lat="44.9012", lon=Decimal("127.1453"), plot_region="230184",
        village={"zh": "红光村", "en": "Hongguang village"})
    assert_verified(shared, receipt, "batch.register")
    public = receipt.envelope.statement.body
    assert public["village"] == {"zh": "红光村", "en": "Hongguang village"}
    assert "quantity" not in public and "origin" not in public and len(public["_sd"]) == 2
    assert disclosed(receipt) == {"quantity": "120.5", "origin": {
        "plot": "Hongguang plot 3", "lat": "44.9012", "lon": "127.1453", "region": "230184"}}
    batch = shared.row(tables.batches, batch="A-2")
    assert (batch.quantity, batch.plot, batch.lat, batch.lon, batch.plot_region, batch.village_en) == (
        "120.5", "Hongguang plot 3", "44.9012", "127.1453", "230184", "Hongguang village")
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


def test_issue_labels_commits_to_them_and_keeps_them_out_of_the_log(shared: Shared) -> None:
    paddy = shared.harvest(shared.world.coop_a, "30")
    made = new_labels(shared.world.coop_a.key, GTINS[PADDY][0], f"L{paddy}"[:20], 12)
    receipt = shared.connect(shared.world.coop_a).issue_labels(paddy, GTINS[PADDY][0], "1", made)
    assert_verified(shared, receipt, "label.issue")
    body = receipt.envelope.statement.body
    assert (body["count"], body["pack"]) == (12, "1")
    assert all(x.serial not in receipt.envelope.statement.canonical.decode() for x in made)
    assert shared.row(tables.labels, serial=made[5].serial).batch == paddy


def test_void_and_sell_labels_send_their_serials_as_confidential_fields(shared: Shared) -> None:
    paddy = shared.harvest(shared.world.coop_a, "10")
    made = new_labels(shared.world.coop_a.key, GTINS[PADDY][0], f"L{paddy}"[:20], 3)
    client = shared.connect(shared.world.coop_a)
    client.issue_labels(paddy, GTINS[PADDY][0], "1", made)
    voided = client.void_labels([made[0].serial], "misprinted")
    sold = client.sell_labels([made[1].serial])
    for receipt, serial in ((voided, made[0].serial), (sold, made[1].serial)):
        assert "serials" not in receipt.envelope.statement.body
        assert serial not in receipt.envelope.statement.canonical.decode()
        assert disclosed(receipt)["serials"] == [serial]
    assert shared.row(tables.labels, serial=made[0].serial).status == "void"
    assert shared.row(tables.labels, serial=made[1].serial).status == "sold"


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
    public = receipt.envelope.statement.body
    assert {k: v for k, v in public.items() if k != "_sd"} == {
        k: v for k, v in body.items() if k != "quantity"}
    assert disclosed(receipt) == {"quantity": "10"}


def test_submit_many_appends_a_group_in_order(shared: Shared) -> None:
    batch, shipment = shared.unique("A"), shared.unique("S")
    receipts = shared.connect(shared.world.coop_a).submit_many([
        ("batch.register", {"batch": batch, "product": PADDY, "lot": "LA-3", "quantity": "40",
                            "harvested": "2026-10-02"}),
        drafts.batch_split(batch, {f"{batch}a": "15"}),
        drafts.shipment_send(shipment, "dist", {f"{batch}a": "15"}),
    ])
    assert [r.seq for r in receipts] == list(range(receipts[0].seq, receipts[0].seq + 3))
    assert {r.tree_size for r in receipts} == {shared.service.log.size()}
    for receipt, type_ in zip(receipts, ("batch.register", "batch.split", "shipment.send"),
                              strict=True):
        assert_verified(shared, receipt, type_)
