"""One database connection per request, closed on teardown (the flaskr pattern)."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import Connection

from gi_trace.api.context import current_service

_KEY = "gi_trace_read_connection"


def connection() -> Connection:
    conn: Connection | None = g.get(_KEY)
    if conn is None:
        conn = current_service().engine.connect()
        setattr(g, _KEY, conn)
    return conn


def _close(_error: BaseException | None = None) -> None:
    conn: Connection | None = g.pop(_KEY, None)
    if conn is not None:
        conn.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
