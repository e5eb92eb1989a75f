"""GET /v1/listings and /v1/listings/{check} on SQLite and PostgreSQL: who reads which listings,
the codes to their readers only, the verdicts judged as read, and a platform's daily sweep of
1,000 listing checks in one POST /v1/statements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.service import Service
from tests.api.helpers import assert_problem, post_statements, serving
from tests.api.reads.world import obtain_token
from tests.domain.world import PADDY, org_register, suspend
from tests.labels.listings_world import NOBODY, SELLER, Sellers
from tests.support import Actor


class Reading:
    def __init__(self, sellers: Sellers, client: FlaskClient) -> None:
        self.sellers, self.client = sellers, client
        self.tokens: dict[str, str] = {}
        self.other_platform = Actor("mall-2")
        sellers.append(org_register(sellers.loop.world.regulator, self.other_platform, ["platform"],
                                    region="330106"))

    def get(self, url: str, actor: Actor | None, **query: Any) -> Any:
        headers = {}
        if actor is not None:
            if actor.org not in self.tokens:
                self.tokens[actor.org] = obtain_token(self.client, actor)
            headers["Authorization"] = f"Bearer {self.tokens[actor.org]}"
        return self.client.get(url, headers=headers, query_string=query)

    def ok(self, url: str, actor: Actor, **query: Any) -> Any:
        resp = self.get(url, actor, **query)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()


@pytest.fixture
def reading(any_service: Service, regulator: Actor) -> Iterator[Reading]:
    sellers = Sellers(any_service, regulator)
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(0)])
    sellers.listed("L-2", seller_uscc=NOBODY)
    with serving(any_service.settings) as app:
        yield Reading(sellers, app.test_client())


def test_a_platform_reads_its_listing_with_codes_and_verdict(reading: Reading) -> None:
    mall = reading.sellers.loop.mall
    listing = reading.ok("/v1/listings/L-1", mall)
    assert listing["verdict"] == "ok" and listing["reasons"] == []
    assert listing["codes"] == [reading.sellers.code(0)] and listing["seller_uscc"] == SELLER
    other = reading.ok("/v1/listings/L-2", mall)
    assert other["verdict"] == "infringing"
    assert [r["code"] for r in other["reasons"]] == ["seller-not-approved"]


def test_the_verdict_follows_the_log(reading: Reading) -> None:
    reading.sellers.append(suspend(reading.sellers.loop.world.regulator, PADDY, "coop-q"))
    listing = reading.ok("/v1/listings/L-1", reading.sellers.loop.mall)
    assert [r["code"] for r in listing["reasons"]] == ["approval-suspended"]


def test_regulators_and_associations_read_every_platform_codes_to_readers_only(
        reading: Reading) -> None:
    loop = reading.sellers.loop
    by_regulator = reading.ok("/v1/listings", loop.hlj)["items"]
    by_association = reading.ok("/v1/listings", loop.assoc, platform="mall")["items"]
    assert [i["check"] for i in by_regulator] == [i["check"] for i in by_association] == ["L-1", "L-2"]
    assert by_regulator[0]["codes"] == [reading.sellers.code(0)]
    assert "codes" not in by_association[0]  # the association is no reader of the check
    assert by_association[0]["verdict"] == by_regulator[0]["verdict"] == "ok"


FORBIDDEN = [
    pytest.param("/v1/listings/L-1", {}, id="another-platforms-listing"),
    pytest.param("/v1/listings", {"platform": "mall"}, id="another-platforms-list"),
]


@pytest.mark.parametrize(("url", "query"), FORBIDDEN)
def test_a_platform_reads_no_other_platforms_listings(reading: Reading, url: str,
                                                      query: dict[str, str]) -> None:
    assert_problem(reading.get(url, reading.other_platform, **query), 403, "not-your-listings")


def test_a_platform_lists_its_own_by_default(reading: Reading) -> None:
    assert reading.ok("/v1/listings", reading.other_platform)["items"] == []
    mine = reading.ok("/v1/listings", reading.sellers.loop.mall)["items"]
    assert [i["check"] for i in mine] == ["L-1", "L-2"]


def test_an_org_neither_platform_nor_regulator_reads_none(reading: Reading) -> None:
    assert_problem(reading.get("/v1/listings", reading.sellers.coop), 403, "not-your-listings")


def test_anonymous_and_unknown(reading: Reading) -> None:
    assert reading.get("/v1/listings", None).status_code == 401
    assert reading.get("/v1/listings/L-1", None).status_code == 401
    assert reading.get("/v1/listings/L-9", reading.sellers.loop.hlj).status_code == 404


BAD_ARGS = [pytest.param({"since": "yesterday"}, "since", id="since"),
            pytest.param({"after": "L-1"}, "after", id="after"),
            pytest.param({"platform": "no way"}, "platform", id="platform")]


@pytest.mark.parametrize(("query", "field"), BAD_ARGS)
def test_bad_arguments_are_named(reading: Reading, query: dict[str, str], field: str) -> None:
    assert_problem(reading.get("/v1/listings", reading.sellers.loop.hlj, **query), 422,
                   "bad-argument", field=field)


def test_pages_and_since(reading: Reading) -> None:
    hlj = reading.sellers.loop.hlj
    first = reading.ok("/v1/listings", hlj, limit=1)
    assert [i["check"] for i in first["items"]] == ["L-1"]
    rest = reading.ok("/v1/listings", hlj, limit=1, after=first["next"])
    assert [i["check"] for i in rest["items"]] == ["L-2"] and rest["next"] is None
    assert reading.ok("/v1/listings", hlj, since="2999-01-01T00:00:00Z")["items"] == []


SWEEP = 1000  # the most one POST /v1/statements takes


def test_a_daily_sweep_of_a_thousand_checks(reading: Reading) -> None:
    mall = reading.sellers.loop.mall
    checks = [reading.sellers.loop.check(f"S-{n:04d}", seller_uscc=SELLER if n % 2 else NOBODY)
              for n in range(SWEEP)]
    resp = post_statements(reading.client, [e.to_dict() for e in checks])
    assert resp.status_code == 201, resp.get_data(as_text=True)
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = reading.ok("/v1/listings", mall, limit=500, **({"after": after} if after else {}))
        found += page["items"]
        after = page["next"]
        if after is None:
            break
    swept = [i for i in found if i["check"].startswith("S-")]
    assert len(swept) == SWEEP
    assert sum(i["verdict"] == "ok" for i in swept) == SWEEP // 2
