"""GET /v1/epcis: EPCIS 2.0 JSON-LD over HTTP, under the role matrix of the batch reads.

The world (tests/api/reads/world.py): paddy-1 of wuchang-coop, split, milled into rice-1
at wuchang-mill, shipped to retailer-bj and (pending) hlj-distribution; other-1 of
other-coop, alone. The season (`add_season`) adds labels, a sale, a void and a rejection,
for the tests of what each caller may see of them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.reads.world import Season, World, add_season
from tests.epcis_schema import schema_errors

CALLERS = ("anonymous", "regulator", "producer-party", "retailer-party", "unrelated-producer")
ACTORS = {"anonymous": None, "regulator": "regulator", "producer-party": "producer",
          "retailer-party": "retailer", "unrelated-producer": "unrelated"}
EVER = "2000-01-01T00:00:00Z"

#       endpoint                                                      anon reg prod retail unrel
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "journey-rice": ("/v1/epcis/batches/rice-1", (401, 200, 200, 200, 403)),
    "journey-paddy": ("/v1/epcis/batches/paddy-1", (401, 200, 200, 403, 403)),
    "journey-other": ("/v1/epcis/batches/other-1", (401, 200, 403, 403, 200)),
    "journey-unknown": ("/v1/epcis/batches/nope", (401, 404, 404, 404, 404)),
    "events": (f"/v1/epcis/events?from={EVER}", (401, 200, 200, 200, 200)),
}
CASES = [(url, caller, statuses[i]) for url, statuses in MATRIX.values() for i, caller in enumerate(CALLERS)]
CASE_IDS = [f"{name}/{caller}" for name in MATRIX for caller in CALLERS]


def events(resp: Any) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/ld+json"
    document = resp.get_json(force=True)
    assert schema_errors(document) == []
    found: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    return found


def touched(found: list[dict[str, Any]]) -> set[str]:
    return {b for event in found for b in event["gitrace:batches"]}


@pytest.mark.parametrize(("url", "caller", "status"), CASES, ids=CASE_IDS)
def test_role_matrix(world: World, url: str, caller: str, status: int) -> None:
    actor = ACTORS[caller]
    resp = world.get(url, None if actor is None else getattr(world, actor))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status == 200:
        events(resp)  # a valid EPCIS document, as JSON-LD
    else:
        assert resp.mimetype == "application/problem+json"
    if status == 403:
        assert resp.get_json()["code"] == "not-a-party"


def test_the_regulator_sees_the_whole_lineage_of_a_batch(world: World) -> None:
    found = events(world.get("/v1/epcis/batches/rice-1", world.regulator))
    assert touched(found) >= {"paddy-1", "paddy-1a", "paddy-1b", "rice-1"}
    assert [e["gitrace:seq"] for e in found] == sorted(e["gitrace:seq"] for e in found)


def test_a_party_sees_only_the_statements_touching_its_batches(world: World) -> None:
    """retailer-bj may read rice-1's journey, but not the harvest of a paddy it never held."""
    found = events(world.get("/v1/epcis/batches/rice-1", world.retailer))
    assert "batch.register" not in {e["gitrace:statement"] for e in found}
    assert {"batch.process", "shipment.receive"} <= {e["gitrace:statement"] for e in found}


def test_a_producer_cannot_export_another_producers_batch(world: World) -> None:
    resp = world.get("/v1/epcis/batches/paddy-1", world.unrelated)
    assert resp.status_code == 403
    assert resp.get_json()["code"] == "not-a-party"
    assert touched(events(world.get(f"/v1/epcis/events?from={EVER}", world.unrelated))) == {"other-1"}


def test_pages_follow_the_link_header(world: World) -> None:
    everything = events(world.get(f"/v1/epcis/events?from={EVER}&limit=500", world.regulator))
    seen: list[dict[str, Any]] = []
    url: str | None = f"/v1/epcis/events?from={EVER}&limit=3"
    while url is not None:
        resp = world.get(url, world.regulator)
        page = events(resp)
        assert len(page) <= 3
        seen.extend(page)
        link = resp.headers.get("Link")
        url = link[1:link.index(">")] if link else None
        if url is not None:
            assert parse_qs(urlsplit(url).query)["after"] == [str(page[-1]["gitrace:seq"])]
    assert [e["eventID"] for e in seen] == [e["eventID"] for e in everything]
    assert len(everything) > 3


def test_a_period_in_the_past_is_empty(world: World) -> None:
    url = f"/v1/epcis/events?from={EVER}&to=2001-01-01T00:00:00%2B08:00"
    assert events(world.get(url, world.regulator)) == []


@pytest.mark.parametrize(("query", "field"), [
    ("", "from"),
    ("from=yesterday", "from"),
    ("from=2026-01-01T00:00:00", "from"),  # no time zone
    (f"from={EVER}&to={EVER}", "to"),
    (f"from={EVER}&limit=0", "limit"),
    (f"from={EVER}&limit=501", "limit"),
    (f"from={EVER}&after=-1", "after"),
    (f"from={EVER}&after=x", "after"),
    ("from=0001-01-01T00:00:01%2B00:01", "from"),  # in UTC, before year 1
    (f"from={EVER}&to=9999-12-31T23:59:59-00:01", "to"),  # in UTC, after year 9999
], ids=["no-from", "not-a-time", "naive-time", "empty-period", "limit-0", "limit-501", "after-negative",
        "after-not-a-number", "before-year-1-in-utc", "after-year-9999-in-utc"])
