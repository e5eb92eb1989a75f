"""Every supply-chain rule of DESIGN.md, broken once through `POST /v1/statements`.

Each row sets up what it needs in a copy of the world (tests/domain/world.py), then
appends ONE violating statement over HTTP: the answer is problem+json naming the
rule (`code`) and the field at fault, and nothing at all is written, neither to the
log nor to any projection. Then come the boundaries themselves, which must pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

import gi_trace.domain
from gi_trace.domain import tables
from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.ledger import statement as ledger_statement
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.api.helpers import serving
from tests.domain.test_protection_rules import REFUSALS as PROTECTION_REFUSALS
from tests.domain.world import (
    GTINS,
    HARVESTED,
    PADDY,
    RICE,
    TEA,
    YEAR,
    Template,
    World,
    approve,
    assert_audit_passes,
    dump,
    gtin14,
    issue,
    labels_for,
    merge,
    org_register,
    portions,
    process,
    product_register,
    recall,
    receive,
    register,
    reject,
    sell,
    serials,
    ship,
    split,
    suspend,
    void,
)
from tests.support import Actor

PROBLEM = "application/problem+json"


def post(client: FlaskClient, envelope: Envelope) -> TestResponse:
    return client.post("/v1/statements", json=envelope.to_dict())


def assert_problem(resp: TestResponse, status: int, code: str, field: str) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    problem = resp.get_json(force=True)
    assert (problem["status"], problem["code"], problem.get("field")) == (status, code, field), problem
    assert problem["type"] == f"https://gi-trace.dev/problems/{code}"
    assert problem["detail"]
    assert "index" not in problem  # one envelope is not a group


Setup = Callable[[World], list[Envelope]]


@dataclass(frozen=True)
class Refusal:
    id: str  # the rule's name, then what breaks it
    statement: Callable[[World], Envelope]
    status: int
    code: str
    field: str
    setup: Setup | None = None  # statements appended first (rows with the same setup share a copy)


def conflict(id_: str, statement: Callable[[World], Envelope], field_: str,
             setup: Setup | None = None) -> Refusal:
    """A broken supply-chain rule: 409, and the code is the rule (the id up to its first dot)."""
    return Refusal(id_, statement, 409, id_.split(".")[0], field_, setup)


def forbidden(id_: str, statement: Callable[[World], Envelope], setup: Setup | None = None) -> Refusal:
    """Signed by an organisation that may not make this statement: 403."""
    return Refusal(f"not-authorized.{id_}", statement, 403, "not-authorized", "statement.actor", setup)


def malformed(id_: str, statement: Callable[[World], Envelope], field_: str,
              code: str = "invalid-body") -> Refusal:
    """A body (or the labels beside it) of the wrong shape: 422, naming the field."""
    return Refusal(f"{code}.{id_}", statement, 422, code, field_)


# Setups shared by several rows.
def shipped_to_mill(w: World) -> list[Envelope]:
    return [ship(w.coop_a, "S-1", "mill", [("A-1", "100")])]


def received_by_mill(w: World) -> list[Envelope]:
    return [*shipped_to_mill(w), receive(w.mill, "S-1")]


def rejected_by_mill(w: World) -> list[Envelope]:
    return [*shipped_to_mill(w), reject(w.mill, "S-1")]


def split_then_recalled(w: World) -> list[Envelope]:
    return [split(w.coop_a, "A-1", [("A-1a", "100"), ("A-1b", "100")]), recall(w.regulator, "A-1")]


def split_off_a2(w: World) -> list[Envelope]:
    return [split(w.coop_a, "A-1", [("A-2", "100")])]


def suspended_b(w: World) -> list[Envelope]:
    return [suspend(w.regulator, PADDY, "coop-b")]


def quota_lowered_to_used(w: World) -> list[Envelope]:
    return [approve(w.regulator, PADDY, "coop-a", "300")]


SSCC = "106141411234567897"  # GS1's example SSCC with a valid check digit


def shipped_to_mill_with_sscc(w: World) -> list[Envelope]:
    return [w.coop_a.sign("shipment.send", {"shipment": "S-1", "to": "mill", "sscc": SSCC,
                                            "items": portions([("A-1", "1")])})]


def labels_issued(w: World) -> list[Envelope]:
    return [issue(w.coop_a, "A-1", 5)]


def a1_all_labelled(w: World) -> list[Envelope]:
    return [issue(w.coop_a, "A-1", 300)]


def mill_approved(w: World) -> list[Envelope]:
    """The mill, a special-sign user: approved to label paddy and rice."""
    return [approve(w.regulator, PADDY, "mill", "1"), approve(w.regulator, RICE, "mill", "1")]


def labelled_paddy_at_the_mill(w: World) -> list[Envelope]:
    """coop-a labels all of A-1 and ships it to the mill, which may label."""
    return [*a1_all_labelled(w), *mill_approved(w), ship(w.coop_a, "S-1", "mill", [("A-1", "300")]),
            receive(w.mill, "S-1")]


def labelled_paddy_merged_at_the_mill(w: World) -> list[Envelope]:
    """…and merges it with coop-b's unlabelled B-1 into M-1 (500 kg, 300 of it labelled)."""
    return [*labelled_paddy_at_the_mill(w), ship(w.coop_b, "S-2", "mill", [("B-1", "200")]),
            receive(w.mill, "S-2"), merge(w.mill, ["A-1", "B-1"], "M-1")]


def labelled_paddy_milled(w: World) -> list[Envelope]:
    """coop-a, approved for rice too, labels 100 kg of A-1 and mills all 300 kg into R-1."""
    return [issue(w.coop_a, "A-1", 100), approve(w.regulator, RICE, "coop-a", "1"),
            process(w.coop_a, [("A-1", "300")], "R-1", "210")]


def merged_and_milled(w: World) -> list[Envelope]:
    return [*labelled_paddy_merged_at_the_mill(w), process(w.mill, [("M-1", "500")], "R-1", "350")]


