"""Create or upgrade a database to the current schema with Alembic."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData


def target_metadata() -> list[MetaData]:
    """Every table the service owns: the ledger's and each layer's projections."""
    from gi_trace.domain.tables import metadata as domain
    from gi_trace.ledger.schema import metadata as ledger

    return [ledger, domain]


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", "gi_trace:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
