"""Helpers for API tests: post raw bodies, and check problem+json answers."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PROBLEM = "application/problem+json"


def post_statements(client: FlaskClient, payload: Any, *,
                    content_type: str = "application/json") -> TestResponse:
    """POST a body as given: bytes are sent as they are, anything else as compact JSON."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/v1/statements", data=body, content_type=content_type)


def assert_problem(resp: TestResponse, status: int, code: str, *, field: str | None = None,
                   index: int | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    problem = json.loads(resp.get_data())
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"] == f"https://gi-trace.dev/problems/{code}"
    assert problem["title"] and problem["detail"]
    assert problem.get("field") == field
    assert problem.get("index") == index
    return problem
