"""Audits of the v2 demo with and without disclosures (issue 10): both pass; the public
one says how many confidential fields it could not check; a regulator's bundle holds the
disclosures and labels, and every tampering of them is caught at its seq, while the same
tampering is invisible to a public audit, which never saw them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, update

from gi_trace.cli.main import cli
from gi_trace.ledger import schema
from gi_trace.ledger.bundle import SIDECARS
from tests.cli.test_demo import demo_env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("audit-demo")
    env = demo_env(root)
    result = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(root / "keys")])
    assert result.exit_code == 0, result.output
    return env


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.output


def _unchecked(output: str) -> int:
    found = re.search(r"(\d+) confidential fields not checked", output)
    assert found, output
    return int(found.group(1))


def test_the_demo_audits_with_and_without_disclosures(demo: dict[str, str]) -> None:
    code, full = _run(demo, "audit", "verify", "--db", demo["GI_TRACE_DATABASE_URL"])
    assert code == 0, full
    assert "with disclosures: every confidential field's digest and every rule checked" in full
    code, public = _run(demo, "audit", "verify", "--db", demo["GI_TRACE_DATABASE_URL"], "--public")
    assert code == 0, public
    engine = create_engine(demo["GI_TRACE_DATABASE_URL"])
    with engine.connect() as conn:
        disclosed = sum(len(json.loads(row or "[]")) for row in conn.scalars(
            select(schema.sidecars.c.disclosures)))
    engine.dispose()
    assert _unchecked(public) == disclosed > 0


@pytest.fixture(scope="module")
def bundles(demo: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundles")
    out = {"full": root / "full", "public": root / "public"}
    for name, extra in (("full", ()), ("public", ("--public",))):
        code, output = _run(demo, "audit", "export", "--out", str(out[name]), "--db",
                            demo["GI_TRACE_DATABASE_URL"], *extra)
        assert code == 0, output
        assert ("hand it only to a regulator" in output) == (name == "full")
    return out


def _verify(demo: dict[str, str], bundle: Path) -> tuple[int, str]:
    return _run(demo, "audit", "verify", str(bundle), "--regulators", demo["GI_TRACE_REGULATORS"])


def test_a_regulators_bundle_checks_everything_and_a_public_one_holds_no_secret(
        demo: dict[str, str], bundles: dict[str, Path]) -> None:
    code, output = _verify(demo, bundles["full"])
    assert code == 0 and "with disclosures" in output, output
    code, output = _verify(demo, bundles["public"])
    assert code == 0 and _unchecked(output) > 0, output
    assert not (bundles["public"] / SIDECARS).exists()
    labels = [label for line in (bundles["full"] / SIDECARS).read_text().splitlines()
              for label in json.loads(line).get("attachments", {}).get("labels", [])]
    public = b"".join(p.read_bytes() for p in bundles["public"].iterdir())
    assert labels and not any(label["serial"].encode() in public for label in labels)


def _lines(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (bundle / SIDECARS).read_text().splitlines()]


def _first_with(lines: list[dict[str, Any]], test: Any) -> dict[str, Any]:
    return next(line for line in lines if test(line))


def _change_value(lines: list[dict[str, Any]]) -> int:
    line = _first_with(lines, lambda x: any(d[1] == "quantity" for d in x["disclosures"]))
    disclosure = next(d for d in line["disclosures"] if d[1] == "quantity")
    disclosure[2] = "1" + disclosure[2]
    return int(line["seq"])


def _drop(lines: list[dict[str, Any]]) -> int:
    line = _first_with(lines, lambda x: len(x["disclosures"]) >= 2)
    line["disclosures"].pop()
    return int(line["seq"])


def _swap_salts(lines: list[dict[str, Any]]) -> int:
    line = _first_with(lines, lambda x: len(x["disclosures"]) >= 2)
    first, second = line["disclosures"][:2]
    first[0], second[0] = second[0], first[0]
    return int(line["seq"])


def _change_label(lines: list[dict[str, Any]]) -> int:
    line = _first_with(lines, lambda x: x.get("attachments", {}).get("labels"))
    line["attachments"]["labels"][0]["serial"] = "0" * 16
    return int(line["seq"])


@pytest.mark.parametrize("tamper", [_change_value, _drop, _swap_salts, _change_label],
                         ids=["changed-disclosure", "dropped-disclosure", "swapped-salt",
                              "changed-label"])
def test_every_tampering_of_a_regulators_bundle_is_caught_at_its_seq(
        demo: dict[str, str], bundles: dict[str, Path], tmp_path: Path, tamper: Any) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(bundles["full"], bundle)
    lines = _lines(bundle)
    seq = tamper(lines)
    (bundle / SIDECARS).write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, output = _verify(demo, bundle)
    assert code == 1
    assert f"FAILED at seq {seq}" in output, output


def test_a_disclosure_changed_in_the_database_fails_the_full_audit_only(
        demo: dict[str, str], tmp_path: Path) -> None:
    """The public audit never saw the disclosures, so it cannot notice them change; it says
    so by counting them as unchecked. The regulator's audit names the seq."""
    copy = tmp_path / "copy.db"
    shutil.copy(demo["GI_TRACE_DATABASE_URL"].removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    with engine.begin() as conn:
        seq, text = next((row.seq, row.disclosures) for row in conn.execute(
            select(schema.sidecars)) if row.disclosures and '"quantity"' in row.disclosures)
        changed = json.loads(text)
        for disclosure in changed:
            if disclosure[1] == "quantity":
                disclosure[2] = "1" + disclosure[2]
        conn.execute(update(schema.sidecars).where(schema.sidecars.c.seq == seq)
                     .values(disclosures=json.dumps(changed)))
    engine.dispose()
    env = {**demo, "GI_TRACE_DATABASE_URL": url}
    code, output = _run(env, "audit", "verify", "--db", url)
    assert code == 1 and f"FAILED at seq {seq}" in output and "disclosure-mismatch" in output, output
    code, output = _run(env, "audit", "verify", "--db", url, "--public")
    assert code == 0 and _unchecked(output) > 0, output
