"""Create or upgrade a database to the current schema with Alembic."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData


def target_metadata() -> list[MetaData]:
    """Every table the service owns: the ledger's, each layer's projections, and the labels'
    scans and reports and the webhook outbox."""
    from gi_trace.domain.tables import metadata as domain
    from gi_trace.labels.outbox_tables import metadata as outbox
    from gi_trace.labels.tables import metadata as labels
    from gi_trace.ledger.schema import metadata as ledger

    return [ledger, domain, labels, outbox]


class NotInitialised(RuntimeError):
    """The database is missing or behind the code's schema: `gi-trace init` fixes it."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "gi_trace:migrations")
    return config


def require_current(engine: Engine) -> None:
    """Refuse to serve a database that `gi-trace init` has not brought to the code's schema,
    rather than answer every request with a 500."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise NotInitialised(f"database {engine.url.render_as_string()} is at schema revision "
                             f"{current or 'none'}, the code needs {head}: run `gi-trace init`")


def upgrade(engine: Engine) -> None:
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
