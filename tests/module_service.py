"""One service per test module and database, for long tables that would otherwise pay a
set-up per case. On PostgreSQL it lives in a schema of its own, which the per-test
fixtures that empty `public` leave alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from gi_trace.service import Service, initialize, open_service
from tests.scratch_schema import reset_schema
from tests.support import Actor, instance_settings


@contextmanager
def module_service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   schema: str, regulator: Actor) -> Iterator[Service]:
    """`request.param` is "sqlite" or "postgres"; `regulator` is the genesis."""
    tmp = tmp_path_factory.mktemp(schema)
    server: str | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp}/ledger.db"
    else:
        server = request.getfixturevalue("postgres_server")
        reset_schema(server, schema, create=True)
        url = f"{server}?options=-csearch_path%3D{schema}"
    settings = instance_settings(tmp, regulator.register_self(), database_url=url)
    initialize(settings)
    service = open_service(settings)
    try:
        if server is not None:
            with service.engine.connect() as conn:  # the cases really run in the dedicated schema
                assert conn.scalar(text("SELECT current_schema()")) == schema
        yield service
    finally:
        service.engine.dispose()
        if server is not None:
            reset_schema(server, schema, create=False)

