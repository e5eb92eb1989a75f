"""What a backup says about itself: the log state its snapshot holds, read inside that snapshot.

The manifest is the restore's yardstick: a restored database must audit and hold
exactly this checkpoint, so it is read in the very snapshot the dump copies, never
from the live database a moment before or after.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select

from gi_trace.ledger import schema

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says what to do."""


@dataclass(frozen=True)
class LogState:
    """The latest checkpoint of a database and its schema revision."""

    size: int
    root_hash: str  # base64, as in the checkpoint note
    checkpoint: str  # the signed note
    revision: str


def read_state(conn: Connection) -> LogState:
    """The log state `conn` sees; refuses a database that is not a gi-trace log, or whose
    records and checkpoint disagree (a snapshot that is not one)."""
    if not inspect(conn).has_table(schema.checkpoints.name):
        raise BackupError("not a gi-trace database (no checkpoints table): run `gi-trace init` "
                          "or check the URL")
    c = schema.checkpoints.c
    latest = conn.execute(select(c.size, c.root, c.note).order_by(c.size.desc()).limit(1)).first()
    if latest is None:
        raise BackupError("the log is empty (no checkpoint yet): nothing to back up")
    records = int(conn.scalar(select(func.count()).select_from(schema.records)) or 0)
    if records != latest.size:
        raise BackupError(f"{records} records but the latest checkpoint is of {latest.size}: "
                          "the copy is not one consistent snapshot")
    revision = MigrationContext.configure(conn).get_current_revision() or "none"
    return LogState(int(latest.size), base64.b64encode(bytes(latest.root)).decode(),
                    str(latest.note), revision)


@dataclass(frozen=True)
class Manifest:
    """Written beside the dump as manifest.json."""

    backend: str  # "sqlite" or "postgresql"
    dump: str  # the dump's file name, in the manifest's directory
    sha256: str  # of the dump, so a damaged copy is refused before it is restored
    tool: str  # what made the dump (sqlite3 backup API, or pg_dump and its version)
    log_size: int
    root_hash: str
    checkpoint: str
    revision: str  # Alembic revision of the schema the dump holds
    created_at: str  # UTC, ISO 8601

    def save(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as e:
            raise BackupError(f"no {MANIFEST} in {directory}: not a gi-trace backup") from e
        except (ValueError, TypeError) as e:
            raise BackupError(f"{path} is not a gi-trace backup manifest: {e}") from e

    def check_dump(self, directory: Path) -> Path:
        """The dump's path, once its bytes are the ones the manifest recorded."""
        path = directory / self.dump
        if not path.is_file():
            raise BackupError(f"the dump {path} is missing")
        if file_sha256(path) != self.sha256:
            raise BackupError(f"the dump {path} does not match its manifest's sha256: damaged copy")
        return path

    def matches(self, state: LogState) -> bool:
        return (state.size, state.root_hash, state.checkpoint) == (
            self.log_size, self.root_hash, self.checkpoint)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
