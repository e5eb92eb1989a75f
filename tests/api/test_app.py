"""The app as a whole: factory, health, the OpenAPI document, and errors outside the ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gi_trace.api import create_app
from gi_trace.api.context import EXTENSION
from gi_trace.ledger import keys
from gi_trace.ledger.errors import LedgerBusyError
from gi_trace.ledger.log import Log
from gi_trace.migrate import NotInitialised
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem, post_statements, serving
from tests.support import Actor

PATHS = {
    "/healthz": "get",
    "/readyz": "get",
    "/v1/statements": "post",
    "/v1/log/checkpoint": "get",
    "/v1/log/key": "get",
    "/v1/log/entries": "get",
    "/v1/log/proof/inclusion": "get",
    "/v1/log/proof/consistency": "get",
    "/01/{gtin}/10/{lot}/21/{serial}": "get",
    "/v1/scans/{token}/place": "post",
}


def test_healthz_reports_the_log_size(client: FlaskClient, log: Log) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "log_size": log.size()}


def test_settings_default_to_the_environment(settings: Settings, service: Service,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in vars(settings).items():
        monkeypatch.setenv(f"GI_TRACE_{name.upper()}", str(value))
    app = create_app()
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == settings.max_request_bytes
        assert app.test_client().get("/healthz").get_json()["log_size"] == 1
    finally:
        app.extensions[EXTENSION].engine.dispose()


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_openapi_document_lists_every_path(shared_client: FlaskClient) -> None:
    resp = shared_client.get("/v1/openapi.json")
    assert resp.status_code == 200
    doc = json.loads(resp.get_data())
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] == "gi-trace"
    for path, method in PATHS.items():
        assert method in doc["paths"][path], path
    body = doc["paths"]["/v1/statements"]["post"]["requestBody"]["content"]["application/json"]
    assert len(body["schema"]["oneOf"]) == 2
    for ref in refs(doc):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in doc["components"][kind], ref


def test_openapi_documents_errors_as_problems(shared_client: FlaskClient) -> None:
    doc = shared_client.get("/v1/openapi.json").get_json()
    assert "application/problem+json" in doc["components"]["responses"]["DEFAULT_ERROR"]["content"]


def test_unknown_url_is_a_404_problem(shared_client: FlaskClient) -> None:
    assert_problem(shared_client.get("/v1/nowhere"), 404, "not-found")


def test_wrong_method_is_a_405_problem(shared_client: FlaskClient) -> None:
    resp = shared_client.delete("/v1/log/checkpoint")
    assert_problem(resp, 405, "method-not-allowed")
    assert "GET" in resp.headers["Allow"]


def test_unexpected_error_is_a_500_problem_without_traceback(settings: Settings,
                                                             service: Service) -> None:
    def boom() -> str:
        raise RuntimeError("secret internals")

    with serving(settings) as app:
        app.add_url_rule("/boom", view_func=boom)
        resp = app.test_client().get("/boom")
    assert_problem(resp, 500, "internal-error")
    assert b"secret" not in resp.get_data() and b"Traceback" not in resp.get_data()


def test_busy_log_is_a_503_with_retry_after(app: Flask, producer: Actor,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*args: Any) -> None:
        raise LedgerBusyError(retry_after=3)

    monkeypatch.setattr(app.extensions[EXTENSION].log, "append", busy)
    resp = post_statements(app.test_client(), producer.note().to_dict())
    assert_problem(resp, 503, "busy")
    assert resp.headers["Retry-After"] == "3"


def test_refuses_to_serve_a_database_init_has_not_prepared(settings: Settings) -> None:
    with pytest.raises(NotInitialised, match=r"no operator key .* run `gi-trace init`"):
        create_app(settings)
    keys.save_private_key(keys.generate(), settings.operator_key)
    with pytest.raises(NotInitialised, match=r"at schema revision none, the code needs .*gi-trace init"):
        create_app(settings)
