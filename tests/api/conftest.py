"""API fixtures: an app over the initialised `service` database, and a client for it; the module's
world of tests/api/reads/world.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gi_trace.api.context import EXTENSION
from gi_trace.service import Service, initialize
from gi_trace.settings import Settings
from tests.api.helpers import Shared, serving
from tests.api.reads.world import World, open_world
from tests.support import Actor, instance_settings


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


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """A log of 9 records (genesis, a producer, 7 notes), built once per module."""
    root = tmp_path_factory.mktemp("shared")
    regulator = Actor("cnipa")
    settings = instance_settings(root, regulator.register_self())
    initialize(settings)
    with serving(settings) as app:
        shared = Shared(app, app.extensions[EXTENSION].log, regulator)
        producer = shared.new_producer()
        shared.log.append([producer.note(i) for i in range(7)])
        yield shared


@pytest.fixture
def shared_client(shared: Shared) -> FlaskClient:
    return shared.app.test_client()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The Wuchang rice chain, built once per module: reads leave no trace in it."""
    with open_world(tmp_path_factory.mktemp("world")) as world:
        yield world
