"""API fixtures: an app over the initialised `service` database, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gi_trace.api import create_app
from gi_trace.api.context import EXTENSION
from gi_trace.service import Service, initialize
from gi_trace.settings import Settings

pytest.register_assert_rewrite("tests.api.helpers")


@contextmanager
def serving(settings: Settings) -> Iterator[Flask]:
    """An app for an already initialised database; its engine is closed afterwards."""
    app = create_app(settings)
    app.config["TESTING"] = True
    try:
        yield app
    finally:
        app.extensions[EXTENSION].engine.dispose()


@pytest.fixture
def app(settings: Settings, service: Service) -> Iterator[Flask]:
    """The API over the same database as `service` (initialised first, genesis appended)."""
    with serving(settings) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def empty_client(tmp_path: Path, settings: Settings) -> Iterator[FlaskClient]:
    """An API over a log with no genesis: never appended to, so it has no checkpoint."""
    empty = replace(settings, database_url=f"sqlite:///{tmp_path}/empty.db",
                    regulators=str(tmp_path / "no-regulators.json"))
    initialize(empty)
    with serving(empty) as app:
        yield app.test_client()
