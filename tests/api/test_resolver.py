"""The GS1 resolver over HTTP: the description file, linksets, product and lot pages, redirects,
and malformed Digital Links that answer 400 or 404, never 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.labels.resolver import LINKSET_TYPE, PIP, TRACEABILITY, VERIFICATION
from tests.api.helpers import PROBLEM
from tests.api.reads.world import PADDY, RICE, World

GTIN = PADDY["gtins"][0]  # 14 digits with a leading zero: also a GTIN-13
BASE = "https://gi.example"
SERIAL = "7KQ3M9XG2HT4PZ8N"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def world(world: World) -> World:
    """The module's world, with one label of other-coop's batch other-1 (lot X2025)."""
    world.issue_other_label(GTIN, SERIAL)
    return world


@pytest.fixture
def client(world: World) -> FlaskClient:
    return world.client()


def get_json(client: FlaskClient, path: str, **headers: str) -> dict[str, Any]:
    resp = client.get(path, headers={**JSON, **headers})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body: dict[str, Any] = resp.get_json()
    return body


# -- the description -------------------------------------------------------------------------
def test_the_description_file_is_served_at_the_well_known_place(client: FlaskClient) -> None:
    resp = client.get("/.well-known/gs1resolver")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["resolverRoot"] == BASE
    assert body["supportedPrimaryKeys"] == ["01"]
    assert {"namespace": "https://gs1.org/voc/", "prefix": "gs1:"} in body["supportedLinkType"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


# -- linksets --------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "headers"), [
    (f"/01/{GTIN}?linkType=all", {}),
    (f"/01/{GTIN}?linkType=linkset", {"Accept": "text/html"}),
    (f"/01/{GTIN}", {"Accept": LINKSET_TYPE}),
], ids=["all", "linkset", "accept"])
def test_a_product_answers_its_linkset(client: FlaskClient, path: str, headers: dict[str, str]) -> None:
    resp = client.get(path, headers=headers)
    assert resp.status_code == 200
    assert resp.mimetype == LINKSET_TYPE
    (entry,) = resp.get_json()["linkset"]
    assert entry["anchor"] == f"{BASE}/01/{GTIN}"
    for relation in (PIP, VERIFICATION, TRACEABILITY):
        assert entry[relation] and all(t["href"].startswith(BASE) for t in entry[relation])


def test_a_lots_linkset_leads_to_the_journey_of_its_first_batch(client: FlaskClient) -> None:
    resp = client.get(f"/01/{GTIN}/10/L2025A?linkType=all")
    (entry,) = resp.get_json()["linkset"]
    assert entry["anchor"] == f"{BASE}/01/{GTIN}/10/L2025A"
    assert entry[TRACEABILITY][0]["href"] == f"{BASE}/v1/epcis/batches/paddy-1"


def test_every_answer_links_its_linkset(client: FlaskClient) -> None:
    resp = client.get(f"/01/{GTIN}/10/L2025A")
    assert resp.headers["Link"] == (f'<{BASE}/01/{GTIN}/10/L2025A?linkType=linkset>; rel="linkset"; '
                                    f'type="{LINKSET_TYPE}"')
    assert "Link" in resp.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(("link_type", "location"), [
    ("gs1:traceability", f"{BASE}/v1/epcis/batches/paddy-1"),
    ("https://gs1.org/voc/pip", f"{BASE}/01/{GTIN}/10/L2025A"),
    ("gs1:verificationService", f"{BASE}/01/{GTIN}/10/L2025A"),
])
def test_a_link_type_redirects_to_its_target(client: FlaskClient, link_type: str, location: str) -> None:
    resp = client.get(f"/01/{GTIN}/10/L2025A", query_string={"linkType": link_type})
    assert resp.status_code == 307
    assert resp.headers["Location"] == location


def test_a_link_type_the_resolver_lacks_answers_the_default_page(client: FlaskClient) -> None:
    resp = client.get(f"/01/{GTIN}?linkType=gs1:recipeInfo")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"


# -- the product page ------------------------------------------------------------------------
def test_the_product_page_in_chinese_by_default_and_english_on_request(client: FlaskClient) -> None:
    zh = client.get(f"/01/{GTIN}").get_data(as_text=True)
    assert "五常稻谷" in zh and "黑龙江省五常市" in zh and "五常市稻花香合作社" in zh
    en = client.get(f"/01/{GTIN}", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Wuchang paddy" in en and "Wuchang Daohuaxiang Co-op" in en and "Suspended" in en
    asked = client.get(f"/01/{GTIN}?lang=en", headers={"Accept-Language": "zh"})
    assert "Wuchang paddy" in asked.get_data(as_text=True)
    assert "lang=en" in asked.headers["Set-Cookie"]
    remembered = client.get(f"/01/{GTIN}", headers={"Accept-Language": "zh"})
    assert "Wuchang paddy" in remembered.get_data(as_text=True)


def test_the_product_as_json(client: FlaskClient) -> None:
    body = get_json(client, f"/01/{GTIN}")
    assert body["gtin"] == GTIN
    assert body["product"]["name"] == PADDY["name"]
    assert body["product"]["region"]["name"] == PADDY["region"]["name"]
    producers = {p["org"]: p for p in body["producers"]}
    assert producers["wuchang-coop"]["years"] == [2025, 2026]
    assert producers["lazy-coop"]["suspended"] is True


@pytest.mark.parametrize("path", [f"/01/{GTIN[1:]}", f"/gtin/{GTIN}", f"/gtin/{GTIN[1:]}/",
                                  f"/01/{GTIN}/"])
def test_a_short_gtin_the_alias_and_a_trailing_slash_are_the_same_product(client: FlaskClient,
                                                                          path: str) -> None:
    assert get_json(client, path) == get_json(client, f"/01/{GTIN}")


# -- the lot page ----------------------------------------------------------------------------
def test_the_lot_page_says_it_was_recalled_and_why(client: FlaskClient) -> None:
    resp = client.get(f"/01/{GTIN}/10/L2025A?lang=en")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-recalled="true"' in page and "moisture above 15.5%" in page
    assert "Wuchang Daohuaxiang Co-op" in page and "2025-10-01" in page


def test_the_lot_as_json_holds_public_facts_only(client: FlaskClient) -> None:
    body = get_json(client, f"/01/{GTIN}/10/L2025A")
    assert (body["lot"], body["recalled"], body["batch"]) == ("L2025A", True, "paddy-1")
    assert body["origins"] == [{
        "producer": "wuchang-coop", "producer_name": {"zh": "五常市稻花香合作社",
                                                      "en": "Wuchang Daohuaxiang Co-op"},
        "harvested": ["2025-10-01"], "recalled": True, "recall_reasons": ["moisture above 15.5%"]}]
    text = str(body)
    for secret in ("5000", "3000", "wuchang-mill", "retailer-bj", "Longfeng", "44.93"):
        assert secret not in text  # quantities, holders, buyers and the plot stay with the parties


def test_a_milled_lot_shows_the_harvest_date_of_its_paddy(client: FlaskClient) -> None:
    rice_gtin = RICE["gtins"][0]
    body = get_json(client, f"/01/{rice_gtin}/10/R2025A")
    assert [o["harvested"] for o in body["origins"]] == [["2025-10-01"]]
    assert "2025-10-01" in client.get(f"/01/{rice_gtin}/10/R2025A?lang=en").get_data(as_text=True)


def test_a_lot_not_recalled(client: FlaskClient) -> None:
    body = get_json(client, f"/01/{GTIN}/10/X2025")
    assert (body["recalled"], body["origins"][0]["producer"]) == (False, "other-coop")
    assert 'data-recalled="false"' in client.get(f"/01/{GTIN}/10/X2025").get_data(as_text=True)


# -- unknown and malformed -------------------------------------------------------------------
UNKNOWN_GTIN = "00000000000017"  # a valid check digit, no product


@pytest.mark.parametrize("path", [f"/01/{UNKNOWN_GTIN}", f"/01/{GTIN}/10/NOSUCHLOT",
                                  f"/01/{UNKNOWN_GTIN}/10/L2025A", f"/01/{GTIN}/10/%2F..%2F",
                                  f"/01/{GTIN}/21/{SERIAL}", f"/01/{UNKNOWN_GTIN}?linkType=all"])
def test_unknown_products_and_lots_are_404(client: FlaskClient, path: str) -> None:
    resp = client.get(path, headers=JSON)
    assert resp.status_code == 404, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    html = client.get(path, headers={"Accept": "text/html"})
    assert (html.status_code, html.mimetype) == (404, "text/html")


MALFORMED = {
    "wrong-check-digit": f"/01/{GTIN[:-1]}5",
    "too-short": "/01/123",
    "letters": "/01/0690000000001X",
    "percent-junk": "/01/%ZZ%",
    "percent-nul": "/01/%00%01",
    "percent-utf8-lot": f"/01/{GTIN}/10/%F0%9F%98%80",
    "over-long-lot": f"/01/{GTIN}/10/{'L' * 21}",
    "space-in-lot": f"/01/{GTIN}/10/L%202025",
    "serial-before-lot": f"/01/{GTIN}/21/{SERIAL}/10/X2025",
    "lot-twice": f"/01/{GTIN}/10/A/10/B",
    "unknown-qualifier": f"/01/{GTIN}/22/X",
    "odd-pairs": f"/01/{GTIN}/10",
    "after-serial": f"/01/{GTIN}/10/X2025/21/{SERIAL}/99/x",
    "huge-gtin": "/01/" + "9" * 3000,  # under the 4,000-byte URI limit (its 414: test_uri_limit)
    "sscc-in-gtin": "/01/00/123456789012345675",
}


@pytest.mark.parametrize("path", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_malformed_links_are_400_never_500(client: FlaskClient, path: str, accept: str) -> None:
    resp = client.get(path, headers={"Accept": accept})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    if accept == "application/json":
        assert resp.mimetype == PROBLEM
        assert resp.get_json()["code"] == "bad-digital-link"


@pytest.mark.parametrize("path", [
    f"/gtin/{GTIN[1:]}/10/X2025/21/{SERIAL}",
    f"/01/{GTIN}/10/A%2FB/21/{SERIAL}",
    f"/01/{GTIN}/10/X2025/21/{SERIAL}/",
], ids=["alias", "escaped-slash-in-lot", "trailing-slash"])
def test_labels_that_miss_the_verdict_route_still_get_a_verdict(client: FlaskClient, path: str) -> None:
    body = get_json(client, path)
    assert body["verdict"] in ("GENUINE", "WARNING", "INVALID")
    assert body["link"]["gtin"] == GTIN


def test_a_label_found_through_the_alias_is_the_same_label(client: FlaskClient) -> None:
    body = get_json(client, f"/gtin/{GTIN[1:]}/10/X2025/21/{SERIAL}")
    assert body["link"]["serial"] == SERIAL
    assert body["link"]["lot"] == "X2025"
