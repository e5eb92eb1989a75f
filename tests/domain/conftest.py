"""Fixtures: the world of tests/domain/world.py, built once and copied for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gi_trace.service import Service
from tests.api.helpers import serving
from tests.domain.world import Template, World


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(template: Template) -> World:
    return template.world


@pytest.fixture
def world_service(template: Template, tmp_path: Path) -> Iterator[Service]:
    """A service of its own over a copy of the world, on SQLite."""
    with template.copy(tmp_path) as service:
        yield service


@pytest.fixture
def world_client(world_service: Service) -> Iterator[FlaskClient]:
    """The HTTP API over the same copy as `world_service`."""
    with serving(world_service.settings) as app:
        yield app.test_client()
