"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text

from gi_trace.ledger import schema
from gi_trace.ledger.database import make_engine
from gi_trace.migrate import target_metadata, upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
        return list(compare_metadata(context, target_metadata()))


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", "gi_trace:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def snapshot(engine: Engine) -> dict[str, Any]:
    """Tables, columns, keys, unique constraints and indexes, as the database reports them."""
    inspector = inspect(engine)
    result: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        result[table] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
        )
    return result


def test_upgrade_builds_the_declared_schema(engine: Engine) -> None:
    assert differences(engine) != []  # an empty database differs: the comparison does see tables
    upgrade(engine)
    assert differences(engine) == []
    assert current_revision(engine) == head_revision()
    declared = {t.name for metadata in target_metadata() for t in metadata.sorted_tables}
    assert set(inspect(engine).get_table_names()) == declared | {"alembic_version"}


def test_fork_guards_exist_in_the_database(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("log_records")}
    assert {("prev",), ("record_hash",), ("actor", "nonce")} <= uniques
    assert inspector.get_pk_constraint("log_records")["constrained_columns"] == ["seq"]


def test_comparison_notices_a_missing_index(engine: Engine) -> None:
    """Shows the check above can fail: drop one index and the difference is reported."""
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_ledger_keys_org"))
    diffs = differences(engine)
    assert [(d[0], d[1].name) for d in diffs] == [("add_index", "ix_ledger_keys_org")]


def test_upgrading_twice_is_a_no_op(engine: Engine) -> None:
    upgrade(engine)
    before = snapshot(engine)
    with engine.begin() as conn:
        conn.execute(schema.checkpoints.insert().values(size=1, root=bytes(32), note="kept\n"))
    upgrade(engine)
    assert snapshot(engine) == before
    assert differences(engine) == []
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(select(schema.checkpoints.c.note)).scalars().all() == ["kept\n"]
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
