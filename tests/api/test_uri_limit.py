"""A URI past the limit gets a 414 problem from the app, on any route, and every operation of
the document lists it; one at the limit is read as usual."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.api.uri_limit import MAX_URI_BYTES
from tests.api.helpers import assert_problem


def padded(path: str, size: int) -> str:
    """`path` with a query parameter that brings the whole URI to `size` bytes."""
    prefix = f"{path}?pad="
    return prefix + "x" * (size - len(prefix))


@pytest.mark.parametrize("path", ["/v1/log/entries", "/v1/products", "/no/such/route",
                                  "/01/09506000134352/10/L1/21/SERIAL000001"],
                         ids=["log-read", "public-read", "unknown-route", "verdict"])
def test_a_uri_past_the_limit_is_a_414_problem(shared_client: FlaskClient, path: str) -> None:
    resp = shared_client.get(padded(path, MAX_URI_BYTES + 1), headers={"Accept": "application/json"})
    problem = assert_problem(resp, 414, "request-uri-too-long")
    assert str(MAX_URI_BYTES) in problem["detail"]


def test_a_uri_at_the_limit_is_read(shared_client: FlaskClient) -> None:
    assert shared_client.get(padded("/v1/log/entries", MAX_URI_BYTES)).status_code == 200


def test_every_operation_documents_the_414(shared_client: FlaskClient) -> None:
    document: dict[str, Any] = shared_client.get("/v1/openapi.json").get_json()
    missing = [(method, path) for path, item in document["paths"].items()
               for method, operation in item.items() if method != "parameters"
               and "414" not in operation["responses"]]
    assert missing == []
    problem = document["components"]["responses"]["REQUEST_URI_TOO_LONG"]["content"]
    assert set(problem) == {"application/problem+json"}
