"""Recalls that reach holders, read back on SQLite and PostgreSQL: who reads which holder
lines (a regulator all, a holder its own, the public the counts only), what a line says
(holding now, acknowledgement, what was withdrawn) and the recall of a batch made from the
recalled one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.service import Service
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import obtain_token
from tests.domain.protection import Protection
from tests.domain.world import World, recall, receive, ship, split
from tests.support import Actor

DIST_LINE = {"org": "dist", "batch": "A-1b", "holds": "200", "withdrawn": "150"}
COOP_LINE = {"org": "coop-a", "batch": "A-1a", "holds": "100", "acknowledged": None,
             "withdrawn": None}


@dataclass
class Recalls:
    """coop-a split A-1 into A-1a (100, kept) and A-1b (200, shipped to dist); the regulator
    recalled A-1; dist acknowledged, withdrawing 150. B-1 (coop-b) is not recalled."""

    client: FlaskClient
    tokens: dict[str, str]

    def get(self, url: str, who: str | None = None) -> Any:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        resp = self.client.get(url, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()


@pytest.fixture
def recalls(any_service: Service, regulator: Actor) -> Iterator[Recalls]:
    p = Protection(World(regulator=regulator))
    w = p.world
    any_service.log.append([*w.setup(), *p.setup()])
    any_service.log.append([split(w.coop_a, "A-1", [("A-1a", "100"), ("A-1b", "200")]),
                            ship(w.coop_a, "S-1", "dist", [("A-1b", "200")]),
                            receive(w.dist, "S-1"), recall(regulator, "A-1"),
                            p.ack(w.dist, batch="A-1b", withdrawn="150")])
    with serving(any_service.settings) as app:
        client = app.test_client()
        tokens = {a.org: obtain_token(client, a) for a in (regulator, w.coop_a, w.dist, w.coop_b)}
        yield Recalls(client, tokens)


def _lines(recall_: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The holder lines without their acknowledgement time (checked apart: set, or None)."""
    holders = recall_["holders"]
    if holders is None:
        return None
    return [{**line, "acknowledged": line["acknowledged"] and "set"} for line in holders]


@pytest.mark.parametrize(("who", "lines"), [
    (None, None),
    ("cnipa", [{**COOP_LINE}, {**DIST_LINE, "acknowledged": "set"}]),
    ("dist", [{**DIST_LINE, "acknowledged": "set"}]),
    ("coop-a", [{**COOP_LINE}]),
    ("coop-b", []),
], ids=["public-counts-only", "regulator-all", "holder-own-acknowledged", "holder-own-pending",
        "not-a-holder"])
def test_who_reads_which_holder_lines(recalls: Recalls, who: str | None,
                                      lines: list[dict[str, Any]] | None) -> None:
    page = recalls.get("/v1/recalls", who)
    assert page["next"] is None
    [one] = page["items"]
    assert (one["batch"], one["batches"], one["reason"], one["actor"]) == (
        "A-1", ["A-1", "A-1a", "A-1b"], "cadmium above limit", "cnipa")
    assert (one["lines"], one["acknowledged"]) == (2, 1)
    assert _lines(one) == lines


def test_the_public_reads_no_holder_nor_quantity(recalls: Recalls) -> None:
    text = recalls.client.get("/v1/recalls/A-1").get_data(as_text=True)
    assert "dist" not in text and "150" not in text and "coop-a" not in text


@pytest.mark.parametrize("batch", ["A-1", "A-1a", "A-1b"])
def test_a_recall_is_found_by_any_batch_it_reached(recalls: Recalls, batch: str) -> None:
    one = recalls.get(f"/v1/recalls/{batch}", "cnipa")
    assert (one["batch"], one["lines"], one["acknowledged"]) == ("A-1", 2, 1)


@pytest.mark.parametrize(("url", "status", "code", "field"), [
    ("/v1/recalls/B-1", 404, "not-found", None),
    ("/v1/recalls/no-such-batch", 404, "not-found", None),
    ("/v1/recalls?after=yesterday", 422, "bad-argument", "after"),
], ids=["not-recalled", "unknown-batch", "bad-cursor"])
def test_what_is_not_a_recall(recalls: Recalls, url: str, status: int, code: str,
                              field: str | None) -> None:
    assert_problem(recalls.client.get(url), status, code, field=field)