def merged_by_distributor(w: World) -> list[Envelope]:
    """A distributor merges two growers' harvests: it becomes no one's producer."""
    return [ship(w.coop_a, "S-1", "dist", [("A-1", "10")]), receive(w.dist, "S-1"),
            ship(w.coop_b, "S-2", "dist", [("B-1", "10")]), receive(w.dist, "S-2"),
            merge(w.dist, ["A-1", "B-1"], "D-M")]


def org_without_region(w: World) -> list[Envelope]:
    return [w.regulator.register(Actor("coop-d"), ["producer"])]


def rice_labels(issuer: Actor, batch: str, count: int, **kw: Any) -> Envelope:
    return issue(issuer, batch, count, gtin=GTINS[RICE][0], lot="MILLED", **kw)


def public_draft(actor: Actor, type_: str, body: dict[str, Any]) -> Envelope:
    """A v2 statement that seals nothing: every field left public, whatever the policy says."""
    return ledger_statement.draft(type_, actor.org, actor.key, body)


def labels_issued_and_voided(w: World) -> list[Envelope]:
    return [*labels_issued(w), void(w.coop_a, serials("A-1", 1))]


def labels_issued_and_sold(w: World) -> list[Envelope]:
    return [*labels_issued(w), sell(w.coop_a, serials("A-1", 1, start=1))]


def wrong_check_digit(gtin: str) -> str:
    return gtin[:13] + str((int(gtin[13]) + 1) % 10)


def register_with(**changes: Any) -> Callable[[World], Envelope]:
    """coop-a registering a paddy batch A-2 of 10 kg, with some body fields changed."""
    def build(w: World) -> Envelope:
        body: dict[str, Any] = {"batch": "A-2", "product": PADDY, "lot": "LA-2", "quantity": "10",
                                "harvested": HARVESTED}
        body.update(changes)
        return w.coop_a.sign("batch.register", body)
    return build


