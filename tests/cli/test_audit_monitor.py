"""`gi-trace audit monitor` passes honest growth and alarms on a fork, a rollback, a rewrite
and a missing proof; its state survives between runs and is replaced atomically."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.wrappers import Request, Response

from gi_trace.cli.main import cli
from gi_trace.client.monitor import MonitorState, default_state_path
from gi_trace.ledger import keys, merkle
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.note import NoteSigner
from gi_trace.service import Service, initialize, open_service, operator_signer
from tests.live_server import live_server, serving_wsgi
from tests.support import Actor, instance_settings
from tests.tampering import SIZE, fill


def watch(url: str, state: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "monitor", "--url", url, "--state", str(state),
                                      "--once", *extra])
    return result.exit_code, result.output


@pytest.fixture
def filled(service: Service, regulator: Actor) -> Service:
    return fill(service, regulator)


@pytest.fixture
def twin(filled: Service, regulator: Actor, tmp_path: Path) -> Iterator[Service]:
    """A second log under the same operator key and origin, holding only its genesis: what
    an operator who keeps two histories would serve to different people."""
    settings = instance_settings(tmp_path / "twin", regulator.register_self())
    shutil.copy(filled.settings.operator_key, settings.operator_key)
    initialize(settings)
    service = open_service(settings)
    yield service
    service.engine.dispose()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "monitor" / "state.json"


@pytest.fixture
def seen(filled: Service, state: Path) -> Path:
    """The monitor has seen the filled log once (size SIZE)."""
    with live_server(filled.settings) as url:
        exit_code, output = watch(url, state, "--operator-key",
                                  operator_signer(filled.settings).vkey())
    assert exit_code == 0, output
    assert f"pinned the first checkpoint: size {SIZE}" in output
    return state


def test_honest_growth_passes_and_the_state_follows_it(filled: Service, regulator: Actor,
                                                      state: Path) -> None:
    with live_server(filled.settings) as url:
        exit_code, output = watch(url, state)
        assert exit_code == 0, output
        assert "pinned the first checkpoint" in output and "trust on first use" in output
        filled.log.append([regulator.note(1)])
        filled.log.append([regulator.note(2)])
        exit_code, output = watch(url, state)
        assert exit_code == 0, output
        assert f"grew from size {SIZE} to {SIZE + 2}: consistency proof verified" in output
        assert "trust on first use" not in output  # the key was pinned by the first run
        exit_code, output = watch(url, state)
        assert exit_code == 0 and f"unchanged: size {SIZE + 2}" in output
    saved = json.loads(state.read_text())
    assert saved["size"] == SIZE + 2 and saved["log_key"] == operator_signer(filled.settings).vkey()
    assert saved["checkpoint"] == filled.log.checkpoint()


def test_a_fork_is_an_alarm(seen: Path, twin: Service, regulator: Actor) -> None:
    fill(twin, regulator)  # the same size, other records: another root
    before = seen.read_text()
    with live_server(twin.settings) as url:
        exit_code, output = watch(url, seen)
    assert exit_code == 1
    assert f"ALARM (fork): two checkpoints of size {SIZE} with different roots" in output
    assert output.count("— test.gi-trace/log ") == 2  # the two signed checkpoints, as evidence
    assert seen.read_text() == before  # the evidence is kept for the next run too


def test_a_rollback_is_an_alarm(seen: Path, twin: Service) -> None:
    with live_server(twin.settings) as url:
        exit_code, output = watch(url, seen)
    assert exit_code == 1
    assert (f"ALARM (rollback): the log now signs a tree of size {twin.log.size()} after it "
            f"signed one of size {SIZE}") in output


def test_a_larger_tree_that_does_not_extend_the_old_one_is_an_alarm(
        seen: Path, twin: Service, regulator: Actor) -> None:
    fill(twin, regulator)
    twin.log.append([regulator.note(1)])
    with live_server(twin.settings) as url:
        exit_code, output = watch(url, seen)
    assert exit_code == 1
    assert f"checkpoint {SIZE + 1} does not extend checkpoint {SIZE}" in output


@contextmanager
def stub_server(routes: dict[str, tuple[int, str]]) -> Iterator[str]:
    """A server that answers fixed bodies: what a misbehaving operator can serve."""
    @Request.application
    def app(request: Request) -> Response:
        status, body = routes.get(request.path, (404, "not found"))
        return Response(body, status=status, content_type="text/plain")
    with serving_wsgi(app) as base:
        yield base


def test_a_missing_consistency_proof_is_an_alarm(seen: Path, filled: Service) -> None:
    signer = operator_signer(filled.settings)
    larger = Checkpoint(signer.name, SIZE + 5, merkle.leaf_hash(b"anything")).sign(signer)
    with stub_server({"/v1/log/checkpoint": (200, larger)}) as url:
        exit_code, output = watch(url, seen)
    assert exit_code == 1
    assert f"ALARM (missing-proof): the server gave no consistency proof from size {SIZE} to " \
           f"{SIZE + 5}" in output


def test_a_checkpoint_the_pinned_key_did_not_sign_is_an_alarm(filled: Service, state: Path) -> None:
    stranger = NoteSigner(filled.settings.origin, keys.generate())
    with live_server(filled.settings) as url:
        exit_code, output = watch(url, state, "--operator-key", stranger.vkey())
    assert exit_code == 1
    assert "ALARM (no-known-signature)" in output
    assert not state.exists()


def test_a_given_key_other_than_the_pinned_one_is_refused(seen: Path, filled: Service) -> None:
    stranger = NoteSigner(filled.settings.origin, keys.generate())
    with live_server(filled.settings) as url:
        exit_code, output = watch(url, seen, "--operator-key", stranger.vkey())
    assert exit_code == 1 and "pins another operator key" in output


def test_an_unreachable_server_is_not_an_alarm(seen: Path) -> None:
    exit_code, output = watch("http://127.0.0.1:9", seen)
    assert exit_code == 3
    assert "could not check" in output and "ALARM" not in output


def test_the_loop_ends_on_an_alarm(seen: Path, twin: Service) -> None:
    with live_server(twin.settings) as url:
        result = CliRunner().invoke(cli, ["audit", "monitor", "--url", url, "--state", str(seen),
                                          "--interval", "0.01"])
    assert result.exit_code == 1 and "ALARM (rollback)" in result.output


def test_the_state_is_replaced_whole_or_not_at_all(seen: Path, filled: Service, regulator: Actor,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = seen.read_text()

    def crash(*_: object) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    filled.log.append([regulator.note(1)])
    with live_server(filled.settings) as url:
        exit_code, _ = watch(url, seen)
    assert exit_code == 1
    assert seen.read_text() == before
    assert [p.name for p in seen.parent.iterdir()] == [seen.name]  # no temporary file left


def test_a_state_file_that_is_no_state_is_refused(state: Path, filled: Service) -> None:
    state.parent.mkdir(parents=True)
    state.write_text("[]")
    with live_server(filled.settings) as url:
        exit_code, output = watch(url, state)
    assert exit_code == 1 and "is not a monitor state" in output
    assert MonitorState.load(state.parent / "absent.json") is None


def test_the_default_state_is_named_after_the_url() -> None:
    path = default_state_path("https://gi.example:8443/log/")
    assert path.parent == Path.home() / ".gi-trace"
    assert path.name == "monitor-gi.example_8443_log.json"
