"""`gi-trace serve` really starts gunicorn; `wsgi:app` is a working entry point."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gi_trace.service import Service

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_runs_gunicorn_with_the_repo_config(service: Service, env: dict[str, str]) -> None:
    port = free_port()
    gi_trace = Path(sys.executable).with_name("gi-trace")
    process = subprocess.Popen([str(gi_trace), "serve", "--bind", f"127.0.0.1:{port}"], cwd=REPO,
                               env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, health = time.monotonic() + 30, None
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        assert health == {"status": "ok", "log_size": 1}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/log/checkpoint", timeout=5) as r:
            assert r.read().decode().startswith(f"{service.log.origin}\n1\n")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert "Booting worker" in output


def test_wsgi_module_builds_the_app_from_the_environment(service: Service, env: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(REPO))
    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    try:
        assert wsgi.app.test_client().get("/healthz").get_json() == {"status": "ok", "log_size": 1}
    finally:
        wsgi.app.extensions["gi_trace"].engine.dispose()
        sys.modules.pop("wsgi", None)
