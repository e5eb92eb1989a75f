"""Who may act, over HTTP as the dashboard and the desk do: a retailer cannot approve, suspend
or recall; a regulator's action signed with a revoked key is refused, and that key's token
stops reading at once. Acting with disclosures: they must match the statement's digests
exactly, no confidential field may be left public, and what is sent is read back only by
those the statement names. (Who may read what: tests/api/reads/test_role_matrix.py, test_oversight.py
and test_deliveries.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gi_trace.ledger.statement import Envelope, draft
from tests.api.helpers import assert_problem, post_statements
from tests.api.reads.world import YEAR, World, issue, obtain_token
from tests.support import Actor

APPROVE = ("producer.approve", {"product": "wuchang-paddy", "producer": "other-coop", "year": YEAR + 1,
                                "quota": "100"})
SUSPEND = ("producer.suspend", {"product": "wuchang-paddy", "producer": "other-coop", "reason": "audit"})
RECALL = ("batch.recall", {"batch": "other-1", "reason": "a rumour"})


def post(world: World, envelope: Envelope) -> Any:
    return post_statements(world.client(), envelope.to_dict())


@pytest.mark.parametrize(("type_", "body"), [APPROVE, SUSPEND, RECALL], ids=["approve", "suspend", "recall"])
def test_a_retailer_cannot_act_as_a_regulator(world: World, type_: str, body: dict[str, Any]) -> None:
    problem = assert_problem(post(world, world.retailer.sign(type_, body)), 403, "not-authorized",
                             field="statement.actor")
    assert "regulator" in problem["detail"]


@pytest.mark.parametrize(("type_", "body"), [APPROVE, RECALL], ids=["approve", "recall"])
def test_a_regulator_may(world: World, type_: str, body: dict[str, Any]) -> None:
    resp = post(world, world.regulator.sign(type_, body))
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_a_regulators_revoked_key_signs_nothing(world: World) -> None:
    """The regulator enrols a second key (say a laptop's), uses it, then revokes it as lost."""
    laptop = Actor(world.regulator.org)
    world.append(world.regulator.sign("key.add", {"org": laptop.org, "pub": laptop.pub,
                                                  "label": "dashboard laptop"}))
    token = obtain_token(world.client(), laptop)
    assert world.client().get("/v1/oversight/quota",
                              headers={"Authorization": f"Bearer {token}"}).status_code == 200
    world.append(world.regulator.sign("key.revoke", {"org": laptop.org, "key": laptop.key_id,
                                                     "reason": "laptop stolen"}))

    type_, body = SUSPEND
    assert_problem(post(world, laptop.sign(type_, body)), 422, "key-revoked", field="statement.key")
    resp = world.client().get("/v1/oversight/quota", headers={"Authorization": f"Bearer {token}"})
    assert_problem(resp, 401, "key-revoked")
    resp = world.client().post("/v1/auth/challenge", json={"org": laptop.org, "key": laptop.key_id})
    assert_problem(resp, 401, "key-revoked")


# -- acting with disclosures ------------------------------------------------------------------
def sealed(actor: Actor, type_: str, body: dict[str, Any], spoil: Callable[[list[Any]], list[Any]]
           ) -> dict[str, Any]:
    """A well-signed envelope whose disclosures `spoil` has changed on the way."""
    envelope = actor.sign(type_, body).to_dict()
    envelope["disclosures"] = spoil(envelope["disclosures"])
    return envelope


def ship_to_retailer(world: World, shipment: str) -> tuple[str, dict[str, Any]]:
    return "shipment.send", {"shipment": shipment, "to": world.retailer.org,
                             "items": [{"batch": "rice-1", "quantity": "1"}]}


SPOILED: dict[str, tuple[Callable[[list[Any]], list[Any]], int, str]] = {
    "value-changed": (lambda ds: [[ds[0][0], ds[0][1], "changed"], *ds[1:]], 400,
                      "disclosure-mismatch"),
    "one-dropped": (lambda ds: ds[:-1], 400, "disclosure-missing"),
    "salt-swapped": (lambda ds: [[ds[1][0], *ds[0][1:]], [ds[0][0], *ds[1][1:]], *ds[2:]], 400,
                     "disclosure-mismatch"),
    "one-extra": (lambda ds: [*ds, [ds[0][0], "note", "x"]], 400, "disclosure-mismatch"),
}


@pytest.mark.parametrize(("spoil", "status", "code"), SPOILED.values(), ids=SPOILED.keys())
def test_a_statement_whose_disclosures_do_not_match_is_refused(world: World, spoil: Any,
                                                               status: int, code: str) -> None:
    type_, body = ship_to_retailer(world, f"spoiled-{code}")
    before = world.log.size()
    resp = post_statements(world.client(), sealed(world.mill, type_, body, spoil))
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.get_json()["code"] == code
    assert world.log.size() == before


def test_a_confidential_field_left_public_is_refused(world: World) -> None:
    """Signed as a v2 statement, but with the quantity in the clear: the log would publish it."""
    body = {"shipment": "in-the-clear", "to": world.retailer.org,
            "items": [{"batch": "rice-1", "quantity": "1"}]}
    envelope = draft("shipment.send", world.mill.org, world.mill.key, body, confidential={"to"})
    assert_problem(post(world, envelope), 422, "confidential-field-public", field="body.items")


def test_an_envelope_with_an_attachment_no_rule_takes_is_refused(world: World) -> None:
    envelope = {**world.mill.note().to_dict(), "photos": ["x"]}
    assert_problem(post_statements(world.client(), envelope), 422, "unknown-field", field="photos")


def test_a_shipment_sent_over_http_is_disclosed_to_its_receiver_only(world: World) -> None:
    type_, body = ship_to_retailer(world, "over-http")
    resp = post(world, world.mill.sign(type_, body))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    seq = resp.get_json()["seq"]
    url = f"/v1/log/entries?start={seq}&end={seq + 1}"
    for who, sees in ((world.mill, True), (world.retailer, True), (world.regulator, True),
                      (world.distributor, False), (world.producer, False), (None, False)):
        [entry] = world.get(url, who).get_json()["entries"]
        assert ("disclosures" in entry) is sees
    assert "over-http" not in world.get(url).get_data(as_text=True)


def test_labels_travel_beside_their_statement_and_stay_out_of_the_log(world: World) -> None:
    gtin = world.get("/v1/products/wuchang-rice").get_json()["gtins"][0]
    serials = [f"HTTP{n:012d}" for n in range(3)]
    resp = post(world, issue(world.mill, "rice-1", gtin, "R2025A", "5", serials))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    seq = resp.get_json()["seq"]
    for who in (None, world.mill, world.regulator):
        text = world.get(f"/v1/log/entries?start={seq}&end={seq + 1}", who).get_data(as_text=True)
        assert not any(serial in text for serial in serials)


def test_a_third_party_receiving_a_guessed_shipment_learns_nothing(world: World) -> None:
    """Signing the receipt of someone else's shipment must not tell who it was addressed to,
    nor whether the id exists at all: both answers alike."""
    real = post(world, world.unrelated.sign("shipment.receive", {"shipment": "ship-3"}))
    made_up = post(world, world.unrelated.sign("shipment.receive", {"shipment": "ship-nope"}))
    assert world.distributor.org not in real.get_data(as_text=True)
    assert (real.status_code, real.get_json()["code"]) == (made_up.status_code,
                                                           made_up.get_json()["code"])
