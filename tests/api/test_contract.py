"""The API keeps to its OpenAPI document: Schemathesis drives every operation of /v1/openapi.json
against the demo season, on SQLite and on PostgreSQL, with a fixed seed and a bounded number of
examples. No server error, every response of a documented status and content type, and every
body valid against its documented schema; and the document is valid OpenAPI 3.1 that states its
limits. Other programs are written against this document (DESIGN.md, "Interfaces that must not
drift"): what it says must be what the server does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gi_trace.cli.demo import demo_key, genesis, load
from gi_trace.cli.demo_chain import REGULATOR
from gi_trace.ledger import keys
from gi_trace.ledger.challenge import sign_challenge
from gi_trace.ledger.statement import ID_PATTERN
from gi_trace.service import initialize, open_service
from tests.api.helpers import Shared, serving
from tests.scratch_schema import reset_schema
from tests.support import instance_settings

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
# Per operation: enough to reach every documented limit and error, few enough that a backend's
# whole run stays well under a minute on CI's two cores.
EXAMPLES = 25
SCHEMA = "contract"  # the PostgreSQL run's own schema, which per-test fixtures leave alone


@dataclass(frozen=True)
class Demo:
    app: Flask
    token: str  # the demo regulator's: it may read everything, the oversight reads included


def regulator_token(app: Flask, keys_dir: Path) -> str:
    client = app.test_client()
    key = demo_key(keys_dir, REGULATOR.org)
    asked = {"org": REGULATOR.org, "key": keys.private_key_id(key)}
    challenge = client.post("/v1/auth/challenge", json=asked).get_json()["challenge"]
    resp = client.post("/v1/auth/token", json={"challenge": challenge,
                                                "signature": sign_challenge(key, challenge)})
    token: str = resp.get_json()["token"]
    return token


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The API over the demo season (`gi-trace demo`), once per backend."""
    root = tmp_path_factory.mktemp("contract")
    url: str | None = None
    server: str | None = None
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        reset_schema(server, SCHEMA, create=True)
        url = f"{server}?options=-csearch_path%3D{SCHEMA}"
    settings = instance_settings(root, genesis(root / "keys"), database_url=url)
    initialize(settings)
    service = open_service(settings)
    try:
        load(service, root / "keys")
    finally:
        service.engine.dispose()
    try:
        with serving(settings) as app:
            yield Demo(app, regulator_token(app, root / "keys"))
    finally:
        if server is not None:
            reset_schema(server, SCHEMA, create=False)


@pytest.fixture
def api_schema(request: pytest.FixtureRequest, demo: Demo) -> Any:
    # Schemathesis 4.32 names each operation's subtest through the node's `_nodeid`, which
    # pytest 9.2 no longer has: give it one.
    request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", demo.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(params=["public", "regulator"])
def caller(request: pytest.FixtureRequest, demo: Demo) -> dict[str, str]:
    """The headers of the public (no token), or of a regulator (who reaches every read)."""
    return {} if request.param == "public" else {"Authorization": f"Bearer {demo.token}"}


@pytest.mark.usefixtures("caller")  # so that pytest runs the test once per caller
@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_document(case: Any, caller: dict[str, str]) -> None:
    case.call_and_validate(headers=caller, checks=CHECKS)


# -- the document itself ----------------------------------------------------------------------
# What a parameter may state as its limit, by JSON Schema keyword (a format such as date-time
# bounds a value's shape).
LIMITS = {"maxLength", "pattern", "enum", "maximum", "format"}
# Parameters that take any value, and why.
FREE_FORM = {("/01/{gtin}/10/{lot}/21/{serial}", "linkType"):
             "an unknown link type answers the verdict itself"}


@pytest.fixture(scope="module")
def document(shared: Shared) -> dict[str, Any]:
    doc: dict[str, Any] = shared.app.test_client().get("/v1/openapi.json").get_json()
    return doc


def parameters(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, parameter) for every parameter of every operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                for parameter in item.get("parameters", []) + operation.get("parameters", []):
                    yield path, method, parameter


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError, naming the part at fault


def test_every_parameter_states_its_limit(document: dict[str, Any]) -> None:
    unbounded = [(path, method, p["name"]) for path, method, p in parameters(document)
                 if p["schema"].get("type") in ("string", "integer", "number")
                 and not LIMITS & set(p["schema"]) and (path, p["name"]) not in FREE_FORM]
    assert unbounded == []


