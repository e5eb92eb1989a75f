"""PostgreSQL: pg_dump in the custom format, of a snapshot the manifest is read in too.

A REPEATABLE READ transaction exports its snapshot (pg_export_snapshot) and reads
the latest checkpoint; pg_dump --snapshot then dumps exactly what that transaction
saw, while the service goes on appending. Restores run pg_restore in one
transaction: a failed restore leaves the target as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, OperationalError

from gi_trace.ledger.database import make_engine

from .manifest import BackupError, LogState, read_state

_MAJOR = re.compile(r"\(PostgreSQL\) (\d+)")


def major_of(version: str) -> int:
    """The major version in a tool's `--version` line, e.g. 15 of "pg_dump (PostgreSQL) 15.20"."""
    found = _MAJOR.search(version)
    if found is None:
        raise BackupError(f"cannot tell the PostgreSQL version of {version!r}")
    return int(found.group(1))


def tool(name: str) -> tuple[str, str]:
    """The path and `--version` line of a PostgreSQL client program."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client programs of "
                          "the server's major version (Debian: postgresql-client-<major>)")
    version = subprocess.run([path, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    return path, version


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, and the environment that carries its password (kept out of
    the command line, which other users of the machine can see)."""
    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def dump(url: str, dest: Path, progress: Callable[[str], None]) -> tuple[LogState, str]:
    pg_dump, version = tool("pg_dump")
    dsn, env = libpq(url)
    with _engine(url) as engine:
        with _connected(engine) as conn:
            server = int(conn.scalar(text("SHOW server_version_num")) or 0) // 10000
        if major_of(version) < server:
            raise BackupError(f"{version} cannot dump a PostgreSQL {server} server: install "
                              f"postgresql-client-{server}")
        with _connected(engine) as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                state = read_state(conn)
                progress(f"log size {state.size}: dumping that snapshot with {version}")
                _run([pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                      "--verbose", f"--file={dest}", f"--dbname={dsn}"], env, progress)
    return state, version


def load(dump: Path, url: str, *, force: bool, progress: Callable[[str], None], made_by: str) -> None:
    """pg_restore `dump` into the database of `url`, which must hold no table unless `force`."""
    pg_restore, version = tool("pg_restore")
    if major_of(version) < major_of(made_by):
        raise BackupError(f"{version} cannot read a dump of {made_by}: install a newer "
                          "postgresql-client")
    with _engine(url) as engine, _connected(engine) as conn:
        tables = inspect(conn).get_table_names()
    if tables and not force:
        raise BackupError(f"the target database is not empty ({len(tables)} tables, e.g. "
                          f"{sorted(tables)[0]}): restore into an empty one, or pass --force to "
                          "replace what the dump holds (stop the service on it first)")
    dsn, env = libpq(url)
    clean = ["--clean", "--if-exists"] if tables else []
    _run([pg_restore, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
          "--verbose", *clean, f"--dbname={dsn}", str(dump)], env, progress)


def _run(args: list[str], env: dict[str, str], progress: Callable[[str], None]) -> None:
    """Run a client program, passing on which table it is at; its last words on failure."""
    name = Path(args[0]).name
    tail: deque[str] = deque(maxlen=10)
    with subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        for line in process.stderr:
            line = line.rstrip()
            tail.append(line)
            if "contents of table" in line or "data for table" in line:
                progress(line.removeprefix(f"{name}: "))
    if process.returncode != 0:
        detail = "\n".join(line for line in tail if "error" in line.lower()) or "\n".join(tail)
        raise BackupError(f"{name} failed (exit {process.returncode}): {detail}")


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    try:
        engine = make_engine(url)
    except ArgumentError as e:
        raise BackupError(f"not a database URL: {url}") from e
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _connected(engine: Engine) -> Iterator[Connection]:
    try:
        conn = engine.connect()
    except OperationalError as e:
        where = engine.url.render_as_string(hide_password=True)
        raise BackupError(f"cannot connect to {where}: {str(e.orig).strip().splitlines()[0]}") from e
    with conn:
        yield conn
