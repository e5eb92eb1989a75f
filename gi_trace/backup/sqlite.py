"""SQLite: a consistent copy of a live database with the online backup API.

The copy is made in one backup step. A stepped copy restarts whenever another
connection writes, so under steady appends it might never finish; one step reads
the whole file in a single read transaction, which WAL mode lets the service's
writers run beside.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url

from .manifest import BackupError, LogState, read_state

TOOL = f"sqlite3 online backup API (SQLite {sqlite3.sqlite_version})"


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} names no database file")
    return Path(database)


def dump(url: str, dest: Path, progress: Callable[[str], None]) -> tuple[LogState, str]:
    """Copy the database of `url` to `dest`; the state is read from the copy itself."""
    path = database_path(url)
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}: check GI_TRACE_DATABASE_URL or --db")
    progress(f"copying {path} ({path.stat().st_size} bytes) in one snapshot")
    with _opened(path, read_only=True) as source, _opened(dest) as target:
        _copy(source, target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            return read_state(conn), TOOL
    finally:
        engine.dispose()


def load(dump: Path, url: str, *, force: bool, progress: Callable[[str], None]) -> None:
    """Copy the dump into the database of `url`, which must be missing or empty unless `force`."""
    path = database_path(url)
    if _has_tables(path):
        if not force:
            raise BackupError(f"the target {path} is not empty: restore into a new database, or "
                              "pass --force to replace it (stop the service on it first)")
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    progress(f"copying {dump} into {path}")
    with _opened(dump, read_only=True) as source, _opened(path) as target:
        _copy(source, target)


def _has_tables(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with _opened(path, read_only=True) as conn:
        tables: int = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        return tables > 0


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    try:
        source.backup(target)  # pages=-1: everything in one step, i.e. one snapshot
    except sqlite3.Error as e:
        raise BackupError(f"SQLite backup failed: {e}") from e


@contextmanager
def _opened(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as e:
        raise BackupError(f"cannot open {path}: {e}") from e
    with closing(conn):
        yield conn
