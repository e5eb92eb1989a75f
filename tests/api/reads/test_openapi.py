"""The OpenAPI document describes the reads, their protection and the auth protocol."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.reads.world import World

PROTECTED = ["/v1/batches", "/v1/batches/{batch}", "/v1/orgs/{org}/holdings", "/v1/orgs/{org}/inbox",
             "/v1/orgs/{org}/shipments"]
PUBLIC = ["/v1/products", "/v1/products/{product}", "/v1/orgs", "/v1/orgs/{org}"]
# Public, and a bearer token shows the caller more: its own quota used, its disclosures.
PUBLIC_OR_TOKEN = ["/v1/approvals", "/v1/log/entries"]


@pytest.fixture(scope="module")
def document(world: World) -> dict[str, Any]:
    doc: dict[str, Any] = world.get("/v1/openapi.json").get_json()
    return doc


@pytest.mark.parametrize("path", PROTECTED)
def test_protected_reads_need_a_bearer_token(document: dict[str, Any], path: str) -> None:
    get = document["paths"][path]["get"]
    assert get["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403"} <= set(get["responses"])


@pytest.mark.parametrize("path", PUBLIC)
def test_public_reads_need_nothing(document: dict[str, Any], path: str) -> None:
    assert "security" not in document["paths"][path]["get"]


@pytest.mark.parametrize("path", PUBLIC_OR_TOKEN)
def test_reads_that_a_token_shows_more_of(document: dict[str, Any], path: str) -> None:
    get = document["paths"][path]["get"]
    assert get["security"] == [{}, {"bearerAuth": []}]
    assert "401" in get["responses"]


def test_lists_document_their_paging(document: dict[str, Any]) -> None:
    for path in ("/v1/products", "/v1/orgs", "/v1/approvals", "/v1/batches", "/v1/orgs/{org}/inbox"):
        names = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
        assert {"limit", "after"} <= names, path


def test_the_protocol_is_documented(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "gi-trace/v1/auth\\n" in scheme["description"]
    assert {"/v1/auth/challenge", "/v1/auth/token"} <= set(document["paths"])
    errors = document["paths"]["/v1/auth/token"]["post"]["responses"]
    assert "401" in errors


def test_envelopes_document_disclosures_and_labels(document: dict[str, Any]) -> None:
    envelope = document["components"]["schemas"]["Envelope"]["properties"]
    assert {"statement", "signature", "disclosures", "labels"} <= set(envelope)
    assert "gi-trace/v2/disclosure" in envelope["disclosures"]["description"]
    assert envelope["disclosures"]["items"]["description"].startswith("[salt, name, value]")
    assert "labels_root" in envelope["labels"]["description"]
    assert "_sd" in document["components"]["schemas"]["Statement"]["properties"]["body"]["description"]


def test_entries_and_sidecars_are_documented(document: dict[str, Any]) -> None:
    entry = document["components"]["schemas"]["Entry"]["properties"]
    assert "bearer token" in entry["disclosures"]["description"]
    sidecars = document["paths"]["/v1/log/sidecars"]["get"]
    assert sidecars["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "422"} <= set(sidecars["responses"])
    assert {p["name"] for p in sidecars["parameters"]} == {"start", "end"}
    sidecar = document["components"]["schemas"]["Sidecar"]["properties"]
    assert {"seq", "disclosures", "attachments"} == set(sidecar)


def test_confidential_fields_are_optional_and_say_so(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for schema, field in (("Batch", "quantity"), ("Batch", "origin"), ("Link", "quantity"),
                          ("Approval", "used"), ("Approval", "remaining")):
        assert field not in schemas[schema].get("required", []), (schema, field)
        assert "confidential" in schemas[schema]["properties"][field]["description"], (schema, field)
