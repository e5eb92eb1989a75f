"""A v1 log still audits (issue 10): the last v1 release's demo, exported as a bundle, is
replayed under the v1 rules by today's `audit verify`, and a tampered copy still fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from gi_trace.cli.main import cli
from gi_trace.ledger.bundle import RECORDS

V1 = Path(__file__).resolve().parents[1] / "fixtures" / "v1-demo"
OFFLINE = {"GI_TRACE_DATABASE_URL": "sqlite:////nonexistent/gi-trace.db",
           "GI_TRACE_OPERATOR_KEY": "/nonexistent/operator.pem"}


def _verify(bundle: Path) -> tuple[int, str]:
    result = CliRunner(env=OFFLINE).invoke(cli, [
        "audit", "verify", str(bundle), "--regulators", str(V1 / "regulators.json"),
        "--log-key", str(V1 / "bundle" / "log-key.txt")])
    return result.exit_code, result.output


def test_the_v1_demo_log_still_audits() -> None:
    code, output = _verify(V1 / "bundle")
    assert code == 0, output
    assert "OK: 47 records verified" in output
    assert "0 confidential fields not checked" in output, "a v1 log has no confidential fields"


def test_a_tampered_v1_log_still_fails(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(V1 / "bundle", bundle)
    lines = (bundle / RECORDS).read_text().splitlines()
    record = json.loads(lines[10])
    record["signature"] = record["signature"][:-2] + ("AA" if record["signature"][-2:] != "AA" else "AQ")
    lines[10] = json.dumps(record)
    (bundle / RECORDS).write_text("\n".join(lines) + "\n")
    code, output = _verify(bundle)
    assert code == 1
    assert "seq 10" in output
