"""The resolver's documents without HTTP: the description file and RFC 9264 linksets."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from gi_trace.labels.digital_link import DigitalLink, parse
from gi_trace.labels.resolver import (
    DEFAULT_LINK,
    PIP,
    TRACEABILITY,
    VERIFICATION,
    description,
    linkset,
    redirect_for,
)

BASE = "https://gi.example"
GTIN = "09780345418913"
LABEL = parse(f"{BASE}/01/{GTIN}/10/L1/21/SER1?s=c2ln")
LOT = DigitalLink(gtin=GTIN, lot="L1")
PRODUCT = DigitalLink(gtin=GTIN)

# RFC 9264 §4.2: {"linkset": [{"anchor": URI, <relation>: [{"href": URI, target attributes}]}]};
# plus what GS1's linkset schema asks of each target (title, type, hreflang as a list).
TARGET = {"type": "object", "required": ["href", "title", "type", "hreflang"], "properties": {
    "href": {"type": "string", "pattern": "^https?://"},
    "title": {"type": "string", "minLength": 1},
    "type": {"type": "string", "pattern": "^[a-z]+/[a-z0-9.+-]+$"},
    "hreflang": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "title*": {"type": "array", "items": {"type": "object", "required": ["value", "language"]}}}}
LINKSET_SCHEMA = {"type": "object", "required": ["linkset"], "additionalProperties": False,
                  "properties": {"linkset": {"type": "array", "minItems": 1, "items": {
                      "type": "object", "required": ["anchor"],
                      "properties": {"anchor": {"type": "string", "pattern": "^https?://"}},
                      "patternProperties": {"^https?://": {"type": "array", "minItems": 1,
                                                           "items": TARGET}},
                      "additionalProperties": False}}}}
# GS1's description-file schema: the primary keys it lists, and a CURIE prefix ending in ':'.
GS1_PRIMARY_KEYS = {"all", "01", "8006", "8013", "8010", "410", "411", "412", "413", "414", "415",
                    "417", "8017", "8018", "255", "00", "253", "401", "402", "8003", "8004"}


def entry(document: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(document, LINKSET_SCHEMA)
    (only,) = document["linkset"]
    found: dict[str, Any] = only
    return found


def test_the_description_says_what_gs1s_schema_asks() -> None:
    doc = description(BASE + "/")
    assert doc["resolverRoot"] == BASE
    assert doc["name"]
    assert set(doc["supportedPrimaryKeys"]) <= GS1_PRIMARY_KEYS
    assert doc["supportedPrimaryKeys"] == ["01"]
    assert doc["linkTypeDefaultCanBeLinkset"] is False
    for link_type in doc["supportedLinkType"]:
        assert re.fullmatch(r"[a-zA-Z_][A-Za-z0-9_-]*?:", link_type["prefix"])
        assert link_type["namespace"].startswith("https://")
    assert {"namespace": "https://gs1.org/voc/", "prefix": "gs1:"} in doc["supportedLinkType"]


def test_a_labels_linkset_points_to_the_verdict_page_json_and_journey() -> None:
    found = entry(linkset(LABEL, BASE, batch="paddy-1"))
    assert found["anchor"] == f"{BASE}/01/{GTIN}/10/L1/21/SER1"  # the item, without `s`
    page = f"{BASE}/01/{GTIN}/10/L1/21/SER1?s=c2ln"
    assert [(t["href"], t["type"]) for t in found[PIP]] == [(page, "text/html")]
    assert [(t["href"], t["type"]) for t in found[VERIFICATION]] == [(page, "application/json")]
    assert [(t["href"], t["type"]) for t in found[TRACEABILITY]] == [
        (f"{BASE}/v1/epcis/batches/paddy-1", "application/ld+json"),
        (f"{BASE}/v1/batches/paddy-1", "application/json")]
    assert found[DEFAULT_LINK] == found[PIP]
    assert all(t["hreflang"] == ["zh", "en"] for targets in found.values() if isinstance(targets, list)
               for t in targets)


def test_a_lots_linkset_points_to_the_lot_page() -> None:
    found = entry(linkset(LOT, BASE, product="wuchang-paddy", batch="paddy-1"))
    assert found["anchor"] == f"{BASE}/01/{GTIN}/10/L1"
    assert found[PIP][0]["href"] == found["anchor"]
    assert found[TRACEABILITY][0]["href"] == f"{BASE}/v1/epcis/batches/paddy-1"


def test_a_products_linkset_lists_its_batches_for_traceability() -> None:
    found = entry(linkset(PRODUCT, BASE, product="wuchang-paddy"))
    assert found["anchor"] == found[PIP][0]["href"] == f"{BASE}/01/{GTIN}"
    assert found[TRACEABILITY][0]["href"] == f"{BASE}/v1/batches?product=wuchang-paddy"


def test_without_a_batch_or_product_there_is_no_traceability_link() -> None:
    assert TRACEABILITY not in entry(linkset(LABEL, BASE))


def test_a_short_gtin_gets_the_canonical_anchor() -> None:
    assert entry(linkset(parse("/gtin/9780345418913"), BASE))["anchor"] == f"{BASE}/01/{GTIN}"


@pytest.mark.parametrize("link_type", ["gs1:pip", "https://gs1.org/voc/pip", "http://gs1.org/voc/pip",
                                       "https://ref.gs1.org/voc/pip", "gs1:defaultLink"])
def test_every_spelling_of_a_link_type_redirects_alike(link_type: str) -> None:
    assert redirect_for(LABEL, link_type, BASE) == f"{BASE}/01/{GTIN}/10/L1/21/SER1?s=c2ln"


def test_traceability_redirects_to_the_epcis_journey() -> None:
    assert redirect_for(LOT, "gs1:traceability", BASE, batch="b-1") == f"{BASE}/v1/epcis/batches/b-1"


@pytest.mark.parametrize("link_type", ["all", "linkset", "gs1:recipeInfo", "schema:url", "gs1:",
                                       "pip", ""])
def test_no_redirect_for_the_linkset_or_what_the_resolver_lacks(link_type: str) -> None:
    assert redirect_for(LABEL, link_type, BASE, batch="b-1") is None
