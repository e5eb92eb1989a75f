"""The gi-trace commands as a user runs them: init, keys, sign, submit, audit over HTTP, demo."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rfc8785
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
    assert envelope.statement.key == regulator.key_id and envelope.statement.v == 2
    assert keys.verify(keys.public_bytes(regulator.key), envelope.statement.signing_input(),
                       envelope.signature)


def test_sign_seals_the_confidential_fields_with_fresh_salts(runner: CliRunner, tmp_path: Path,
                                                              regulator: Actor) -> None:
    key = write_key(regulator, tmp_path / "cnipa.pem")
    body = {"batch": "b-1", "product": "wuchang-rice-paddy", "lot": "L1", "quantity": "24000",
            "harvested": "2026-09-28", "origin": {"plot": "plot 3", "region": "230184"},
            "village": {"zh": "红光村", "en": "Hongguang village"}}
    statement = {"type": "batch.register", "actor": "cnipa", "ts": "2026-11-24T08:00:00Z",
                 "nonce": "wIwOFNPcHRgI8jA9lFU6JQ", "body": body}
    sent = [json.loads(runner.invoke(cli, ["sign", "--key", str(key)],
                                      input=json.dumps(statement)).output) for _ in range(2)]
    for envelope in sent:
        public = envelope["statement"]["body"]
        assert {k: v for k, v in public.items() if k != "_sd"} == {
            k: v for k, v in body.items() if k not in ("quantity", "origin")}
        assert {name: value for _, name, value in envelope["disclosures"]} == {
            "quantity": "24000", "origin": body["origin"]}
        # DESIGN.md's digest, computed with hashlib and rfc8785 rather than the project's code.
        assert public["_sd"] == sorted(
            base64.urlsafe_b64encode(hashlib.sha256(b"gi-trace/v2/disclosure\n"
                                                    + rfc8785.dumps(d)).digest()).rstrip(b"=").decode()
            for d in envelope["disclosures"])
        assert envelope["statement"]["ts"] == "2026-11-24T08:00:00Z"
    assert sent[0]["disclosures"][0][0] != sent[1]["disclosures"][0][0]  # a fresh salt each time


@pytest.mark.parametrize(("statement", "message"), [
    ({"type": "key.add", "actor": "cnipa"}, "statement.body"),
    ({"type": "key.add", "actor": "cnipa", "body": {}, "colour": "red"}, "unknown field"),
    ({"type": "key.add", "actor": "cnipa", "body": {}, "key": "00" * 32}, "statement.key"),
    ({"type": "key.add", "actor": "cnipa", "body": {}, "v": 1}, "statement.v"),
    ({"type": "no.such", "actor": "cnipa", "body": {}}, "statement.type"),
    ({"type": "label.void", "actor": "cnipa", "body": {"_sd": ["x"]}}, "in full"),
    ([1, 2], "JSON object"),
], ids=["missing-body", "unknown-field", "key-of-another", "v1", "unknown-type", "already-sealed",
        "not-an-object"])
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
