"""Engines and the single-writer transaction, for SQLite and PostgreSQL alike.

The append is the log's only serial point. SQLite serialises it with
`BEGIN IMMEDIATE` (WAL mode, so readers never wait); PostgreSQL with a
transaction-scoped advisory lock, which holds across processes and hosts.

A fault of the database itself (connection lost, read-only, no privilege, disk full)
is told apart from a value the database refuses, so callers can answer "retry later"
for the first and blame the request only for the second.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import StaticPool

from .errors import DatabaseUnavailableError, LedgerBusyError

# pg_advisory_xact_lock key: "gitrace" read as a number; one log per database.
APPEND_LOCK_KEY = 0x67697472616365
WRITE_WAIT_SECONDS = 10
# SQLSTATEs of a PostgreSQL that cannot take the request, whatever it holds: the classes of
# connection exceptions, insufficient resources and operator intervention, a read-only
# transaction and a missing privilege.
_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57"})
_UNAVAILABLE_STATES = frozenset({"25006", "42501"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine set up for the log: WAL and explicit transactions on SQLite; on PostgreSQL
    pooled connections are pinged before use, so a restarted server or a killed backend
    costs a reconnect, not a failed request."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, _DURABLE, **kwargs)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, **{"pool_recycle": 3600, "pool_pre_ping": True, **kwargs})


def make_scratch_engine(path: str | Path) -> Engine:
    """A throw-away SQLite database (an audit's replay): no fsync, no WAL, one connection."""
    return _sqlite_engine(f"sqlite:///{path}", _SCRATCH, poolclass=StaticPool)


_DURABLE = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")
_SCRATCH = ("PRAGMA journal_mode=MEMORY", "PRAGMA synchronous=OFF")


def _sqlite_engine(url: str, pragmas: tuple[str, ...], **kwargs: Any) -> Engine:
    _make_sqlite_dir(url)
    engine = create_engine(url, **kwargs)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module, so BEGIN IMMEDIATE is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (*pragmas, f"PRAGMA busy_timeout={WRITE_WAIT_SECONDS * 1000}"):
            cursor.execute(pragma)
        cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _make_sqlite_dir(url: str) -> None:
    """Make a new database file's directory; a `file:` URI (`?mode=ro`) names one that exists."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One writer at a time per log: the lock is held until commit or rollback."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
            else:
                # The snapshot must be taken after the lock is granted, not before.
                conn = conn.execution_options(isolation_level="READ COMMITTED")
                with conn.begin():
                    conn.execute(text("SELECT set_config('lock_timeout', :wait, true), "
                                      "pg_advisory_xact_lock(:key)"),
                                 {"wait": f"{WRITE_WAIT_SECONDS}s", "key": APPEND_LOCK_KEY})
                    yield conn
    except DBAPIError as e:
        if isinstance(e, OperationalError) and _is_busy(e):
            raise LedgerBusyError() from e
        if is_unavailable(e):
            raise DatabaseUnavailableError() from e
        raise


def _is_busy(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "database is locked" in message or "lock timeout" in message or "busy" in message


def is_unavailable(error: DBAPIError) -> bool:
    """Whether the database failed rather than the request: retrying later may succeed.
    Anything else (a value too long for its column, a constraint) is the request's own."""
    if error.connection_invalidated or isinstance(error, OperationalError | InterfaceError):
        return True
    state = getattr(error.orig, "sqlstate", None) or ""
    return state in _UNAVAILABLE_STATES or state[:2] in _UNAVAILABLE_CLASSES


def insert_rows(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert tuples in the table's column order with the driver's executemany: the hot path
    of bulk appends and of a label.issue's 10,000 labels, without SQLAlchemy's per-row work."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = [column.name for column in table.columns]
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                         f"VALUES ({', '.join([marker] * len(columns))})", list(rows))
