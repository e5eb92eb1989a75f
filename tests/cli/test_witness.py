"""`gi-trace witness`: cosign a growing log over HTTP; refuse a fork, a rollback or a rewrite.

Two servers share the operator key and the genesis, then diverge: to a witness
that followed the first, the second is the same log presenting another history.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gi_trace.cli import witness as witness_cli
from gi_trace.cli.main import cli
from gi_trace.client.http import Http
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.cosignature import CosignatureVerifier, open_cosignatures
from gi_trace.ledger.log import Log
from gi_trace.service import initialize, open_service
from gi_trace.settings import Settings
from tests.live_server import live_server
from tests.support import Actor, instance_settings

NAME = "witness.hlj-amr.example/w1"


@dataclass
class Instance:
    settings: Settings
    url: str
    log: Log
    producer: Actor

    def grow(self, count: int) -> None:
        """Append `count` notes; each is new (fresh key and nonce), so two logs diverge."""
        self.log.append([self.producer.note(i) for i in range(count)])

    def get(self, path: str) -> str:
        return Http(self.url).get_text(path)


@dataclass
class Setup:
    runner: CliRunner
    state: Path
    witness: CosignatureVerifier
    a: Instance
    b: Instance

    def cosign(self, instance: Instance, *args: str) -> Result:
        return self.runner.invoke(cli, ["witness", "cosign", "--url", instance.url,
                                        "--state", str(self.state), *args])

    def held(self) -> Checkpoint:
        text = (self.state / "checkpoint").read_text()
        return Checkpoint.from_text(text.split("\n\n")[0] + "\n")


@pytest.fixture
def setup(tmp_path: Path, regulator: Actor) -> Iterator[Setup]:
    runner = CliRunner()
    state = tmp_path / "witness"
    result = runner.invoke(cli, ["witness", "init", "--name", NAME, "--key",
                                 str(tmp_path / "witness.pem"), "--state", str(state)])
    assert result.exit_code == 0, result.output
    vkey = result.stdout.strip()
    genesis = regulator.register_self()
    producer = Actor("wuchang-coop")
    with ExitStack() as stack:
        instances = []
        for name in ("a", "b"):
            settings = instance_settings(tmp_path / name, genesis)
            if name == "b":  # the same operator key: one log, to anyone who checks signatures
                shutil.copy(tmp_path / "a" / "operator.pem", settings.operator_key)
            Path(settings.witnesses).write_text(vkey + "\n")
            initialize(settings)
            service = open_service(settings)
            stack.callback(service.engine.dispose)
            service.log.append([regulator.register(producer, ["producer"])])
            url = stack.enter_context(live_server(settings))
            instances.append(Instance(settings, url, service.log, producer))
        yield Setup(runner, state, CosignatureVerifier.from_vkey(vkey), *instances)


def test_init_prints_a_cosignature_vkey_and_never_overwrites(setup: Setup, tmp_path: Path) -> None:
    assert setup.witness.name == NAME
    assert base64.b64decode(setup.witness.vkey().split("+", 2)[2])[0] == 0x04
    again = setup.runner.invoke(cli, ["witness", "init", "--name", NAME, "--key",
                                      str(tmp_path / "witness.pem"), "--state",
                                      str(tmp_path / "other")])
    assert again.exit_code != 0
    assert "refusing to overwrite" in again.output


def test_witness_cosigns_a_growing_log(setup: Setup) -> None:
    first = setup.cosign(setup.a)
    assert first.exit_code == 0, first.output
    assert "cosigned test.gi-trace/log at size 2 (first checkpoint)" in first.stdout
    assert "pinned the log key the server itself serves" in first.stderr
    setup.a.grow(5)
    second = setup.cosign(setup.a, "--once")
    assert second.exit_code == 0, second.output
    assert "at size 7 (from 2)" in second.stdout
    assert second.stderr == ""
    assert setup.held().size == 7
    note = setup.a.get("/v1/log/checkpoint/cosigned")
    assert "\n7\n" in note
    _, found = open_cosignatures(note, [setup.witness])
    assert [c.name for c in found] == [NAME]


@pytest.mark.parametrize(("grow_b", "code"), [(0, "rollback"), (1, "fork"), (4, "inconsistent")])
def test_witness_refuses_another_history_and_signs_nothing(setup: Setup, grow_b: int,
                                                           code: str) -> None:
    setup.a.grow(1)
    assert setup.cosign(setup.a).exit_code == 0
    held = (setup.state / "checkpoint").read_bytes()
    if grow_b:
        setup.b.grow(grow_b)
    result = setup.cosign(setup.b)
    assert result.exit_code == 1
    assert "REFUSED to cosign, nothing was signed" in result.stderr
    assert code in result.stderr
    assert (setup.state / "checkpoint").read_bytes() == held
    with pytest.raises(Exception, match="404"):
        setup.b.get("/v1/log/checkpoint/cosigned")


def test_witness_refuses_a_checkpoint_not_signed_by_the_pinned_key(setup: Setup,
                                                                   tmp_path: Path) -> None:
    assert setup.cosign(setup.a).exit_code == 0
    impostor = instance_settings(tmp_path / "c", Actor("cnipa").register_self())
    Path(impostor.witnesses).write_text(setup.witness.vkey() + "\n")
    initialize(impostor)
    with live_server(impostor) as url:
        result = setup.runner.invoke(cli, ["witness", "cosign", "--url", url,
                                           "--state", str(setup.state)])
    assert result.exit_code == 1
    assert "REFUSED to cosign" in result.stderr
    assert "not signed by any known key" in result.stderr


def test_a_pinned_log_key_is_used_from_the_start(setup: Setup, tmp_path: Path) -> None:
    state = tmp_path / "pinned"
    log_key = setup.a.get("/v1/log/key").strip()
    result = setup.runner.invoke(cli, ["witness", "init", "--name", "w.example/w2", "--key",
                                       str(tmp_path / "w2.pem"), "--state", str(state),
                                       "--log-key", log_key])
    assert result.exit_code == 0, result.output
    cosign = setup.runner.invoke(cli, ["witness", "cosign", "--url", setup.a.url,
                                       "--state", str(state)])
    assert "pinned the log key" not in cosign.stderr
    assert cosign.exit_code == 1  # the server lists only the first witness, not this one
    assert "unknown-witness" in cosign.stderr


def test_interval_keeps_cosigning_until_stopped(setup: Setup,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rounds = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt
        setup.a.grow(3)

    monkeypatch.setattr(witness_cli, "sleep", sleep)
    result = setup.cosign(setup.a, "--interval", "30")
    assert rounds == [30, 30]
    assert result.stdout.count("cosigned") == 2
    assert "at size 5 (from 2)" in result.stdout
    assert setup.held().size == 5


def test_once_and_interval_exclude_each_other(setup: Setup) -> None:
    result = setup.cosign(setup.a, "--once", "--interval", "5")
    assert result.exit_code == 2
    assert "not both" in result.output
