"""Faults of the database itself answer 503 problem+json with Retry-After, on reads and
writes, and change nothing; a killed PostgreSQL backend costs a reconnect, not a request.

Every fault here is real: backends terminated with pg_terminate_backend, PostgreSQL roles
whose transactions are read-only or who lack a privilege, an SQLite file opened read-only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import make_url, text
from werkzeug.test import TestResponse

from gi_trace.service import Service, initialize, open_service
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem, post_statements, serving
from tests.support import Actor


def state(service: Service) -> tuple[int, str | None]:
    """What a write would change: the log's size and its latest checkpoint."""
    return service.log.size(), service.log.checkpoint()


def assert_unavailable(resp: TestResponse) -> None:
    assert_problem(resp, 503, "database-unavailable")
    assert int(resp.headers["Retry-After"]) > 0


@pytest.fixture
def pg_settings(settings: Settings, postgres_url: str) -> Settings:
    return replace(settings, database_url=postgres_url)


@pytest.fixture
def pg_service(pg_settings: Settings) -> Iterator[Service]:
    """A service on the scratch PostgreSQL database, connected as its owner (an admin)."""
    initialize(pg_settings)
    service = open_service(pg_settings)
    yield service
    service.engine.dispose()


@pytest.fixture
def pg_producer(pg_service: Service, regulator: Actor) -> Actor:
    actor = Actor("wuchang-coop")
    pg_service.log.append([regulator.register(actor, ["producer"])])
    return actor


def terminate_other_backends(admin: Service) -> int:
    with admin.engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")))


@pytest.mark.postgres
def test_a_killed_backend_costs_a_reconnect_not_a_request(pg_settings: Settings, pg_service: Service,
                                                          pg_producer: Actor) -> None:
    with serving(pg_settings) as app:
        client = app.test_client()
        assert client.get("/v1/log/checkpoint").status_code == 200  # a connection is pooled
        assert terminate_other_backends(pg_service) >= 1
        assert client.get("/v1/log/checkpoint").status_code == 200
        assert terminate_other_backends(pg_service) >= 1
        assert post_statements(client, pg_producer.note().to_dict()).status_code == 201


@contextmanager
def role(admin: Service, grants: list[str]) -> Iterator[str]:
    """A URL for the scratch database as a new login role given `grants`, dropped afterwards."""
    name = f"gi_fault_{secrets.token_hex(4)}"
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN"))
        for grant in grants:
            conn.execute(text(grant.format(role=name)))
    try:
        yield make_url(admin.settings.database_url).set(username=name).render_as_string(
            hide_password=False)
    finally:
        with admin.engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE usename = :name"), {"name": name})
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))


USAGE = "GRANT USAGE ON SCHEMA public TO {role}"
FAULTS = [
    ("read-only-transactions", [USAGE, "GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
                                "ALTER ROLE {role} SET default_transaction_read_only = on"], True),
    ("no-write-privilege", [USAGE, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"], True),
    ("no-read-privilege", [USAGE, "GRANT SELECT ON alembic_version TO {role}"], False),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("grants", "reads"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_a_database_that_refuses_the_service_answers_503(pg_settings: Settings, pg_service: Service,
                                                         pg_producer: Actor, grants: list[str],
                                                         reads: bool) -> None:
    before = state(pg_service)
    with role(pg_service, grants) as url, serving(replace(pg_settings, database_url=url)) as app:
        client = app.test_client()
        checkpoint = client.get("/v1/log/checkpoint")
        if reads:
            assert checkpoint.status_code == 200
        else:
            assert_unavailable(checkpoint)
        assert_unavailable(post_statements(client, pg_producer.note().to_dict()))
        assert_unavailable(post_statements(client, [pg_producer.note(i).to_dict() for i in range(3)]))
    assert state(pg_service) == before


def test_a_read_only_sqlite_file_reads_and_answers_503_to_writes(settings: Settings, service: Service,
                                                                 producer: Actor) -> None:
    before = state(service)
    path = make_url(settings.database_url).database
    read_only = replace(settings, database_url=f"sqlite:///file:{path}?mode=ro&uri=true")
    with serving(read_only) as app:
        client = app.test_client()
        assert client.get("/v1/log/checkpoint").status_code == 200
        assert_unavailable(post_statements(client, producer.note().to_dict()))
    assert state(service) == before
    service.log.append([producer.note()])  # the file itself was never at fault