REFUSALS = [
    # -- approval and quota -----------------------------------------------------------------
    conflict("not-approved", lambda w: register(w.coop_c, "C-1", "10"), "statement.actor"),
    conflict("not-approved.other-year",
             lambda w: register(w.coop_a, "A-2", "10", harvested=f"{YEAR - 1}-09-28"), "statement.actor"),
    conflict("not-approved.other-product", lambda w: register(w.coop_b, "B-2", "1", product=TEA),
             "statement.actor"),
    conflict("producer-suspended", lambda w: register(w.coop_b, "B-2", "1"), "statement.actor",
             suspended_b),
    conflict("quota-exceeded", lambda w: register(w.coop_b, "B-2", "300.500001"), "body.quantity"),
    conflict("quota-exceeded.after-lowering",
             lambda w: register(w.coop_a, "A-2", "0.000001"), "body.quantity",
             quota_lowered_to_used),
    conflict("quota-below-used", lambda w: approve(w.regulator, PADDY, "coop-a", "299.999999"),
             "body.quota"),
    conflict("not-a-producer", lambda w: approve(w.regulator, PADDY, "dist", "10"), "body.producer"),
    conflict("not-a-producer.retailer", lambda w: approve(w.regulator, PADDY, "shop-1", "10"),
             "body.producer"),
    conflict("out-of-region", lambda w: approve(w.regulator, PADDY, "coop-c", "10"), "body.producer"),
    conflict("out-of-region.no-region", lambda w: approve(w.regulator, PADDY, "coop-d", "10"),
             "body.producer", org_without_region),
    conflict("out-of-region.other-product", lambda w: approve(w.regulator, TEA, "coop-c", "10"),
             "body.producer"),
    conflict("plot-out-of-region", register_with(origin={"plot": "f", "region": "230113"}),
             "body.origin.region"),
    conflict("plot-out-of-region.prefecture-only", register_with(origin={"region": "230100"}),
             "body.origin.region"),
    conflict("date-in-future", register_with(harvested="2099-09-28"), "body.harvested"),
    conflict("already-suspended", lambda w: suspend(w.regulator, PADDY, "coop-b"), "body.producer",
             suspended_b),
    conflict("not-suspended", lambda w: suspend(w.regulator, PADDY, "coop-b", reinstate=True),
             "body.producer"),
    # -- holding ------------------------------------------------------------------------------
    conflict("insufficient-holding", lambda w: ship(w.coop_a, "S-2", "mill", [("A-1", "300.000001")]),
             "body.items[0].quantity"),
    conflict("insufficient-holding.second-item",
             lambda w: ship(w.coop_a, "S-2", "mill", [("A-1", "300"), ("T-1", "50.5")]),
             "body.items[1].quantity"),
    conflict("insufficient-holding.after-shipping-part",
             lambda w: ship(w.coop_a, "S-2", "dist", [("A-1", "200.000001")]),
             "body.items[0].quantity", shipped_to_mill),
    conflict("insufficient-holding.process",
             lambda w: process(w.coop_a, [("A-1", "300.1")], "R-1", "1"),
             "body.quantities.inputs[0]"),
    conflict("not-holder", lambda w: ship(w.coop_a, "S-2", "mill", [("B-1", "1")]),
             "body.items[0].quantity"),
    conflict("not-holder.in-transit", lambda w: ship(w.mill, "S-2", "dist", [("A-1", "1")]),
             "body.items[0].quantity", shipped_to_mill),
    conflict("not-holder.regulator", lambda w: ship(w.regulator, "S-2", "mill", [("A-1", "1")]),
             "body.items[0].quantity"),
    conflict("not-holder.merge", lambda w: merge(w.coop_b, ["A-1", "B-1"], "M-1"), "body.from[0]"),
    conflict("not-holder.process", lambda w: process(w.mill, [("A-1", "10")], "R-1", "7"),
             "body.quantities.inputs[0]"),
    # Splitting a batch one holds none of is the same fault as shipping it.
    conflict("not-holder.split", lambda w: split(w.coop_b, "A-1", [("A-9", "1")]), "body.from"),
    # -- shipments -------------------------------------------------------------------------
    # Anyone but the receiver learns nothing of a shipment: not even that the id exists.
    conflict("unknown-shipment.wrong-receiver", lambda w: receive(w.dist, "S-1"), "body.shipment",
             shipped_to_mill),
    conflict("unknown-shipment.sender-receives", lambda w: receive(w.coop_a, "S-1"), "body.shipment",
             shipped_to_mill),
    conflict("unknown-shipment.wrong-receiver-rejects", lambda w: reject(w.shop_1, "S-1"),
             "body.shipment", shipped_to_mill),
    conflict("shipment-not-pending", lambda w: receive(w.mill, "S-1"), "body.shipment",
             received_by_mill),
    conflict("shipment-not-pending.reject-after-receive", lambda w: reject(w.mill, "S-1"),
             "body.shipment", received_by_mill),
    conflict("shipment-not-pending.receive-after-reject", lambda w: receive(w.mill, "S-1"),
             "body.shipment", rejected_by_mill),
    conflict("unknown-shipment", lambda w: receive(w.mill, "S-404"), "body.shipment"),
    conflict("duplicate-id.sscc", lambda w: w.coop_a.sign("shipment.send", {
        "shipment": "S-2", "to": "dist", "sscc": SSCC, "items": portions([("A-1", "1")])}), "body.sscc",
        shipped_to_mill_with_sscc),
    conflict("unknown-org", lambda w: ship(w.coop_a, "S-2", "nobody", [("A-1", "1")]), "body.to"),
    conflict("bad-receiver", lambda w: ship(w.coop_a, "S-2", "coop-a", [("A-1", "1")]), "body.to"),
    conflict("bad-receiver.regulator", lambda w: ship(w.coop_a, "S-2", "cnipa", [("A-1", "1")]),
             "body.to"),
    # -- split, merge, process ----------------------------------------------------------------
    conflict("split-exceeds-parent",
             lambda w: split(w.coop_a, "A-1", [("A-1a", "200"), ("A-1b", "100.000001")]),
             "body.quantities"),
    conflict("split-exceeds-parent.part-shipped",
             lambda w: split(w.coop_a, "A-1", [("A-1a", "200.5")]), "body.quantities", shipped_to_mill),
    conflict("merge-mixed-products", lambda w: merge(w.coop_a, ["A-1", "T-1"], "M-1"), "body.from"),
    conflict("process-mixed-products",
             lambda w: process(w.coop_a, [("A-1", "10"), ("T-1", "10")], "R-1", "1"), "body.inputs"),
    conflict("yield-exceeded", lambda w: process(w.coop_a, [("A-1", "100")], "R-1", "70.000001"),
             "body.quantities.output"),
    conflict("yield-exceeded.two-inputs",
             lambda w: process(w.coop_a, [("A-1", "0.1"), ("A-2", "0.2")], "R-1", "0.210001"),
             "body.quantities.output", split_off_a2),
    conflict("unknown-process", lambda w: process(w.coop_a, [("A-1", "10")], "R-1", "1", name="polishing"),
             "body.process"),
    conflict("unknown-process.product-declares-none",
             lambda w: process(w.coop_a, [("T-1", "10")], "R-1", "1"), "body.process"),
    # -- ids ---------------------------------------------------------------------------------
    conflict("unknown-product", lambda w: register(w.coop_a, "A-2", "1", product="wuchang-millet"),
             "body.product"),
    conflict("unknown-product.approve", lambda w: approve(w.regulator, "wuchang-millet", "coop-a", "1"),
             "body.product"),
    conflict("unknown-batch", lambda w: ship(w.coop_a, "S-2", "mill", [("A-404", "1")]),
             "body.items[0].batch"),
    conflict("unknown-batch.split", lambda w: split(w.coop_a, "A-404", [("A-9", "1")]), "body.from"),
    conflict("unknown-batch.merge", lambda w: merge(w.coop_a, ["A-1", "A-404"], "M-1"), "body.from[1]"),
    conflict("unknown-batch.process", lambda w: process(w.coop_a, [("A-404", "1")], "R-1", "0.5"),
             "body.inputs[0]"),
    conflict("unknown-batch.recall", lambda w: recall(w.regulator, "A-404"), "body.batch"),
    conflict("duplicate-id.batch", lambda w: register(w.coop_a, "B-1", "1"), "body.batch"),
    conflict("duplicate-id.split-child",
             lambda w: split(w.coop_a, "A-1", [("A-1a", "1"), ("T-1", "1")]), "body.into[1]"),
    conflict("duplicate-id.merge-into", lambda w: merge(w.coop_a, ["A-1", "A-2"], "A-2"),
             "body.into.batch", split_off_a2),
    conflict("duplicate-id.process-output", lambda w: process(w.coop_a, [("A-1", "10")], "B-1", "7"),
             "body.output.batch"),
    conflict("duplicate-id.shipment", lambda w: ship(w.coop_a, "S-1", "dist", [("A-1", "1")]),
             "body.shipment", shipped_to_mill),
    conflict("duplicate-id.product",
             lambda w: product_register(w.regulator, PADDY, "稻谷", "paddy", gtins=[gtin14("0693999900001")]),
             "body.product"),
    conflict("duplicate-id.gtin",
             lambda w: product_register(w.regulator, "wuchang-millet", "小米", "millet",
                                        gtins=GTINS[RICE]), "body.gtins[0]"),
    conflict("duplicate-id.org", lambda w: w.regulator.register(w.coop_b, ["producer"]), "body.org"),
    conflict("bad-gtin",
             lambda w: product_register(w.regulator, "wuchang-millet", "小米", "millet",
                                        gtins=[wrong_check_digit(gtin14("0693999900001"))]),
             "body.gtins[0]"),
    # -- recall ------------------------------------------------------------------------------
    conflict("batch-recalled", lambda w: ship(w.coop_a, "S-2", "mill", [("A-1a", "1")]),
             "body.items[0].batch", split_then_recalled),
    conflict("batch-recalled.split", lambda w: split(w.coop_a, "A-1b", [("A-9", "1")]), "body.from",
             split_then_recalled),
    conflict("batch-recalled.merge", lambda w: merge(w.coop_a, ["A-1a", "A-1b"], "M-1"),
             "body.from[0]", split_then_recalled),
    conflict("batch-recalled.process", lambda w: process(w.coop_a, [("A-1b", "10")], "R-1", "7"),
             "body.inputs[0]", split_then_recalled),
    conflict("already-recalled", lambda w: recall(w.regulator, "A-1b"), "body.batch",
             split_then_recalled),
    conflict("already-recalled.descendant", lambda w: recall(w.coop_a, "A-1b"), "body.batch",
             split_then_recalled),
    # -- labels ------------------------------------------------------------------------------
    conflict("labels-exceed-holding", lambda w: issue(w.coop_a, "T-1", 51, gtin=GTINS[TEA][0]),
             "body.count"),
    conflict("labels-exceed-holding.pack", lambda w: issue(w.coop_a, "A-1", 13, pack="25"),
             "body.count"),
    conflict("labels-exceed-holding.relabel", lambda w: issue(w.coop_a, "A-1", 296, start=5),
             "body.count", labels_issued),
    # The labelled goods leave with a split (it takes the unlabelled first; here there are none).
    conflict("labels-exceed-holding.split", lambda w: issue(w.coop_a, "A-1a", 1),
             "body.count", lambda w: [*a1_all_labelled(w), split(w.coop_a, "A-1", [("A-1a", "100")])]),
    # …and with a shipment: the mill received labelled goods, and may not label them again.
    conflict("labels-exceed-holding.shipped", lambda w: issue(w.mill, "A-1", 1), "body.count",
             labelled_paddy_at_the_mill),
    conflict("labels-exceed-holding.merged", lambda w: issue(w.mill, "M-1", 201, lot="MERGED"),
             "body.count", labelled_paddy_merged_at_the_mill),
    # Labels on paddy, and again on the rice milled from it: the harvest is charged twice.
    conflict("labels-exceed-harvest", lambda w: rice_labels(w.coop_a, "R-1", 141), "body.count",
             labelled_paddy_milled),
    conflict("labels-exceed-harvest.merged-then-milled", lambda w: rice_labels(w.mill, "R-1", 1),
             "body.count", merged_and_milled),
    conflict("gtin-not-of-product", lambda w: issue(w.coop_a, "A-1", 1, gtin=GTINS[TEA][0]), "body.gtin"),
    conflict("pack-not-of-product", lambda w: issue(w.coop_a, "A-1", 1, pack="2.5"), "body.pack"),
    conflict("not-approved.labels-by-holder", lambda w: issue(w.mill, "A-1", 1), "statement.actor",
             received_by_mill),
    conflict("not-approved.labels-of-other-product", lambda w: rice_labels(w.coop_a, "R-1", 1),
             "statement.actor", lambda w: [process(w.coop_a, [("A-1", "10")], "R-1", "7")]),
    conflict("not-approved.labels-by-distributor-after-merge",
             lambda w: issue(w.dist, "D-M", 1, lot="MERGED"), "statement.actor", merged_by_distributor),
    conflict("not-holder.labels", lambda w: issue(w.coop_b, "A-1", 1), "body.batch"),
    conflict("bad-label-signature", lambda w: issue(w.coop_a, "A-1", 1, signer=w.coop_b), "labels[0].sig"),
    conflict("bad-label-signature.other-lot", lambda w: issue(w.coop_a, "A-1", 2, lot="LB-1"),
             "labels[0].sig"),
    Refusal("labels-root-mismatch", lambda w: issue(w.coop_a, "A-1", 2, attached=labels_for(
        w.coop_a, GTINS[PADDY][0], "LA-1", serials("A-1", 2, start=7))), 400, "labels-root-mismatch",
        "body.labels_root"),
    Refusal("labels-root-mismatch.reordered", lambda w: issue(w.coop_a, "A-1", 2, attached=labels_for(
        w.coop_a, GTINS[PADDY][0], "LA-1", serials("A-1", 2)[::-1])), 400, "labels-root-mismatch",
        "body.labels_root"),
    conflict("duplicate-serial", lambda w: issue(w.coop_a, "A-1", serials("A-1", 2, start=4)),
             "labels[0].serial", labels_issued),
    conflict("duplicate-serial.other-batch", lambda w: issue(w.coop_b, "B-1", serials("A-1", 1)),
             "labels[0].serial", labels_issued),
    conflict("producer-suspended.labels", lambda w: issue(w.coop_b, "B-1", 1), "statement.actor",
             suspended_b),
    conflict("batch-recalled.labels", lambda w: issue(w.coop_a, "A-1b", 1), "body.batch",
             split_then_recalled),
    conflict("unknown-label", lambda w: sell(w.coop_a, ["SNNOSUCHLABEL01"]), "body.serials[0]"),
    conflict("unknown-label.void", lambda w: void(w.coop_a, [*serials("A-1", 1), "SNNOSUCHLABEL01"]),
             "body.serials[1]", labels_issued),
    conflict("label-void", lambda w: sell(w.coop_a, serials("A-1", 1)), "body.serials[0]",
             labels_issued_and_voided),
    conflict("label-sold", lambda w: void(w.coop_a, serials("A-1", 2)), "body.serials[1]",
             labels_issued_and_sold),
    conflict("not-holder.sell", lambda w: sell(w.shop_1, serials("A-1", 1)), "body.serials[0]",
             labels_issued),
    # -- roles -------------------------------------------------------------------------------
    forbidden("retailer-registers-batch", lambda w: register(w.shop_1, "X-1", "1")),
    forbidden("regulator-registers-batch", lambda w: register(w.regulator, "X-1", "1")),
    forbidden("producer-approves", lambda w: approve(w.coop_a, PADDY, "coop-a", "5000")),
    forbidden("producer-suspends", lambda w: suspend(w.coop_a, PADDY, "coop-b")),
    forbidden("producer-reinstates", lambda w: suspend(w.coop_b, PADDY, "coop-b", reinstate=True),
              suspended_b),
    forbidden("processor-registers-product",
              lambda w: product_register(w.mill, "wuchang-millet", "小米", "millet",
                                         gtins=[gtin14("0693999900001")])),
    forbidden("producer-registers-org", lambda w: w.coop_a.register(Actor("coop-d"), ["producer"])),
    forbidden("recall-by-holder", lambda w: recall(w.mill, "A-1"), received_by_mill),
    forbidden("recall-by-other-producer", lambda w: recall(w.coop_b, "A-1")),
    forbidden("recall-by-retailer", lambda w: recall(w.shop_1, "B-1")),
    forbidden("recall-by-merger", lambda w: recall(w.dist, "D-M"), merged_by_distributor),
    forbidden("void-by-other-producer", lambda w: void(w.coop_b, serials("A-1", 1)), labels_issued),
    # -- body shapes -------------------------------------------------------------------------
    malformed("quantity-json-number", register_with(quantity=10), "body.quantity"),
    malformed("quantity-json-float", register_with(quantity=0.5), "body.quantity"),
    malformed("quantity-negative", register_with(quantity="-5"), "body.quantity"),
    malformed("quantity-zero", register_with(quantity="0.000000"), "body.quantity"),
    malformed("quantity-seven-decimals", register_with(quantity="1.0000001"), "body.quantity"),
    malformed("quantity-exponent", register_with(quantity="1e3"), "body.quantity"),
    malformed("quantity-leading-zero", register_with(quantity="010"), "body.quantity"),
    malformed("quantity-sixteen-digits", register_with(quantity="1" * 16), "body.quantity"),
    malformed("unknown-field", register_with(colour="golden"), "body.colour"),
    malformed("lot-21-chars", register_with(lot="L" * 21), "body.lot"),
    malformed("missing-harvested", lambda w: w.coop_a.sign("batch.register", {
        "batch": "A-2", "product": PADDY, "lot": "LA-2", "quantity": "10"}), "body.harvested"),
    malformed("harvested-not-a-date", register_with(harvested="2026-02-30"), "body.harvested"),
    malformed("unknown-origin-field", register_with(origin={"plot": "north field", "alt": "120"}),
              "body.origin.alt"),
    malformed("item-quantity-json-number", lambda w: w.coop_a.sign("shipment.send", {
        "shipment": "S-2", "to": "mill", "items": [{"batch": "A-1", "quantity": 1}]}),
        "body.items[0].quantity"),
    malformed("item-twice", lambda w: ship(w.coop_a, "S-2", "mill", [("A-1", "1"), ("A-1", "2")]),
              "body.items"),
    malformed("split-part-negative", lambda w: split(w.coop_a, "A-1", [("A-9", "-1")]),
              "body.quantities[0]"),
    malformed("split-quantities-unpaired", lambda w: w.coop_a.sign("batch.split", {
        "from": "A-1", "into": ["A-8", "A-9"], "quantities": ["1"]}), "body.quantities"),
    malformed("process-quantities-unpaired", lambda w: w.coop_a.sign("batch.process", {
        "process": "milling", "inputs": ["A-1"], "output": {"batch": "R-1", "lot": "L"},
        "quantities": {"inputs": ["1", "2"], "output": "0.5"}}), "body.quantities"),
    malformed("lat-over-90", register_with(origin={"lat": "90.5"}), "body.origin.lat"),
    malformed("lon-under-minus-180", register_with(origin={"lon": "-180.1"}), "body.origin.lon"),
    malformed("plot-region-not-a-code", register_with(origin={"region": "2301"}), "body.origin.region"),
    malformed("uscc-check-character", lambda w: w.regulator.sign("org.register", {
        "org": "coop-d", "name": {"zh": "d", "en": "d"}, "roles": ["producer"],
        "keys": [Actor("coop-d").pub], "uscc": "93230184MA1B2C3D8X"}), "body.uscc"),
    malformed("product-without-packs", lambda w: w.regulator.sign("product.register", {
        "product": "wuchang-millet", "name": {"zh": "小米", "en": "millet"},
        "region": {"name": {"zh": "五常", "en": "Wuchang"}, "codes": ["230184"]}, "unit": "kg",
        "gtins": [gtin14("0693999900001")]}), "body.packs"),
    malformed("pack-twice", lambda w: product_register(w.regulator, "wuchang-millet", "小米", "millet",
                                                       gtins=[gtin14("0693999900001")],
                                                       packs=["2.5", "2.50"]), "body.packs"),
    malformed("village-without-en", register_with(village={"zh": "红光村"}), "body.village.en"),
    malformed("merge-one-parent", lambda w: merge(w.coop_a, ["A-1"], "M-1"), "body.from"),
    malformed("quota-json-number", lambda w: approve(w.regulator, PADDY, "coop-b", 600), "body.quota"),
    malformed("serial-too-short", lambda w: issue(w.coop_a, "A-1", ["SHORT1234"]), "labels[0].serial",
              "invalid-labels"),
    malformed("serial-outside-set-82", lambda w: issue(w.coop_a, "A-1", ["SERIAL WITH SPACE"]),
              "labels[0].serial", "invalid-labels"),
    malformed("serial-twice", lambda w: issue(w.coop_a, "A-1", serials("A-1", 1) * 2),
              "labels[1].serial", "invalid-labels"),
    malformed("labels-fewer-than-count", lambda w: issue(w.coop_a, "A-1", 2, count=3), "labels",
              "invalid-labels"),
    malformed("labels-missing", lambda w: w.coop_a.sign("label.issue", issue(
        w.coop_a, "A-1", 1).statement.body), "labels", "invalid-labels"),
    malformed("count-over-the-most", lambda w: issue(w.coop_a, "A-1", 1, count=MAX_LABELS + 1),
              "body.count"),
    malformed("count-zero", lambda w: issue(w.coop_a, "A-1", 1, count=0), "body.count"),
    malformed("labels-root-not-32-bytes", lambda w: issue(w.coop_a, "A-1", 1, root="AAAA"),
              "body.labels_root"),
    malformed("pack-json-number", lambda w: w.coop_a.sign("label.issue", {
        **issue(w.coop_a, "A-1", 1).statement.body, "pack": 1}), "body.pack"),
    malformed("labels-beside-a-shipment", lambda w: w.coop_a.sign("shipment.send", {
        "shipment": "S-2", "to": "mill", "items": portions([("A-1", "1")])},
        attachments={"labels": labels_for(w.coop_a, GTINS[PADDY][0], "LA-1", serials("A-1", 1))}),
        "labels", "unexpected-attachment"),
    # Confidential fields left public: the log would publish them.
    malformed("quantity-public", lambda w: public_draft(w.coop_a, "batch.register", {
        "batch": "A-2", "product": PADDY, "lot": "LA-2", "quantity": "10", "harvested": HARVESTED}),
        "body.quantity", "confidential-field-public"),
    malformed("receiver-public", lambda w: public_draft(w.coop_a, "shipment.send", {
        "shipment": "S-2", "to": "mill", "items": portions([("A-1", "1")])}), "body.items",
        "confidential-field-public"),
    malformed("lineage-sealed", lambda w: ledger_statement.draft(
        "batch.split", "coop-a", w.coop_a.key, {"from": "A-1", "into": ["A-9"], "quantities": ["1"]},
        confidential=["from", "quantities"]), "disclosures", "public-field-sealed"),
    malformed("label-count-sealed", lambda w: ledger_statement.draft(
        "label.issue", "coop-a", w.coop_a.key, issue(w.coop_a, "A-1", 1).statement.body,
        confidential=["count"], attachments=issue(w.coop_a, "A-1", 1).attachments),
        "disclosures", "public-field-sealed"),
    malformed("serials-public", lambda w: public_draft(w.coop_a, "label.void", {
        "serials": serials("A-1", 1)}), "body.serials", "confidential-field-public"),
    malformed("sscc-check-digit", lambda w: w.coop_a.sign("shipment.send", {
        "shipment": "S-2", "to": "dist", "sscc": SSCC[:-1] + "0", "items": portions([("A-1", "1")])}),
        "body.sscc"),
    malformed("year-as-string", lambda w: approve(w.regulator, PADDY, "coop-b", "600", year="2026"),
              "body.year"),
]


