"""Alembic environment: runs on the connection gi_trace.migrate hands it."""

from __future__ import annotations

from alembic import context

from gi_trace.migrate import target_metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata(),
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
