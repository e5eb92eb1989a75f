"""Every route that takes JSON reads it one way (api/json_body.py): a body nested too deep
or with a number too long is a 400 malformed-json problem, a duplicate key a 422 as on
/v1/statements, never a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from gi_trace.ledger.canonical import MAX_DEPTH
from tests.api.helpers import assert_problem
from tests.support import Actor

ROUTES = [
    ("POST", "/v1/auth/challenge"),
    ("POST", "/v1/auth/token"),
    ("POST", "/v1/reports"),
    ("PATCH", "/v1/reports/some-report"),
    ("POST", "/v1/log/cosignatures"),
    ("POST", "/v1/scans/some-token/place"),
    ("POST", "/v1/statements"),
]
BODIES = {
    "past-the-recursion-limit": b'{"org":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "past-max-depth": b'{"org":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
    "integer-of-4301-digits": b'{"org":' + b"9" * 4301 + b"}",
    "long-fraction": b'{"lat":0.' + b"1" * 60 + b', "lon":1}',
    "not-json": b'{"org":',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_malformed_json_body_is_a_400_problem(client: FlaskClient, method: str, path: str,
                                                body: bytes) -> None:
    resp = client.open(path, method=method, data=body, content_type="application/json")
    assert_problem(resp, 400, "malformed-json")


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_duplicate_key_is_refused_on_every_route(client: FlaskClient, method: str,
                                                   path: str) -> None:
    resp = client.open(path, method=method, data=b'{"org":"a","org":"b"}',
                       content_type="application/json")
    assert_problem(resp, 422, "duplicate-json-key")


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/json"])
def test_a_json_body_of_any_json_type_is_read_the_same_way(client: FlaskClient,
                                                           content_type: str) -> None:
    resp = client.post("/v1/reports", data=BODIES["integer-of-4301-digits"],
                       content_type=content_type)
    assert_problem(resp, 400, "malformed-json")


def test_a_json_body_within_the_limits_reaches_its_view(client: FlaskClient,
                                                        regulator: Actor) -> None:
    resp = client.post("/v1/auth/challenge", json={"org": regulator.org, "key": regulator.key_id})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    nested = {"org": regulator.org, "key": regulator.key_id, "extra": [[[[1]]]]}
    assert_problem(client.post("/v1/auth/challenge", json=nested), 422, "bad-argument",
                   field="extra")


def test_a_body_that_is_not_json_is_left_to_its_view(client: FlaskClient) -> None:
    resp = client.post("/v1/statements", data=b"[" * 100_000, content_type="text/plain")
    assert_problem(resp, 415, "unsupported-media-type")
