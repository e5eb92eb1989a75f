"""`gi-trace audit export` writes a bundle that `gi-trace audit verify BUNDLE` checks offline,
trusting nothing but the regulators file (and, when given, the operator's key)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gi_trace.cli.main import cli
from gi_trace.ledger.bundle import (
    CHECKPOINTS,
    GENESIS,
    KEYS,
    MANIFEST,
    RECORDS,
    BundleSource,
    checkpoint_line,
    record_line,
)
from gi_trace.ledger.genesis import save_genesis
from gi_trace.service import Service, operator_signer
from gi_trace.settings import Settings
from tests.cli.test_demo import demo_env
from tests.live_server import live_server
from tests.support import Actor
from tests.tampering import SIZE, TAMPERINGS, Stored, Tampering, fill

OFFLINE = {"GI_TRACE_DATABASE_URL": "sqlite:////nonexistent/gi-trace.db",
           "GI_TRACE_OPERATOR_KEY": "/nonexistent/operator.pem",
           "GI_TRACE_REGULATORS": "/nonexistent/regulators.json"}


def export(runner: CliRunner, out: Path, *source: str) -> str:
    result = runner.invoke(cli, ["audit", "export", "--out", str(out), *source])
    assert result.exit_code == 0, result.output
    return result.output


def verify(bundle: Path, regulators: str | Path, *extra: str) -> tuple[int, str]:
    """Run offline: the environment points at no database, key or regulators file."""
    result = CliRunner(env=OFFLINE).invoke(cli, ["audit", "verify", str(bundle), "--regulators",
                                                 str(regulators), *extra])
    return result.exit_code, result.output


@pytest.fixture
def filled(service: Service, regulator: Actor) -> Service:
    return fill(service, regulator)


@pytest.fixture
def bundle(filled: Service, runner: CliRunner, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    export(runner, out, "--db", filled.settings.database_url)
    return out


@pytest.fixture
def vkey(filled: Service) -> str:
    """The operator's key as an auditor gets it out of band."""
    return operator_signer(filled.settings).vkey()


def test_a_bundle_from_the_demo_verifies_with_no_database_and_no_server(tmp_path: Path) -> None:
    env, trusted = demo_env(tmp_path), tmp_path / "trusted-regulators.json"
    runner = CliRunner(env=env)
    assert runner.invoke(cli, ["demo", "--keys-dir", str(tmp_path / "keys")]).exit_code == 0
    vkey = operator_signer(Settings.from_env(env)).vkey()
    output = export(runner, tmp_path / "bundle", "--db", env["GI_TRACE_DATABASE_URL"])
    shutil.copy(env["GI_TRACE_REGULATORS"], trusted)
    for name in ("demo.db", "operator.pem", "regulators.json"):
        (tmp_path / name).unlink()
    manifest = json.loads((tmp_path / "bundle" / MANIFEST).read_text())
    assert f"{manifest['counts']['records']} records" in output
    assert manifest["tree_size"] == manifest["counts"]["records"] > 40
    assert manifest["counts"]["genesis"] == 1 and manifest["counts"]["keys"] >= 10

    exit_code, output = verify(tmp_path / "bundle", trusted, "--log-key", vkey)
    assert exit_code == 0, output
    assert f"OK: {manifest['tree_size']} records verified" in output
    assert "warning" not in output


def test_the_bundle_holds_the_statement_bytes_as_signed(bundle: Path, filled: Service) -> None:
    first = next(BundleSource(bundle).records())
    assert first.statement == filled.genesis[0].statement.canonical
    assert first.signature == filled.genesis[0].signature
    keys = json.loads((bundle / KEYS).read_text())
    assert {entry["org"] for entry in keys.values()} == {"cnipa", "minle-coop"}


def read(bundle: Path) -> Stored:
    source = BundleSource(bundle)
    return Stored(list(source.records()), list(source.checkpoints()))


def write(bundle: Path, stored: Stored) -> None:
    (bundle / RECORDS).write_text("".join(record_line(r) + "\n" for r in stored.records))
    (bundle / CHECKPOINTS).write_text("".join(checkpoint_line(*c) + "\n" for c in stored.checkpoints))


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=[t.name for t in TAMPERINGS])
def test_tampering_with_a_bundle_is_found(bundle: Path, filled: Service, regulator: Actor,
                                          vkey: str, tampering: Tampering) -> None:
    write(bundle, tampering.edit(read(bundle), regulator))
    exit_code, output = verify(bundle, filled.settings.regulators, "--log-key", vkey)
    assert exit_code == 1
    assert tampering.expected(output), output


