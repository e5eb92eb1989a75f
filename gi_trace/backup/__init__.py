"""Back up a live service's database and restore it, checked: `gi-trace backup` / `restore`.

A backup is a directory: the dump (SQLite's online backup, or pg_dump's custom
format) and manifest.json, the log state read in the dump's own snapshot. A restore
is accepted only when the restored log audits from its genesis and ends at exactly
the manifest's checkpoint.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from gi_trace.ledger.database import make_engine
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Envelope
from gi_trace.service import audit_log

from . import postgres, sqlite
from .manifest import BackupError, Manifest, file_sha256, read_state

__all__ = ["BackupError", "Manifest", "backup", "restore"]

Progress = Callable[[str], None]
DUMP_NAMES = {"sqlite": "gi-trace.db", "postgresql": "gi-trace.pgdump"}


def backend_of(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as e:
        raise BackupError(f"not a database URL: {url!r}") from e
    if backend not in DUMP_NAMES:
        raise BackupError(f"cannot back up a {backend} database: only SQLite and PostgreSQL")
    return backend


def backup(url: str, out: Path, progress: Progress = lambda _: None) -> Manifest:
    """Dump the database of `url`, live or not, into the new or empty directory `out`."""
    backend = backend_of(url)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} exists and is not an empty directory: back up into a new one")
    out.mkdir(parents=True, exist_ok=True)
    dump = out / DUMP_NAMES[backend]
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        if backend == "sqlite":
            state, tool = sqlite.dump(url, dump, progress)
        else:
            state, tool = postgres.dump(url, dump, progress)
        manifest = Manifest(backend, dump.name, file_sha256(dump), tool, state.size,
                            state.root_hash, state.checkpoint, state.revision, created_at)
        manifest.save(out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half backup that looks whole
        raise
    return manifest


def restore(url: str, directory: Path, operator: NoteVerifier, genesis: list[Envelope], *,
            force: bool = False, progress: Progress = lambda _: None) -> Manifest:
    """Restore the backup in `directory` into the database of `url`, then check it: the log
    audits (trusting `operator` and `genesis` only) and ends at the manifest's checkpoint."""
    manifest = Manifest.load(directory)
    backend = backend_of(url)
    if backend != manifest.backend:
        raise BackupError(f"a {manifest.backend} backup cannot be restored into {backend}")
    dump = manifest.check_dump(directory)
    if backend == "sqlite":
        sqlite.load(dump, url, force=force, progress=progress)
    else:
        postgres.load(dump, url, force=force, progress=progress, made_by=manifest.tool)
    check_restored(url, manifest, operator, genesis, progress)
    return manifest


def check_restored(url: str, manifest: Manifest, operator: NoteVerifier, genesis: list[Envelope],
                   progress: Progress) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            state = read_state(conn)
        if not manifest.matches(state):
            raise BackupError(f"the restored log ends at size {state.size} root {state.root_hash}, "
                              f"the manifest at size {manifest.log_size} root {manifest.root_hash}")
        progress(f"auditing the restored log of {state.size} records")
        with DatabaseSource(engine) as source:
            result = audit_log(source, operator, genesis, progress=_every_tenth(progress))
    finally:
        engine.dispose()
    if not result:
        assert result.failure is not None
        raise BackupError(f"the restored log does not audit: seq {result.failure.seq}: "
                          f"{result.failure.reason} ({result.failure.code})")
    assert result.checkpoint is not None
    audited = (result.checkpoint.size, base64.b64encode(result.checkpoint.root_hash).decode())
    if audited != (manifest.log_size, manifest.root_hash):
        raise BackupError(f"the audit verified the tree of size {audited[0]} root {audited[1]}, "
                          f"the manifest says size {manifest.log_size} root {manifest.root_hash}")


def _every_tenth(progress: Progress) -> Callable[[int, int], None]:
    """The audit's (done, total) as a line each tenth of the way."""
    said = {-1}

    def report(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth not in said:
            said.add(tenth)
            progress(f"audited {done}/{total}")
    return report
