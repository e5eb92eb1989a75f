"""Who may act, over HTTP as the dashboard and the desk do: a retailer cannot approve, suspend
or recall; a regulator's action signed with a revoked key is refused, and that key's token
stops reading at once. (Who may read what: tests/api/reads/test_role_matrix.py, test_oversight.py
and test_deliveries.py.)
"""

from __future__ import annotations

from typing import Any

import pytest

from gi_trace.ledger.statement import Envelope
from tests.api.helpers import assert_problem, post_statements
from tests.api.reads.world import YEAR, World, obtain_token
from tests.support import Actor

APPROVE = ("producer.approve", {"product": "wuchang-paddy", "producer": "other-coop", "year": YEAR + 1,
                                "quota": "100"})
SUSPEND = ("producer.suspend", {"product": "wuchang-paddy", "producer": "other-coop", "reason": "audit"})
RECALL = ("batch.recall", {"batch": "rice-1", "reason": "a rumour"})


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
