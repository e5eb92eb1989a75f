"""Empty a schema of the scratch PostgreSQL database, so a fixture starts from nothing."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def reset_schema(server: str, schema: str = "public", *, create: bool = True) -> str:
    """Drop `schema` with all it holds and, unless `create` is false, make it anew; returns `server`."""
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return server
