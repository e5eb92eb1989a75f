"""`gi-trace epcis export`: the journey or a period from a live server, as the caller may read it,
written as one EPCIS 2.0 document that validates against GS1's schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gi_trace.cli import epcis as epcis_cli
from gi_trace.cli.main import cli
from gi_trace.ledger import keys
from tests.client.shared import Shared, open_shared
from tests.domain.world import harvest_to_shelf
from tests.epcis_schema import schema_errors
from tests.support import Actor


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    with open_shared(tmp_path_factory.mktemp("shared")) as world:
        for envelope in harvest_to_shelf(world.world):
            world.service.log.append([envelope])
        yield world


def export(shared: Shared, actor: Actor, tmp_path: Path, *args: str) -> Result:
    key = tmp_path / f"{actor.org}.pem"
    if not key.exists():
        keys.save_private_key(actor.key, key)
    return CliRunner().invoke(cli, ["epcis", "export", "--url", shared.url, "--org", actor.org,
                                    "--key", str(key), "--log-key", shared.log_key, *args])


def written(result: Result, path: Path) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    events: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    assert f"wrote {len(events)} events to {path}" in result.output
    return events


def test_a_producer_exports_its_batch_journey(shared: Shared, tmp_path: Path) -> None:
    out = tmp_path / "a2.jsonld"
    events = written(export(shared, shared.world.coop_a, tmp_path, "--batch", "A-2", "--out", str(out)),
                     out)
    assert {"batch.register", "batch.split", "batch.recall"} <= {e["gitrace:statement"] for e in events}


def test_a_period_is_fetched_page_by_page(shared: Shared, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    whole, paged = tmp_path / "whole.jsonld", tmp_path / "paged.jsonld"
    regulator = shared.world.regulator
    expected = written(export(shared, regulator, tmp_path, "--from", "2000-01-01", "--out", str(whole)),
                       whole)
    monkeypatch.setattr(epcis_cli, "MAX_LIMIT", 4)
    got = written(export(shared, regulator, tmp_path, "--from", "2000-01-01T00:00:00Z",
                         "--to", "2100-01-01", "--out", str(paged)), paged)
    assert len(expected) > 8
    assert [e["eventID"] for e in got] == [e["eventID"] for e in expected]


def test_standard_output_by_default(shared: Shared, tmp_path: Path) -> None:
    result = export(shared, shared.world.coop_b, tmp_path, "--from", "2000-01-01")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert schema_errors(document) == []
    assert document["epcisBody"]["eventList"]


def test_a_producer_cannot_export_another_producers_batch(shared: Shared, tmp_path: Path) -> None:
    result = export(shared, shared.world.coop_b, tmp_path, "--batch", "A-2")
    assert result.exit_code == 1
    assert "403" in result.output and "not-a-party" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ((), "either --batch or --from"),
    (("--batch", "A-2", "--from", "2000-01-01"), "either --batch or --from"),
    (("--batch", "A-2", "--to", "2000-01-01"), "--to goes with --from"),
], ids=["neither", "both", "batch-with-to"])
def test_usage_errors(shared: Shared, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = export(shared, shared.world.coop_a, tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.output
