"""Helpers for API tests: apps over a test database, raw posts, problem+json checks."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gi_trace.api import create_app
from gi_trace.api.context import EXTENSION
from gi_trace.ledger.log import Log
from gi_trace.settings import Settings
from tests.support import Actor

PROBLEM = "application/problem+json"


@contextmanager
def serving(settings: Settings) -> Iterator[Flask]:
    """An app for an already initialised database; its engine is closed afterwards."""
    app = create_app(settings)
    app.config["TESTING"] = True
    try:
        yield app
    finally:
        app.extensions[EXTENSION].engine.dispose()


@dataclass
class Shared:
    """One app and log for a whole test module, for tests that leave no trace in it."""

    app: Flask
    log: Log
    regulator: Actor

    def new_producer(self) -> Actor:
        """A producer of its own, so a test that revokes its key harms no other test."""
        producer = Actor(f"coop-{secrets.token_hex(4)}")
        self.log.append([self.regulator.register(producer, ["producer"])])
        return producer


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