def test_an_untouched_bundle_verifies_and_warns_when_no_log_key_is_pinned(
        bundle: Path, filled: Service) -> None:
    write(bundle, read(bundle))  # reading and writing back changes nothing
    exit_code, output = verify(bundle, filled.settings.regulators)
    assert exit_code == 0, output
    assert f"OK: {SIZE} records verified" in output
    assert "warning: using the log key the bundle itself holds" in output


def test_a_bundle_whose_genesis_is_not_the_trusted_regulators_fails(bundle: Path, tmp_path: Path,
                                                                   vkey: str) -> None:
    impostor = tmp_path / "other-regulators.json"
    save_genesis([Actor("cnipa").register_self()], impostor)  # same name, another key
    exit_code, output = verify(bundle, impostor, "--log-key", vkey)
    assert exit_code == 1
    assert "(genesis-mismatch)" in output and "differ on cnipa" in output


def rewrite_json(path: Path, change: dict[str, object]) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))


def test_a_key_index_that_is_not_the_logs_fails(bundle: Path, filled: Service, vkey: str) -> None:
    keys = json.loads((bundle / KEYS).read_text())
    first = next(iter(keys))
    rewrite_json(bundle / KEYS, {first: {**keys[first], "org": "minle-coop"}})
    exit_code, output = verify(bundle, filled.settings.regulators, "--log-key", vkey)
    assert exit_code == 1 and "(bundle-keys)" in output


def test_a_manifest_that_is_not_the_logs_fails(bundle: Path, filled: Service, vkey: str) -> None:
    rewrite_json(bundle / MANIFEST, {"tree_size": SIZE + 1})
    exit_code, output = verify(bundle, filled.settings.regulators, "--log-key", vkey)
    assert exit_code == 1 and "(bundle-manifest)" in output and "tree_size" in output


def test_a_genesis_file_that_is_not_the_logs_fails(bundle: Path, regulator: Actor, vkey: str,
                                                   tmp_path: Path) -> None:
    """Same regulator and key, but not the registration the log opens with."""
    save_genesis([regulator.register_self()], bundle / GENESIS)
    exit_code, output = verify(bundle, bundle / GENESIS, "--log-key", vkey)
    assert exit_code == 1 and "(bundle-genesis)" in output


def test_a_broken_line_is_named_without_a_traceback(bundle: Path, filled: Service, vkey: str) -> None:
    lines = (bundle / RECORDS).read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace('"prev": "', '"prev": "zz')
    (bundle / RECORDS).write_text("".join(lines))
    exit_code, output = verify(bundle, filled.settings.regulators, "--log-key", vkey)
    assert exit_code == 1 and "Traceback" not in output
    assert f"{RECORDS} line 4: prev: not hex" in output


def test_a_directory_that_is_no_bundle_is_refused(tmp_path: Path, filled: Service) -> None:
    exit_code, output = verify(tmp_path, filled.settings.regulators)
    assert exit_code == 1 and "is not an audit bundle" in output


def test_export_refuses_to_overwrite(bundle: Path, filled: Service, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["audit", "export", "--out", str(bundle), "--db",
                                 filled.settings.database_url])
    assert result.exit_code == 1 and "already exists" in result.output
    assert [p.name for p in bundle.parent.iterdir() if p.name.startswith(".")] == []


def test_a_bundle_exported_from_a_server_verifies(filled: Service, runner: CliRunner, vkey: str,
                                                  tmp_path: Path) -> None:
    with live_server(filled.settings) as url:
        export(runner, tmp_path / "bundle", "--url", url, "--log-key", vkey)
    assert len((tmp_path / "bundle" / CHECKPOINTS).read_text().splitlines()) == 1  # the latest
    exit_code, output = verify(tmp_path / "bundle", filled.settings.regulators, "--log-key", vkey)
    assert exit_code == 0, output


def test_verify_takes_one_source(bundle: Path, filled: Service) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify", str(bundle), "--db",
                                      filled.settings.database_url])
    assert result.exit_code == 2 and "not both" in result.output
