"""`gi-trace backup` and `restore`: the restore drill of a live service, on SQLite and on the
real PostgreSQL server, and the clear refusals around it."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from gi_trace.backup import Manifest
from gi_trace.cli.main import cli
from gi_trace.ledger import keys
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.note import NoteSigner, NoteVerifier
from gi_trace.service import initialize, open_service, operator_signer
from gi_trace.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live_server import live_server
from tests.live_writer import append, assert_consistent, checkpoint, writing
from tests.support import Actor


def gi_trace(settings: Settings, *args: str, **env: str) -> Result:
    env |= {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(settings).items()}
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


@pytest.fixture
def backed_up(live: Settings, tmp_path: Path) -> Path:
    out = tmp_path / "backup"
    result = gi_trace(live, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_a_restore_over_a_database_that_is_not_empty_needs_force(live: Settings, backed_up: Path) -> None:
    refused = gi_trace(live, "restore", str(backed_up))
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "--force" in refused.output
    forced = gi_trace(live, "restore", str(backed_up), "--force")
    assert forced.exit_code == 0, forced.output
    assert gi_trace(live, "audit", "verify", "--db", live.database_url).exit_code == 0


def _damage(backup: Path) -> list[str]:
    dump = next(p for p in backup.iterdir() if p.name != "manifest.json")
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 1
    dump.write_bytes(bytes(data))
    return []


def _other_operator(_backup: Path) -> list[str]:
    return ["--log-key", NoteSigner("test.gi-trace/log", keys.generate()).vkey()]


def _no_manifest(backup: Path) -> list[str]:
    (backup / "manifest.json").unlink()
    return []


RESTORE_REFUSALS = [
    pytest.param(_damage, "does not match its manifest's sha256", id="damaged-dump"),
    pytest.param(_other_operator, "the restored log does not audit", id="another-operator-key"),
    pytest.param(_no_manifest, "not a gi-trace backup", id="no-manifest"),
]


@pytest.mark.parametrize(("spoil", "message"), RESTORE_REFUSALS)
def test_a_restore_that_cannot_be_trusted_fails_clearly(live: Settings, backed_up: Path, target_url: str,
                                                        spoil: Any, message: str) -> None:
    result = gi_trace(live, "restore", str(backed_up), "--db", target_url, *spoil(backed_up))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_backup_restores_only_into_its_own_backend(live: Settings, backed_up: Path,
                                                     tmp_path: Path) -> None:
    other = ("sqlite:///" + str(tmp_path / "other.db") if live.database_url.startswith("postgres")
             else "postgresql://postgres@127.0.0.1:5432/test")
    result = gi_trace(live, "restore", str(backed_up), "--db", other)
    assert result.exit_code == 1
    assert "backup cannot be restored into" in result.output


BACKUP_REFUSALS = [
    pytest.param(lambda tmp: f"sqlite:///{tmp}/missing.db", "no SQLite database at", id="no-sqlite-file"),
    pytest.param(lambda tmp: "postgresql://postgres@127.0.0.1:1/gi_trace", "cannot connect to",
                 id="postgres-unreachable"),
    pytest.param(lambda tmp: "mysql://root@localhost/gi", "only SQLite and PostgreSQL", id="other-backend"),
]


@pytest.mark.parametrize(("url", "message"), BACKUP_REFUSALS)
def test_a_backup_of_a_wrong_url_fails_clearly(settings: Settings, tmp_path: Path, url: Any,
                                               message: str) -> None:
    result = gi_trace(settings, "backup", "--out", str(tmp_path / "backup"), "--db", url(tmp_path))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "backup").exists()


def test_a_backup_of_a_database_that_is_no_log_fails_clearly(settings: Settings, target_url: str,
                                                             tmp_path: Path) -> None:
    engine = make_engine(target_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE unrelated (id INTEGER)"))
    engine.dispose()
    result = gi_trace(settings, "backup", "--out", str(tmp_path / "backup"), "--db", target_url)
    assert result.exit_code == 1
    assert "not a gi-trace database" in result.output


def test_a_backup_goes_into_a_new_directory(live: Settings, backed_up: Path) -> None:
    result = gi_trace(live, "backup", "--out", str(backed_up))
    assert result.exit_code == 1
    assert "is not an empty directory" in result.output
    assert Manifest.load(backed_up).log_size == 2  # the first backup left as it was


@pytest.mark.postgres
def test_a_postgres_backup_without_pg_dump_says_what_to_install(settings: Settings, postgres_url: str,
                                                                tmp_path: Path) -> None:
    result = gi_trace(settings, "backup", "--out", str(tmp_path / "backup"), "--db", postgres_url,
                      PATH=str(tmp_path))
    assert result.exit_code == 1
    assert "pg_dump not found on PATH" in result.output
