"""`gi-trace notices send|answer|list` against a live server: the notice's evidence is sealed
here (a photo only as its SHA-256), the platform's answers are signed and verified, `list`
shows what the reads say (evidence to the platform), and refusals and usage errors are told
before or instead of anything logged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import Result

from gi_trace.cli.main import cli
from gi_trace.domain import tables
from tests.cli.client_runs import Run, assert_verified
from tests.client.shared import Shared
from tests.domain.protection import Protection, in_days
from tests.support import Actor


@pytest.fixture(scope="module")
def loop(shared: Shared) -> Protection:
    made = Protection(shared.world)
    shared.service.log.append(made.setup())
    return made


def notices(run: Run, actor: Actor, verb: str, *args: str) -> Result:
    common = ["--url", run.url, "--key", str(run.key_file(actor)), "--org", actor.org,
              "--log-key", run.service.log.signer.vkey()]
    return run.runner.invoke(cli, ["notices", verb, *common, *args])


def sent(run: Run, loop: Protection, *extra: str) -> str:
    notice = run.shared.unique("notice")
    assert_verified(notices(run, loop.assoc, "send", notice, "--platform", "mall",
                            "--reason", "seller-not-approved", "--deadline", in_days(2),
                            "--listing-url", "https://mall.example/item/9", *extra),
                    run.service, "notice.send")
    return notice


def test_a_notice_is_sent_with_sealed_evidence_and_removed(run: Run, loop: Protection,
                                                           tmp_path: Path) -> None:
    photo = tmp_path / "bag.jpg"
    photo.write_bytes(b"\xff\xd8 a fake bag of Wuchang rice")
    notice = sent(run, loop, "--report", "R-7", "--photo", str(photo))
    row = run.shared.row(tables.notices, notice=notice)
    assert json.loads(row.evidence) == {"reports": ["R-7"],
                                        "photos": [hashlib.sha256(photo.read_bytes()).hexdigest()]}
    (record,) = run.service.log.entries(row.seq, row.seq + 1)
    body = json.loads(record.statement)["body"]
    assert "evidence" not in body and len(body["_sd"]) == 1  # sealed on this machine

    for status in ("acknowledged", "removed"):
        assert_verified(notices(run, loop.mall, "answer", notice, "--status", status),
                        run.service, "notice.answer")
    row = run.shared.row(tables.notices, notice=notice)
    assert row.status == "removed" and row.acknowledged_ts and row.answered_ts

    listed = notices(run, loop.mall, "list", "--platform", "mall", "--status", "removed")
    assert listed.exit_code == 0, listed.output
    (line,) = [line for line in listed.output.splitlines() if line.startswith(f"{notice}  ")]
    assert "mall  removed" in line and "response " in line and "R-7" in line
    public = notices(run, loop.world.coop_a, "list", "--platform", "mall")
    assert notice in public.output and "R-7" not in public.output  # evidence: not coop-a's


@pytest.mark.parametrize(("who", "args", "message"), [
    ("assoc", ("--status", "removed"), "is answered by mall"),
    ("mall", ("--status", "disputed"), "a dispute gives its --reason"),
], ids=["not-the-platform", "dispute-without-reason"])
def test_refused_answers_are_told(run: Run, loop: Protection, who: str, args: tuple[str, ...],
                                  message: str) -> None:
    notice = sent(run, loop)
    size = run.service.log.size()
    result = notices(run, {"assoc": loop.assoc, "mall": loop.mall}[who], "answer", notice, *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert run.service.log.size() == size


@pytest.mark.parametrize(("args", "message"), [
    (("--platform", "mall", "--reason", "other", "--deadline", "2099-01-01T00:00:00Z"),
     "name the listing"),
    (("--platform", "mall", "--reason", "cheap", "--deadline", "2099-01-01T00:00:00Z",
      "--listing-url", "https://x.example/1"), "'cheap' is not one of"),
    (("--platform", "assoc", "--reason", "other", "--deadline", "2099-01-01T00:00:00Z",
      "--listing-url", "https://x.example/1"), "body.platform"),
    (("--platform", "mall", "--reason", "other", "--deadline", "tomorrow",
      "--listing-url", "https://x.example/1"), "body.deadline"),
], ids=["no-listing", "unknown-reason", "not-a-platform", "bad-deadline"])
def test_bad_notices_are_refused(run: Run, loop: Protection, args: tuple[str, ...],
                                 message: str) -> None:
    size = run.service.log.size()
    result = notices(run, loop.assoc, "send", run.shared.unique("bad"), *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert run.service.log.size() == size
