"""Who may read what: every read endpoint against every kind of caller, and within the answers,
which confidential values and which disclosures each caller sees.

Callers: anonymous; the regulator; wuchang-coop (producer, party to the paddy and,
as its producer, the rice); retailer-bj (party to the rice only); other-coop (a
producer party to none of these).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.reads.world import World

CALLERS = ("anonymous", "regulator", "producer-party", "retailer-party", "unrelated-producer")
ACTORS = {"anonymous": None, "regulator": "regulator", "producer-party": "producer",
          "retailer-party": "retailer", "unrelated-producer": "unrelated"}
PUBLIC = (200, 200, 200, 200, 200)

#       endpoint                                    anon reg prod retail unrel
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "products": ("/v1/products", PUBLIC),
    "product": ("/v1/products/wuchang-rice", PUBLIC),
    "product-unknown": ("/v1/products/nope", (404, 404, 404, 404, 404)),
    "orgs": ("/v1/orgs", PUBLIC),
    "org": ("/v1/orgs/retailer-bj", PUBLIC),
    "approvals": ("/v1/approvals?producer=wuchang-coop", PUBLIC),
    "batches": ("/v1/batches", (401, 200, 200, 200, 200)),
    "batch-rice": ("/v1/batches/rice-1", (401, 200, 200, 200, 403)),
    "batch-paddy": ("/v1/batches/paddy-1", (401, 200, 200, 403, 403)),
    "batch-other": ("/v1/batches/other-1", (401, 200, 403, 403, 200)),
    "batch-unknown": ("/v1/batches/nope", (401, 404, 404, 404, 404)),
    "holdings-producer": ("/v1/orgs/wuchang-coop/holdings", (401, 200, 200, 403, 403)),
    "holdings-retailer": ("/v1/orgs/retailer-bj/holdings", (401, 200, 403, 200, 403)),
    "holdings-unknown": ("/v1/orgs/nope/holdings", (401, 404, 404, 404, 404)),
    "inbox-producer": ("/v1/orgs/wuchang-coop/inbox", (401, 200, 200, 403, 403)),
    "inbox-retailer": ("/v1/orgs/retailer-bj/inbox", (401, 200, 403, 200, 403)),
    "shipments-producer": ("/v1/orgs/wuchang-coop/shipments", (401, 200, 200, 403, 403)),
    "shipments-retailer": ("/v1/orgs/retailer-bj/shipments?direction=in", (401, 200, 403, 200, 403)),
    "shipments-unknown": ("/v1/orgs/nope/shipments", (401, 404, 404, 404, 404)),
}
CASES = [(url, caller, statuses[i]) for url, statuses in MATRIX.values() for i, caller in enumerate(CALLERS)]
CASE_IDS = [f"{name}/{caller}" for name in MATRIX for caller in CALLERS]
CODES = {401: "unauthenticated", 404: "not-found"}


@pytest.mark.parametrize(("url", "caller", "status"), CASES, ids=CASE_IDS)
def test_role_matrix(world: World, url: str, caller: str, status: int) -> None:
    actor = ACTORS[caller]
    resp = world.get(url, None if actor is None else getattr(world, actor))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status >= 400:
        assert resp.mimetype == "application/problem+json"
        expected = CODES.get(status) or ("not-a-party" if url.startswith("/v1/batches/")
                                         else "not-authorized")
        assert resp.get_json()["code"] == expected
    if status == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


# -- confidential values: who sees which ------------------------------------------------------
# Callers who are parties in different ways: the mill made rice-1 and sold it to the retailer
# (received) and to the distributor (pending).
SEERS = ("anonymous", "regulator", "producer", "mill", "retailer", "distributor", "unrelated")
NO = "refused"  # the read itself is refused (401, 403); None: the answer leaves the value out


def _holders(body: dict[str, Any]) -> list[str]:
    return [h["org"] for h in body["holdings"]]


def _shipments(body: dict[str, Any]) -> list[str]:
    return [s["shipment"] for s in body["shipments"]]


def _used(body: dict[str, Any]) -> bool:
    [approval] = body["items"]
    return "used" in approval and "remaining" in approval


#       what                 url, what of the answer             anon reg   prod  mill  retail dist  unrel
VALUES: dict[str, tuple[str, Callable[[dict[str, Any]], Any], tuple[Any, ...]]] = {
    "rice-1-made": ("/v1/batches/rice-1", lambda b: b.get("quantity"),
                    (NO, "2000", None, "2000", None, None, NO)),
    "paddy-1-harvest": ("/v1/batches/paddy-1", lambda b: b.get("quantity"),
                        (NO, "5000", "5000", NO, NO, NO, NO)),
    "paddy-1-plot": ("/v1/batches/paddy-1", lambda b: "origin" in b,
                     (NO, True, True, NO, NO, NO, NO)),
    "milled-from": ("/v1/batches/rice-1", lambda b: b["ancestors"][0].get("quantity"),
                    (NO, "3000", None, "3000", None, None, NO)),
    "rice-1-holders": ("/v1/batches/rice-1", _holders,
                       (NO, ["retailer-bj", "wuchang-mill"], [], ["wuchang-mill"], ["retailer-bj"],
                        [], NO)),
    "rice-1-shipments": ("/v1/batches/rice-1", _shipments,
                         (NO, ["ship-2", "ship-3"], [], ["ship-2", "ship-3"], ["ship-2"],
                          ["ship-3"], NO)),
    "quota-used": ("/v1/approvals?producer=wuchang-coop&year=2025", _used,
                   (False, True, True, False, False, False, False)),
}
VALUE_CASES = [(url, pick, expected[i], who) for url, pick, expected in VALUES.values()
               for i, who in enumerate(SEERS)]
VALUE_IDS = [f"{name}/{who}" for name in VALUES for who in SEERS]


@pytest.mark.parametrize(("url", "pick", "expected", "who"), VALUE_CASES, ids=VALUE_IDS)
def test_who_sees_which_confidential_value(world: World, url: str,
                                           pick: Callable[[dict[str, Any]], Any],
                                           expected: Any, who: str) -> None:
    resp = world.get(url, None if who == "anonymous" else getattr(world, who))
    if expected is NO:
        assert resp.status_code in (401, 403), resp.get_data(as_text=True)
        return
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert pick(resp.get_json()) == expected


#        record of the log, found by its type and what it says   anon   reg  prod  mill  retail dist unrel
DISCLOSED: dict[str, tuple[str, Callable[[dict[str, Any]], bool], tuple[bool, ...]]] = {
    "harvest": ("batch.register", lambda b: b["batch"] == "paddy-1",
                (False, True, True, False, False, False, False)),
    "split": ("batch.split", lambda b: b["from"] == "paddy-1",
              (False, True, True, False, False, False, False)),
    "ship-1": ("shipment.send", lambda b: b["shipment"] == "ship-1",
               (False, True, True, True, False, False, False)),
    "ship-1-received": ("shipment.receive", lambda b: b["shipment"] == "ship-1",
                        (False, True, True, True, False, False, False)),
    "milling": ("batch.process", lambda b: b["output"]["batch"] == "rice-1",
                (False, True, False, True, False, False, False)),
    "ship-2": ("shipment.send", lambda b: b["shipment"] == "ship-2",
               (False, True, False, True, True, False, False)),
    "ship-2-received": ("shipment.receive", lambda b: b["shipment"] == "ship-2",
                        (False, True, False, True, True, False, False)),
    "ship-3": ("shipment.send", lambda b: b["shipment"] == "ship-3",
               (False, True, False, True, False, True, False)),
    "other-harvest": ("batch.register", lambda b: b["batch"] == "other-1",
                      (False, True, False, False, False, False, True)),
}
DISCLOSED_CASES = [(type_, find, expected[i], who) for type_, find, expected in DISCLOSED.values()
                   for i, who in enumerate(SEERS)]
DISCLOSED_IDS = [f"{name}/{who}" for name in DISCLOSED for who in SEERS]


def _entries(world: World, who: str) -> dict[int, dict[str, Any]]:
    actor = None if who == "anonymous" else getattr(world, who)
    body = world.get(f"/v1/log/entries?end={world.log.size()}", actor).get_json()
    return {entry["seq"]: entry for entry in body["entries"]}


@pytest.mark.parametrize(("type_", "find", "expected", "who"), DISCLOSED_CASES, ids=DISCLOSED_IDS)
def test_who_reads_which_disclosures(world: World, type_: str, find: Callable[[dict[str, Any]], bool],
                                     expected: bool, who: str) -> None:
    """Read by the actor, the orgs the statement names, and regulators; by no one else."""
    everything = _entries(world, "regulator")
    [seq] = [seq for seq, entry in everything.items() if entry["statement"]["type"] == type_
             and find({**entry["statement"]["body"],
                       **{name: value for _, name, value in entry.get("disclosures", [])}})]
    assert ("disclosures" in _entries(world, who)[seq]) is expected
