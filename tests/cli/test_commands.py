"""The gi-trace commands as a user runs them: init, keys, sign, submit, audit over HTTP, demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gi_trace.cli.main import cli
from gi_trace.ledger import keys
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.live_server import live_server
from tests.support import Actor


@pytest.fixture
def server(service: Service, settings: Settings) -> Iterator[str]:
    with live_server(settings) as url:
        yield url


def test_init_creates_key_database_and_genesis(runner: CliRunner, settings: Settings) -> None:
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert "created operator key" in result.output
    assert "genesis: 1 regulator(s) registered" in result.output
    assert Path(settings.operator_key).exists()
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 0 and "log size 1" in again.output and "created" not in again.output


def test_init_warns_without_a_regulators_file(runner: CliRunner, settings: Settings) -> None:
    Path(settings.regulators).unlink()
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0
    assert "no regulators file" in result.output


def test_keys_new_writes_a_private_key_and_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "producer.pem"
    result = runner.invoke(cli, ["keys", "new", "--out", str(out)])
    assert result.exit_code == 0
    key_id = keys.private_key_id(keys.load_private_key(out))
    assert key_id in result.output
    assert runner.invoke(cli, ["keys", "show", str(out)]).output.count(key_id) == 1
    again = runner.invoke(cli, ["keys", "new", "--out", str(out)])
    assert again.exit_code != 0 and "refusing to overwrite" in again.output


def write_key(actor: Actor, path: Path) -> Path:
    keys.save_private_key(actor.key, path)
    return path


def test_sign_fills_in_and_signs(runner: CliRunner, tmp_path: Path, regulator: Actor) -> None:
    key = write_key(regulator, tmp_path / "cnipa.pem")
    statement = tmp_path / "statement.json"
    body = {"org": "cnipa", "pub": Actor("cnipa").pub, "reason": "note 1"}
    statement.write_text(json.dumps({"type": "key.add", "actor": "cnipa", "body": body}))
    result = runner.invoke(cli, ["sign", "--key", str(key), str(statement)])
    assert result.exit_code == 0, result.output
    envelope = Envelope.from_dict(json.loads(result.output))
    assert (envelope.statement.type, envelope.statement.actor, envelope.statement.body) == (
        "key.add", "cnipa", body)
    assert envelope.statement.key == regulator.key_id
    assert keys.verify(keys.public_bytes(regulator.key), envelope.statement.signing_input(),
                       envelope.signature)


@pytest.mark.parametrize(("statement", "message"), [
    ({"type": "key.add", "actor": "cnipa"}, "statement.body"),
    ({"type": "key.add", "actor": "cnipa", "body": {}, "colour": "red"}, "unknown field"),
    ({"type": "key.add", "actor": "cnipa", "body": {}, "key": "00" * 32}, "statement.key"),
    ([1, 2], "JSON object"),
], ids=["missing-body", "unknown-field", "key-of-another", "not-an-object"])
def test_sign_refuses_bad_statements_clearly(runner: CliRunner, tmp_path: Path, regulator: Actor,
                                             statement: object, message: str) -> None:
    key = write_key(regulator, tmp_path / "cnipa.pem")
    result = runner.invoke(cli, ["sign", "--key", str(key)], input=json.dumps(statement))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_submit_appends_and_reports_problems(runner: CliRunner, server: str, service: Service,
                                             regulator: Actor, tmp_path: Path) -> None:
    envelope = tmp_path / "envelope.json"
    envelope.write_text(json.dumps(regulator.note(1).to_dict()))
    result = runner.invoke(cli, ["submit", "--url", server, str(envelope)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("seq 1  leaf ")
    replay = runner.invoke(cli, ["submit", "--url", server, str(envelope)])
    assert replay.exit_code == 1
    assert "HTTP 409 replayed-nonce [statement.nonce]" in replay.output
    assert service.log.size() == 2


def test_submit_sends_a_list(runner: CliRunner, server: str, regulator: Actor) -> None:
    payload = json.dumps([regulator.note(n).to_dict() for n in range(3)])
    result = runner.invoke(cli, ["submit", "--url", server], input=payload)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("seq ")] == ["1", "2", "3"]
    assert "included in checkpoint of size 4 (verified)" in lines


def test_audit_over_http_passes_and_pins_the_log_key(runner: CliRunner, server: str, service: Service,
                                                     regulator: Actor) -> None:
    service.log.append([regulator.note(n) for n in range(5)])
    vkey = service.log.signer.vkey()
    result = runner.invoke(cli, ["audit", "verify", "--url", server, "--log-key", vkey])
    assert result.exit_code == 0, result.output
    assert "OK: 6 records verified" in result.output
    wrong = NoteSigner(service.log.origin, keys.generate()).vkey()
    refused = runner.invoke(cli, ["audit", "verify", "--url", server, "--log-key", wrong])
    assert refused.exit_code == 1 and "(bad-checkpoint)" in refused.output


def test_audit_needs_exactly_one_source(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 2 and "exactly one of --db or --url" in result.output


def test_demo_loads_once_and_audits(tmp_path: Path) -> None:
    env = {"GI_TRACE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
           "GI_TRACE_OPERATOR_KEY": str(tmp_path / "operator.pem"),
           "GI_TRACE_REGULATORS": str(tmp_path / "regulators.json")}
    runner = CliRunner(env=env)
    keys_dir = tmp_path / "keys"
    first = runner.invoke(cli, ["demo", "--keys-dir", str(keys_dir)])
    assert first.exit_code == 0, first.output
    assert "demo loaded" in first.output and (keys_dir / "cnipa.pem").exists()
    second = runner.invoke(cli, ["demo", "--keys-dir", str(keys_dir)])
    assert "not loaded again" in second.output
    audit = runner.invoke(cli, ["audit", "verify", "--db", env["GI_TRACE_DATABASE_URL"]])
    assert audit.exit_code == 0, audit.output


def test_commands_before_init_say_what_to_do(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["projections", "rebuild"])
    assert result.exit_code == 1
    assert "run `gi-trace init`" in result.output and "Traceback" not in result.output
