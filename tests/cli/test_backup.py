"""`gi-trace backup` and `restore`: the restore drill of a live service, on SQLite and on the
real PostgreSQL server, and the clear refusals around it."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from gi_trace.backup import Manifest
from gi_trace.cli.main import cli
from gi_trace.ledger.note import NoteVerifier
from gi_trace.service import initialize, open_service, operator_signer
from gi_trace.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live_server import live_server
from tests.live_writer import append, assert_consistent, checkpoint, writing
from tests.support import Actor


def gi_trace(settings: Settings, *args: str) -> Result:
    env = {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(settings).items()}
    return CliRunner(env=env).invoke(cli, list(args))


PRODUCER = Actor("wuchang-coop")


@pytest.fixture
def live(settings: Settings, database_url: str, regulator: Actor) -> Settings:
    """An initialised instance on SQLite or PostgreSQL, PRODUCER registered in it."""
    settings = replace(settings, database_url=database_url)
    initialize(settings)
    service = open_service(settings)
    try:
        service.log.append([regulator.register(PRODUCER, ["producer"])])
    finally:
        service.engine.dispose()
    return settings


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend: a new file, or a new database on the server."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored/gi-trace.db"
        return
    name = f"gi_trace_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def operator(settings: Settings) -> NoteVerifier:
    return operator_signer(settings).verifier()


def test_restore_drill_of_a_live_service(live: Settings, target_url: str, tmp_path: Path) -> None:
    backup_dir = tmp_path / "backup"
    with live_server(live) as base, writing(base, PRODUCER) as writer:
        writer.wait_for(5)
        acked_before = list(writer.acked)
        result = gi_trace(live, "backup", "--out", str(backup_dir))
        assert result.exit_code == 0, result.output
        writer.wait_for(len(writer.acked) + 5)  # the service went on appending meanwhile
    assert not writer.refused
    manifest = Manifest.load(backup_dir)
    assert sorted(json.loads((backup_dir / "manifest.json").read_text())) == sorted(asdict(manifest))
    # genesis, the producer's registration, and at least what was acknowledged before it began
    assert max(entry["seq"] for entry in acked_before) < manifest.log_size
    assert manifest.log_size < 2 + len(writer.acked)

    restored = replace(live, database_url=target_url)
    result = gi_trace(restored, "restore", str(backup_dir))
    assert result.exit_code == 0, result.output
    assert f"restored and audited: log size {manifest.log_size}" in result.stdout
    result = gi_trace(restored, "audit", "verify", "--db", target_url)
    assert result.exit_code == 0, result.output
    assert f"OK: {manifest.log_size} records verified" in result.stdout

    with live_server(restored) as base:
        served = checkpoint(base, operator(live))
        assert (served.size, served.root_hash) == (manifest.log_size,
                                                   base64.b64decode(manifest.root_hash))
        status, appended = append(base, PRODUCER.note(-1))
        assert (status, appended["seq"]) == (201, manifest.log_size)
        extended = checkpoint(base, operator(live))
        assert extended.size == manifest.log_size + 1
        assert_consistent(base, served, extended)
    assert gi_trace(restored, "audit", "verify", "--db", target_url).exit_code == 0
