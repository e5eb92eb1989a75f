"""Shared fixtures: a fresh service per test on SQLite, or on the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gi_trace.ledger.log import Log
from gi_trace.service import Service, initialize, open_service
from gi_trace.settings import Settings
from tests.scratch_schema import reset_schema
from tests.support import Actor, instance_settings

POSTGRES_ADMIN_URL = os.environ.get("GI_TRACE_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A scratch database on the real server for this test session, dropped afterwards."""
    name = f"gi_trace_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {e}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """The scratch database, emptied for each test."""
    return reset_schema(postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def regulator() -> Actor:
    return Actor("cnipa")


@pytest.fixture
def settings(tmp_path: Path, regulator: Actor) -> Settings:
    """Settings for a fresh instance whose genesis is `regulator`, on SQLite."""
    return instance_settings(tmp_path, regulator.register_self())


def _service(settings: Settings) -> Iterator[Service]:
    initialize(settings)
    service = open_service(settings)
    yield service
    service.engine.dispose()


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    """An initialised service on SQLite (genesis appended)."""
    yield from _service(settings)


@pytest.fixture
def any_service(settings: Settings, database_url: str) -> Iterator[Service]:
    """The same, once on SQLite and once on PostgreSQL."""
    yield from _service(replace(settings, database_url=database_url))


@pytest.fixture
def log(service: Service) -> Log:
    return service.log


@pytest.fixture
def producer(log: Log, regulator: Actor) -> Actor:
    """An organisation registered by the regulator, able to sign statements."""
    actor = Actor("wuchang-coop")
    log.append([regulator.register(actor, ["producer"])])
    return actor