@pytest.mark.parametrize(("path", "name", "limits"), [
    ("/v1/log/entries", "start", {"minimum": 0, "maximum": 2**62}),
    ("/v1/log/proof/inclusion", "tree_size", {"minimum": 1, "maximum": 2**62}),
    ("/v1/products", "limit", {"minimum": 1, "maximum": 500}),
    ("/v1/products", "after", {"maxLength": 200}),
    ("/v1/batches/{batch}", "batch", {"maxLength": 64}),
    ("/v1/shipments/sscc/{sscc}", "sscc", {"pattern": "^[0-9]{18}$"}),
    ("/v1/reports/{report_id}", "report_id", {"pattern": "^[A-Za-z0-9_-]{22}$"}),
    ("/01/{gtin}/10/{lot}/21/{serial}", "serial", {"maxLength": 20}),
    ("/01/{gtin}/10/{lot}/21/{serial}", "s", {"maxLength": 86}),
    ("/v1/oversight/scans", "days", {"minimum": 1, "maximum": 366}),
], ids=["log-start", "tree-size", "page-size", "cursor", "batch-id", "sscc", "report-id",
        "serial", "label-signature", "scan-days"])
def test_named_limits(document: dict[str, Any], path: str, name: str, limits: dict[str, Any]) -> None:
    schemas = [p["schema"] for at, _, p in parameters(document) if at == path and p["name"] == name]
    assert schemas and all({key: s.get(key) for key in limits} == limits for s in schemas)


def test_ids_are_patterned_like_the_ledgers(document: dict[str, Any]) -> None:
    patterns = {p["schema"].get("pattern") for _, _, p in parameters(document)
                if p["name"] in ("org", "batch", "product", "shipment")}
    assert patterns == {ID_PATTERN.pattern}


@pytest.mark.parametrize(("schema", "field", "limits"), [
    ("Envelope", "signature", {"maxLength": 86}),
    ("Envelope", "labels", {"maxItems": 10_000}),
    ("Statement", "nonce", {"maxLength": 88}),
    ("CosignedNote", "note", {"maxLength": 65_536}),
    ("TokenRequest", "challenge", {"maxLength": 2048}),
], ids=["signature", "labels", "nonce", "cosigned-note", "challenge"])
def test_bodies_state_their_limits(document: dict[str, Any], schema: str, field: str,
                                   limits: dict[str, Any]) -> None:
    stated = document["components"]["schemas"][schema]["properties"][field]
    assert {key: stated.get(key) for key in limits} == limits


def test_statements_are_at_most_a_thousand_a_post(document: dict[str, Any]) -> None:
    body = document["paths"]["/v1/statements"]["post"]["requestBody"]["content"]["application/json"]
    (batch,) = [s for s in body["schema"]["oneOf"] if s.get("type") == "array"]
    assert batch["maxItems"] == 1000


def test_ratios_are_numbers_or_null(document: dict[str, Any]) -> None:
    for schema in ("HarvestUse", "ProducerUse", "MassBalance"):
        ratio = document["components"]["schemas"][schema]["properties"]["ratio"]
        assert ratio["type"] == ["number", "null"], schema
        assert "null" in ratio["description"]


def responses(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path, method, status, response) for every response of every operation, refs resolved."""
    shared = document["components"]["responses"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items() if method != "parameters" else ():
                named = response.get("$ref", "").rsplit("/", 1)[-1]
                yield path, method, status, shared[named] if named else response


def test_every_success_documents_its_body(document: dict[str, Any]) -> None:
    """Every 2xx but a 204 names its content types, each with a schema."""
    shapeless = [(method, path, status, content_type)
                 for path, method, status, response in responses(document)
                 if status.startswith("2") and status != "204"
                 for content_type, media in (response.get("content") or {"(none)": {}}).items()
                 if "schema" not in media]
    assert shapeless == []


def test_every_error_is_a_problem(document: dict[str, Any]) -> None:
    """Every 4xx and 5xx of every operation is application/problem+json (the verdict's 400 may
    also be the page a browser gets)."""
    not_problems = [(method, path, status) for path, method, status, response in responses(document)
                    if (status[0] in "45" or status == "default")
                    and "application/problem+json" not in response.get("content", {})]
    assert not_problems == []