def test_bad_query_arguments_are_422_naming_the_field(world: World, query: str, field: str) -> None:
    resp = world.get(f"/v1/epcis/events?{query}", world.regulator)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["field"] == field


def test_documented_in_openapi(world: World) -> None:
    paths = world.get("/v1/openapi.json").get_json()["paths"]
    assert "application/ld+json" in paths["/v1/epcis/batches/{batch}"]["get"]["responses"]["200"]["content"]
    assert "/v1/epcis/events" in paths


# -- confidential values in EPCIS -----------------------------------------------------------
@pytest.fixture(scope="module")
def season(world: World) -> Season:
    return add_season(world)


def of_type(found: list[dict[str, Any]], statement: str) -> list[dict[str, Any]]:
    return [e for e in found if e["gitrace:statement"] == statement]


def quantities(event: dict[str, Any], key: str = "quantityList") -> list[Any]:
    return [q.get("quantity") for q in event.get(key, [])]


def test_the_regulator_exports_every_quantity_and_place(world: World, season: Season) -> None:
    found = events(world.get("/v1/epcis/batches/conf-rice", world.regulator))
    [harvest] = [e for e in of_type(found, "batch.register") if e["gitrace:batches"] == ["conf-1"]]
    assert quantities(harvest) == [7345.25]
    assert harvest["readPoint"] == {"id": "geo:44.9312345,127.1754321"}
    assert harvest["ilmd"]["gitrace:plot"] == "Qilin terrace 88"
    assert harvest["ilmd"]["gitrace:village"] == {"zh": "麒麟村", "en": "Qilin"}
    [milling] = of_type(found, "batch.process")
    assert (quantities(milling, "inputQuantityList"), quantities(milling, "outputQuantityList")) == (
        [4123.5], [2886.45])
    assert {e["gitrace:shipment"] for e in of_type(found, "shipment.send")} == set(season.shipments)


def test_a_buyer_exports_its_own_shipment_and_the_public_rest(world: World, season: Season) -> None:
    """retailer-bj bought conf-rice: its purchase in full; the milling as a public fact,
    without quantities; not the mill's sale to the distributor."""
    found = events(world.get("/v1/epcis/batches/conf-rice", world.retailer))
    assert {e["gitrace:shipment"] for e in found if "gitrace:shipment" in e} == {"consignment-7b2"}
    [bought] = of_type(found, "shipment.send")
    assert quantities(bought) == [1234.5]
    [milling] = of_type(found, "batch.process")
    assert quantities(milling, "inputQuantityList") == quantities(milling, "outputQuantityList") == [None]
    text = json.dumps(found)
    for secret in ("consignment-7c3", "321.25", "2886.45", "7345.25", "Qilin terrace", "damp"):
        assert secret not in text


def test_the_mill_exports_its_milling_but_not_the_growers_split(world: World, season: Season) -> None:
    found = events(world.get("/v1/epcis/batches/conf-rice", world.mill))
    [split] = of_type(found, "batch.split")
    assert quantities(split, "inputQuantityList") == [None]
    assert quantities(split, "outputQuantityList") == [None, None]
    [milling] = of_type(found, "batch.process")
    assert quantities(milling, "outputQuantityList") == [2886.45]
    assert of_type(found, "batch.register") == []  # conf-1 is the co-op's alone
    assert "Qilin terrace" not in json.dumps(found)


def test_labels_are_counted_never_listed_when_issued(world: World, season: Season) -> None:
    for who in (world.regulator, world.mill, world.retailer):
        [issued] = of_type(events(world.get("/v1/epcis/batches/conf-rice", who)), "label.issue")
        assert "epcList" not in issued
        assert quantities(issued) == [6]
        assert issued["ilmd"] == {"gitrace:lot": "CR2025Q", "gitrace:pack": "5"}


@pytest.mark.parametrize(("who", "sees"), [("regulator", {"label.sell", "label.void"}),
                                           ("mill", {"label.sell", "label.void"}),
                                           ("retailer", {"label.sell"}),
                                           ("producer", set()), ("distributor", set())])
def test_a_sale_or_a_void_is_exported_to_its_parties_only(world: World, season: Season, who: str,
                                                          sees: set[str]) -> None:
    found = events(world.get(f"/v1/epcis/events?from={EVER}&limit=500", getattr(world, who)))
    seen = {e["gitrace:statement"] for e in found} & {"label.sell", "label.void"}
    assert seen == sees
    epcs = {epc for e in found for epc in e.get("epcList", [])}
    serials = {season.sold} if "label.sell" in sees else set()
    serials |= {season.voided} if "label.void" in sees else set()
    assert {s for s in season.serials if any(epc.endswith("." + s) for epc in epcs)} == serials
