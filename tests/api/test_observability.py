"""Observability: the JSON access line and request ids, /metrics, and /readyz on both backends."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from gi_trace.api.context import EXTENSION
from gi_trace.api.request_log import JsonFormatter
from gi_trace.service import initialize
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem, post_statements, serving
from tests.api.reads.world import obtain_token
from tests.domain.world import GTINS, PADDY, serials
from tests.support import Actor, instance_settings

REPO = Path(__file__).resolve().parents[2]
ACCESS = "gi_trace.access"
SCAN_ROUTE = "/01/<gtin>/10/<lot>/21/<serial>"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The access lines logged so far, as the JSON the operator's log store receives."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == ACCESS]


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="gi_trace")
    return caplog


# -- the access line ----------------------------------------------------------------------------
def test_one_json_line_per_request_with_route_status_duration_and_client(
        client: FlaskClient, logged: pytest.LogCaptureFixture) -> None:
    resp = client.get("/v1/log/checkpoint", headers={"X-Request-Id": "req-42"})
    assert resp.headers["X-Request-Id"] == "req-42"
    (line,) = access_lines(logged)
    assert set(line) == {"ts", "level", "logger", "msg", "request_id", "method", "route", "status",
                         "duration_ms", "org", "client"}
    assert (line["request_id"], line["method"], line["route"], line["status"], line["org"],
            line["client"]) == ("req-42", "GET", "/v1/log/checkpoint", 200, None, "127.0.0.1")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["ts"]).tzinfo is not None


@pytest.mark.parametrize("sent", ["", "two words", "x\n", "a" * 129, "<script>", "é"],
                         ids=["empty", "space", "trailing-newline", "too-long", "markup", "non-ascii"])
def test_an_insane_request_id_is_replaced_by_a_fresh_one(
        client: FlaskClient, logged: pytest.LogCaptureFixture, sent: str) -> None:
    resp = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": sent})  # as sent
    made = resp.headers["X-Request-Id"]
    assert made != sent and len(made) == 32 and int(made, 16) >= 0
    assert access_lines(logged)[0]["request_id"] == made


def test_without_a_request_id_each_request_gets_its_own(client: FlaskClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


def test_the_line_names_the_route_never_the_scanned_serial(
        client: FlaskClient, logged: pytest.LogCaptureFixture) -> None:
    serial = serials("A-1", 1)[0]
    client.get(f"/01/{GTINS[PADDY][0]}/10/LA-1/21/{serial}", headers={"Accept": "application/json"})
    (line,) = access_lines(logged)
    assert line["route"] == SCAN_ROUTE
    assert serial not in json.dumps(line)


def test_the_line_names_the_org_of_a_checked_bearer_token(
        client: FlaskClient, producer: Actor, logged: pytest.LogCaptureFixture) -> None:
    token = obtain_token(client, producer)
    resp = client.get(f"/v1/orgs/{producer.org}/holdings", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert [line["org"] for line in access_lines(logged)] == [None, None, producer.org]


def test_the_access_log_can_be_turned_off_and_the_id_is_still_echoed(
        settings: Settings, service: Any, logged: pytest.LogCaptureFixture) -> None:
    with serving(replace(settings, access_log=0)) as app:
        resp = app.test_client().get("/healthz", headers={"X-Request-Id": "quiet"})
    assert resp.headers["X-Request-Id"] == "quiet"
    assert access_lines(logged) == []


def test_an_unhandled_error_is_logged_with_the_request_id(
        settings: Settings, service: Any, logged: pytest.LogCaptureFixture) -> None:
    with serving(settings) as app:
        def broken() -> str:
            raise RuntimeError("a bug")
        app.add_url_rule("/broken", "broken", broken)
        resp = app.test_client().get("/broken", headers={"X-Request-Id": "bug-1"})
    assert_problem(resp, 500, "internal-error")
    (error,) = [r for r in logged.records if r.levelno == logging.ERROR]
    line = json.loads(JsonFormatter().format(error))
    assert line["request_id"] == "bug-1"
    assert "RuntimeError: a bug" in line["exc"]
    assert access_lines(logged)[0]["status"] == 500


# -- /metrics -----------------------------------------------------------------------------------
def unreachable() -> Engine:
    """An engine whose server is not there (nothing listens on port 9): a real refusal."""
    return create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",
                         connect_args={"connect_timeout": 2})


def scrape(client: FlaskClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.mimetype == "text/plain"
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(resp.get_data(as_text=True))
            for s in family.samples}


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


SERIES = ["gi_trace_http_requests_total", "gi_trace_http_request_duration_seconds_bucket",
          "gi_trace_append_group_requests_count", "gi_trace_append_group_statements_sum",
          "gi_trace_append_commit_seconds_count", "gi_trace_log_size",
          "gi_trace_checkpoint_age_seconds", "gi_trace_scan_buffer_backlog"]


def test_metrics_expose_the_named_series_and_count_a_request(client: FlaskClient) -> None:
    client.get("/healthz")
    samples = scrape(client)
    assert set(SERIES) <= {name for name, _ in samples}
    assert value(samples, "gi_trace_http_requests_total", route="/healthz", method="GET",
                 status="200") == 1
    assert value(samples, "gi_trace_http_request_duration_seconds_count", route="/healthz",
                 method="GET") == 1
    client.get("/healthz")
    client.get("/no/such/page")
    again = scrape(client)
    assert value(again, "gi_trace_http_requests_total", route="/healthz", method="GET",
                 status="200") == 2
    assert value(again, "gi_trace_http_requests_total", route="<unmatched>", method="GET",
                 status="404") == 1


def test_an_append_moves_the_group_commit_metrics_and_the_log_size(
        client: FlaskClient, producer: Actor) -> None:
    before = scrape(client)
    resp = post_statements(client, [producer.note(1).to_dict(), producer.note(2).to_dict()])
    assert resp.status_code == 201, resp.get_data(as_text=True)
    after = scrape(client)
    for name, moved in [("gi_trace_append_group_requests_count", 1),
                        ("gi_trace_append_group_requests_sum", 1),
                        ("gi_trace_append_group_statements_sum", 2),
                        ("gi_trace_append_commit_seconds_count", 1),
                        ("gi_trace_log_size", 2)]:
        assert value(after, name) - value(before, name) == moved, name
    assert value(after, "gi_trace_append_commit_seconds_sum") > value(
        before, "gi_trace_append_commit_seconds_sum")


def test_scan_verdicts_are_counted_by_kind(client: FlaskClient) -> None:
    path = f"/01/{GTINS[PADDY][0]}/10/LA-1/21/{serials('A-1', 1)[0]}"
    assert client.get(path, headers={"Accept": "application/json"}).get_json()["verdict"] == "INVALID"
    assert value(scrape(client), "gi_trace_scan_verdicts_total", verdict="INVALID") == 1


def test_database_errors_are_counted_whoever_handles_them(app: Flask) -> None:
    client = app.test_client()
    with pytest.raises(OperationalError), app.extensions[EXTENSION].engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert value(scrape(client), "gi_trace_database_errors_total", kind="OperationalError") == 1


def test_metrics_still_answer_while_the_database_does_not(app: Flask,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    client.get("/healthz")
    monkeypatch.setattr(app.extensions[EXTENSION], "engine", unreachable())
    samples = scrape(client)
    assert value(samples, "gi_trace_http_requests_total", route="/healthz", method="GET",
                 status="200") == 1
    assert "gi_trace_log_size" not in {name for name, _ in samples}


# -- /readyz ------------------------------------------------------------------------------------
@contextmanager
def ready_app(tmp_path: Path, database_url: str, *, genesis_age: timedelta = timedelta(0),
              max_age: int = 0) -> Iterator[Flask]:
    """An app over a log whose only record, the genesis, was signed `genesis_age` ago."""
    regulator = Actor("cnipa")
    genesis = regulator.sign("org.register", {"org": "cnipa", "name": {"zh": "cnipa", "en": "cnipa"},
                                              "roles": ["regulator"], "keys": [regulator.pub]},
                             ts=datetime.now(UTC) - genesis_age)
    settings = replace(instance_settings(tmp_path, genesis, database_url=database_url),
                       ready_max_checkpoint_age_seconds=max_age)
    initialize(settings)
    with serving(settings) as app:
        yield app


def test_ready_when_the_database_answers_at_the_codes_revision(tmp_path: Path,
                                                               database_url: str) -> None:
    with ready_app(tmp_path, database_url) as app:
        resp = app.test_client().get("/readyz")
        assert resp.status_code == 200
        assert resp.get_json() == {"status": "ready", "checked": ["database", "migrations"]}


def test_not_ready_when_the_database_is_at_another_revision(tmp_path: Path,
                                                            database_url: str) -> None:
    with ready_app(tmp_path, database_url) as app:
        with app.extensions[EXTENSION].engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
        resp = app.test_client().get("/readyz")
        assert_problem(resp, 503, "not-ready", field="migrations")
        assert resp.headers["Retry-After"]


@pytest.mark.parametrize(("genesis_age", "max_age", "status"), [
    (timedelta(hours=2), 3600, 503),
    (timedelta(minutes=10), 3600, 200),
    (timedelta(hours=2), 0, 200),
], ids=["stale", "fresh", "not-checked"])
def test_the_checkpoint_must_be_fresh_when_a_maximum_age_is_set(
        tmp_path: Path, database_url: str, genesis_age: timedelta, max_age: int,
        status: int) -> None:
    with ready_app(tmp_path, database_url, genesis_age=genesis_age, max_age=max_age) as app:
        resp = app.test_client().get("/readyz")
        if status == 503:
            problem = assert_problem(resp, 503, "not-ready", field="checkpoint")
            assert "more than the 3600 s allowed" in problem["detail"]
        else:
            assert resp.status_code == 200, resp.get_data(as_text=True)


def test_an_empty_log_is_ready_whatever_the_maximum_age(empty_client: FlaskClient) -> None:
    app = empty_client.application
    app.extensions[EXTENSION].settings = replace(app.extensions[EXTENSION].settings,
                                                 ready_max_checkpoint_age_seconds=1)
    resp = empty_client.get("/readyz")
    assert resp.get_json() == {"status": "ready", "checked": ["database", "migrations", "checkpoint"]}


def test_not_ready_when_the_database_does_not_answer(app: Flask,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.extensions[EXTENSION], "engine", unreachable())
    resp = app.test_client().get("/readyz")
    problem = assert_problem(resp, 503, "not-ready", field="database")
    assert "127.0.0.1" not in problem["detail"]


# -- under gunicorn -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, request_id: str | None = None) -> bytes:
    headers = {"X-Request-Id": request_id} if request_id else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
        body: bytes = r.read()
        return body


@pytest.mark.slow
def test_gunicorn_workers_log_json_once_per_request_and_add_up_their_metrics(
        settings: Settings, service: Any, tmp_path: Path) -> None:
    """Two workers with PROMETHEUS_MULTIPROC_DIR: any worker's /metrics counts every worker's
    requests; every stderr line is JSON (gunicorn's own too), one access line per request."""
    port, multiproc = free_port(), tmp_path / "prometheus"
    multiproc.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
           **{f"GI_TRACE_{k.upper()}": str(v) for k, v in vars(settings).items()}}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "gi_trace.api:create_app()"],
        cwd=REPO, env=env, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{base}/readyz", "probe")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for n in range(20):
            get(f"{base}/healthz", f"hz-{n}")
        text = get(f"{base}/metrics").decode()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        stderr = process.communicate(timeout=20)[1].decode()
    counts = {tuple(sorted(s.labels.items())): s.value for f in text_string_to_metric_families(text)
              for s in f.samples if s.name == "gi_trace_http_requests_total"}
    assert counts[(("method", "GET"), ("route", "/healthz"), ("status", "200"))] == 20
    lines = [json.loads(line) for line in stderr.splitlines()]
    assert any("Booting worker" in line["msg"] for line in lines)
    access = [line["request_id"] for line in lines if line["logger"] == ACCESS]
    assert sorted(a for a in access if a.startswith("hz-")) == sorted(f"hz-{n}" for n in range(20))