class Copies:
    """One copy of the world per setup, shared by the rows that use it (a refused statement
    writes nothing, which each row checks); a copy that something was written to is dropped."""

    def __init__(self, template: Template, root: Path, stack: ExitStack) -> None:
        self.template, self.root, self.stack = template, root, stack
        self._copies: dict[Setup | None, tuple[Service, FlaskClient]] = {}

    def get(self, setup: Setup | None) -> tuple[Service, FlaskClient]:
        if setup not in self._copies:
            directory = self.root / str(len(list(self.root.iterdir())))
            directory.mkdir()
            service = self.stack.enter_context(self.template.copy(directory))
            if setup is not None:
                service.log.append(setup(self.template.world))
            app = self.stack.enter_context(serving(service.settings))
            self._copies[setup] = service, app.test_client()
        return self._copies[setup]

    def drop(self, setup: Setup | None) -> None:
        self._copies.pop(setup, None)


@pytest.fixture(scope="module")
def copies(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copies]:
    with ExitStack() as stack:
        yield Copies(template, tmp_path_factory.mktemp("refusals"), stack)


@pytest.mark.parametrize("case", REFUSALS, ids=[case.id for case in REFUSALS])
def test_violating_statement_is_refused_and_nothing_written(case: Refusal, copies: Copies) -> None:
    service, client = copies.get(case.setup)
    size, before = service.log.size(), dump(service.engine)
    try:
        resp = post(client, case.statement(copies.template.world))

        assert_problem(resp, case.status, case.code, case.field)
        assert service.log.size() == size
        assert dump(service.engine) == before
    finally:
        if service.log.size() != size:
            copies.drop(case.setup)


# Rules of statement v1 only: a v1 statement is no longer appended, only replayed
# (tests/domain/test_v1_rules.py breaks them).
V1_ONLY = {"labels-exceed-units"}


def test_the_table_names_every_rule_the_domain_can_break() -> None:
    sources = "".join(p.read_text() for p in Path(gi_trace.domain.__file__).parent.glob("*.py"))
    rules = set(re.findall(r'violation\("([a-z-]+)"', sources))
    protection = {code for *_, code in PROTECTION_REFUSALS}  # tests/domain/test_protection_rules.py
    assert rules - V1_ONLY <= {case.code for case in REFUSALS} | protection


# -- the boundaries themselves, which must be allowed -------------------------------------------

def approval(service: Service, product: str, producer: str) -> tuple[str, str]:
    a = tables.approvals.c
    with service.engine.connect() as conn:
        row = conn.execute(select(a.quota, a.used).where(
            (a.product == product) & (a.producer == producer))).one()
    return row.quota, row.used


def test_registering_exactly_the_remaining_quota_succeeds_and_a_millionth_more_fails(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    # coop-b: quota 500.5, 200 used.
    assert post(world_client, register(world.coop_b, "B-2", "300.499999")).status_code == 201
    assert post(world_client, register(world.coop_b, "B-3", "0.000001")).status_code == 201
    assert approval(world_service, PADDY, "coop-b") == ("500.5", "500.5")
    size, before = world_service.log.size(), dump(world_service.engine)

    resp = post(world_client, register(world.coop_b, "B-4", "0.000001"))

    assert_problem(resp, 409, "quota-exceeded", "body.quantity")
    assert (world_service.log.size(), dump(world_service.engine)) == (size, before)


def test_quota_counts_exact_decimals(world: World, world_service: Service,
                                     world_client: FlaskClient) -> None:
    for batch, quantity in (("B-2", "0.1"), ("B-3", "0.2")):
        assert post(world_client, register(world.coop_b, batch, quantity)).status_code == 201
    assert approval(world_service, PADDY, "coop-b") == ("500.5", "200.3")


def test_raising_the_quota_allows_more_and_lowering_it_to_exactly_used_is_allowed(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    assert post(world_client, approve(world.regulator, PADDY, "coop-a", "300")).status_code == 201
    assert approval(world_service, PADDY, "coop-a") == ("300", "300")
    assert post(world_client, approve(world.regulator, PADDY, "coop-a", "400.25")).status_code == 201
    assert post(world_client, register(world.coop_a, "A-2", "100.25")).status_code == 201
    assert approval(world_service, PADDY, "coop-a") == ("400.25", "400.25")


def test_a_reinstated_producer_registers_again(world: World, world_client: FlaskClient) -> None:
    assert post(world_client, suspend(world.regulator, PADDY, "coop-b")).status_code == 201
    assert post(world_client, register(world.coop_b, "B-2", "1")).status_code == 409
    assert post(world_client, suspend(world.regulator, PADDY, "coop-b", reinstate=True)).status_code == 201
    assert post(world_client, register(world.coop_b, "B-2", "1")).status_code == 201


def test_the_suspension_is_per_product(world: World, world_client: FlaskClient) -> None:
    assert post(world_client, suspend(world.regulator, TEA, "coop-a")).status_code == 201
    assert post(world_client, register(world.coop_a, "A-2", "1")).status_code == 201
    assert post(world_client, register(world.coop_a, "T-2", "1", product=TEA)).status_code == 409


def test_output_exactly_at_the_yield_succeeds(world: World, world_service: Service,
                                             world_client: FlaskClient) -> None:
    resp = post(world_client, process(world.coop_a, [("A-1", "100")], "R-1", "70.000000"))

    assert resp.status_code == 201, resp.get_json()
    b = tables.batches.c
    with world_service.engine.connect() as conn:
        assert conn.execute(select(b.product, b.quantity).where(b.batch == "R-1")).one() == (RICE, "70")


def test_a_group_with_one_violation_writes_nothing(world: World, world_service: Service,
                                                  world_client: FlaskClient) -> None:
    size, before = world_service.log.size(), dump(world_service.engine)
    group = [ship(world.coop_a, "S-1", "mill", [("A-1", "100")]), receive(world.mill, "S-1"),
             ship(world.mill, "S-2", "dist", [("A-1", "100.000001")])]

    resp = world_client.post("/v1/statements", json=[e.to_dict() for e in group])

    assert resp.status_code == 409 and resp.mimetype == PROBLEM
    problem = resp.get_json(force=True)
    assert (problem["code"], problem["field"], problem["index"]) == (
        "insufficient-holding", "body.items[0].quantity", 2)
    assert (world_service.log.size(), dump(world_service.engine)) == (size, before)


def test_the_worlds_gtins_carry_gs1_check_digits() -> None:
    assert gtin14("0400638133393") == "04006381333931"  # EAN-13 4006381333931, padded to 14
    assert all(valid_check_digit(g) for gtins in GTINS.values() for g in gtins)
    assert not valid_check_digit(wrong_check_digit(GTINS[PADDY][0]))


def posted(client: FlaskClient, *envelopes: Envelope) -> None:
    for envelope in envelopes:
        resp = post(client, envelope)
        assert resp.status_code == 201, resp.get_json()


def refused(client: FlaskClient, envelope: Envelope, code: str) -> None:
    resp = post(client, envelope)
    assert resp.status_code in (400, 409, 422) and resp.get_json()["code"] == code, resp.get_json()


def batch_row(service: Service, batch: str) -> Any:
    with service.engine.connect() as conn:
        return conn.execute(select(tables.batches).where(tables.batches.c.batch == batch)).one()


def test_labels_up_to_exactly_what_is_held(world: World, world_service: Service,
                                          world_client: FlaskClient) -> None:
    # A-1 is 300 kg: 300 one-kilo labels at most, in any number of statements and packs.
    posted(world_client, issue(world.coop_a, "A-1", 11, pack="25"),
           issue(world.coop_a, "A-1", 24, start=11), issue(world.coop_a, "A-1", 1, start=35))
    refused(world_client, issue(world.coop_a, "A-1", 1, start=36), "labels-exceed-holding")
    row = batch_row(world_service, "A-1")
    assert (row.labelled, row.charged) == ("300", "300")
    assert_audit_passes(world_service)


def test_the_most_labels_fit_one_statement(world: World, world_service: Service,
                                           world_client: FlaskClient) -> None:
    posted(world_client, approve(world.regulator, PADDY, "coop-a", "20000"),
           register(world.coop_a, "A-9", "10000"))
    big = issue(world.coop_a, "A-9", [f"{n:020d}" for n in range(MAX_LABELS)])
    assert len(big.statement.canonical) < 1000  # the labels travel beside it, not in it
    posted(world_client, big)
    labels = tables.labels.c
    with world_service.engine.connect() as conn:
        assert conn.execute(select(labels.serial).where(labels.idx == MAX_LABELS - 1)).scalar_one() \
            == f"{MAX_LABELS - 1:020d}"
    refused(world_client, issue(world.coop_a, "A-9", 1), "labels-exceed-holding")


def test_labels_on_rice_up_to_what_the_unlabelled_paddy_yielded(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    # 100 of A-1's 300 kg were labelled as paddy; the rest, milled 300 → 210, yields 140 kg.
    posted(world_client, issue(world.coop_a, "A-1", 100), approve(world.regulator, RICE, "coop-a", "1"),
           process(world.coop_a, [("A-1", "300")], "R-1", "210"),
           issue(world.coop_a, "R-1", 56, pack="2.5", gtin=GTINS[RICE][0], lot="MILLED"))
    refused(world_client, issue(world.coop_a, "R-1", 1, start=56, gtin=GTINS[RICE][0], lot="MILLED"),
            "labels-exceed-harvest")
    assert batch_row(world_service, "A-1").charged == "300"
    # Voiding paddy labels gives their share of the harvest back to the rice.
    posted(world_client, void(world.coop_a, serials("A-1", 7)),
           issue(world.coop_a, "R-1", 1, start=56, pack="2.5", gtin=GTINS[RICE][0], lot="MILLED"),
           issue(world.coop_a, "R-1", 2, start=57, gtin=GTINS[RICE][0], lot="MILLED"))
    refused(world_client, issue(world.coop_a, "R-1", 1, start=59, gtin=GTINS[RICE][0], lot="MILLED"),
            "labels-exceed-harvest")
    assert batch_row(world_service, "A-1").charged == "2096/7"  # 293 + 4.5 × 300/210 = 299.43…
    assert_audit_passes(world_service)


def test_an_approved_packer_labels_what_it_milled_of_two_growers(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    posted(world_client, approve(world.regulator, RICE, "mill", "1"),
           ship(world.coop_a, "S-1", "mill", [("A-1", "100")]), receive(world.mill, "S-1"),
           ship(world.coop_b, "S-2", "mill", [("B-1", "50")]), receive(world.mill, "S-2"),
           process(world.mill, [("A-1", "100"), ("B-1", "50")], "R-1", "105"),
           issue(world.mill, "R-1", 21, pack="5", gtin=GTINS[RICE][0], lot="MILLED"))
    rice = batch_row(world_service, "R-1")
    assert (rice.producer, rice.producers, rice.labelled) == ("coop-a", '["coop-a", "coop-b"]', "105")
    assert (batch_row(world_service, "A-1").charged, batch_row(world_service, "B-1").charged) == (
        "100", "50")
    refused(world_client, issue(world.mill, "R-1", 1, start=21, gtin=GTINS[RICE][0], lot="MILLED"),
            "labels-exceed-holding")


def test_a_split_takes_the_unlabelled_goods_and_a_shipment_the_labelled(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    posted(world_client, issue(world.coop_a, "A-1", 100),
           split(world.coop_a, "A-1", [("A-1a", "150")]),  # unlabelled bulk split off
           issue(world.coop_a, "A-1a", 150, lot="LA-1"),
           ship(world.coop_a, "S-1", "shop-1", [("A-1", "100")]),  # the labelled bags leave
           issue(world.coop_a, "A-1", 50, start=100))
    refused(world_client, issue(world.coop_a, "A-1", 1, start=150), "labels-exceed-holding")
    assert batch_row(world_service, "A-1").charged == "300"


def test_voiding_frees_the_goods_for_new_labels(world: World, world_service: Service,
                                                world_client: FlaskClient) -> None:
    posted(world_client, issue(world.coop_a, "A-1", 300), void(world.coop_a, serials("A-1", 5)),
           issue(world.coop_a, "A-1", 5, start=300))
    refused(world_client, issue(world.coop_a, "A-1", 1, start=305), "labels-exceed-holding")
    assert batch_row(world_service, "A-1").labelled == "300"


def test_an_approval_reaches_a_special_sign_user_in_the_region(
        world: World, world_client: FlaskClient) -> None:
    posted(world_client, approve(world.regulator, RICE, "mill", "10"),  # a processor: the packer
           org_register(world.regulator, Actor("harbin-packer"), ["processor"], region="230100"),
           approve(world.regulator, TEA, "coop-b", "1"))  # tea's region also lists Wuchang
    # A seat named only by its prefecture (Harbin) might lie outside Wuchang.
    refused(world_client, approve(world.regulator, RICE, "harbin-packer", "10"), "out-of-region")


def test_a_plot_inside_the_region_and_a_harvest_of_today(world: World, world_service: Service,
                                                         world_client: FlaskClient) -> None:
    today = datetime.now(UTC).date().isoformat()
    posted(world_client, register(world.coop_a, "A-2", "10", harvested=today,
                                  origin={"plot": "north", "lat": "-90", "lon": "180",
                                          "region": "230184"},
                                  village={"zh": "红光村", "en": "Hongguang"}))
    row = batch_row(world_service, "A-2")
    assert (row.plot_region, row.village_zh, row.village_en) == ("230184", "红光村", "Hongguang")


def test_label_sold_by_whoever_holds_a_batch_made_from_it(
        world: World, world_service: Service, world_client: FlaskClient) -> None:
    steps = [issue(world.coop_a, "A-1", 3), split(world.coop_a, "A-1", [("A-1a", "100")]),
             ship(world.coop_a, "S-1", "shop-1", [("A-1a", "100")]), receive(world.shop_1, "S-1")]
    for envelope in steps:
        assert post(world_client, envelope).status_code == 201
    assert post(world_client, sell(world.shop_1, serials("A-1", 1))).status_code == 201
    labels = tables.labels.c
    with world_service.engine.connect() as conn:
        rows = conn.execute(select(labels.serial, labels.status, labels.status_by)
                            .order_by(labels.serial)).all()
    assert [tuple(r) for r in rows] == [(serials("A-1", 1)[0], "sold", "shop-1"),
                                        (serials("A-1", 1, 1)[0], "issued", None),
                                        (serials("A-1", 1, 2)[0], "issued", None)]
