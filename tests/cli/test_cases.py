"""`gi-trace cases open|transfer|accept|return|close` against a live server: each signs its
statement here, sealed by the disclosure policy (the working summary, the reasons), and the
rules' refusals come back naming their rule; usage errors are caught before anything is signed."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from sqlalchemy import select

from gi_trace.cli.main import cli
from gi_trace.domain import tables
from tests.cli.client_runs import Run, assert_verified
from tests.client.shared import Shared
from tests.domain.protection import Protection
from tests.domain.world import PADDY
from tests.support import Actor


@pytest.fixture(scope="module")
def loop(shared: Shared) -> Protection:
    made = Protection(shared.world)
    shared.service.log.append(made.setup())
    return made


def cases(run: Run, actor: Actor, verb: str, *args: str) -> Result:
    common = ["--url", run.url, "--key", str(run.key_file(actor)), "--org", actor.org,
              "--log-key", run.service.log.signer.vkey()]
    return run.runner.invoke(cli, ["cases", verb, *common, *args])


def opened(run: Run, loop: Protection) -> str:
    case = run.shared.unique("case")
    assert_verified(cases(run, loop.world.regulator, "open", case, "--product", PADDY,
                          "--summary", "fake bags at a Beijing shop", "--report", "R-7"),
                    run.service, "case.open")
    return case


def test_a_case_goes_across_regions_and_closes_published(run: Run, loop: Protection) -> None:
    cnipa, hlj = loop.world.regulator, loop.hlj
    case = opened(run, loop)
    steps = [(cnipa, "transfer", case, "--to", "hlj", "--reason", "the seller is in Harbin"),
             (hlj, "return", case, "--reason", "the shop moved back to Beijing"),
             (cnipa, "transfer", case, "--to", "hlj", "--reason", "it moved again"),
             (hlj, "accept", case),
             (hlj, "close", case, "--outcome", "confirmed", "--publish",
              "--summary", "A Beijing shop sold fake Wuchang rice; the listing is gone.")]
    seqs = [assert_verified(cases(run, actor, *args), run.service, f"case.{args[0]}")
            for actor, *args in steps]
    row = run.shared.row(tables.cases, case=case)
    assert (row.status, row.holder, row.outcome, row.published) == ("closed", "hlj", "confirmed", True)
    assert row.sources == '{"reports": ["R-7"]}'
    # The reasons were sealed on this machine: the log holds their digests only.
    (record,) = run.service.log.entries(seqs[0], seqs[0] + 1)
    body = json.loads(record.statement)["body"]
    assert "reason" not in body and len(body["_sd"]) == 1


@pytest.mark.parametrize(("transferred", "who", "verb", "args", "message"), [
    (True, "hlj-2", "accept", (), "transferred to hlj"),
    (True, "hlj", "close", ("--outcome", "confirmed"), "handled by cnipa"),
    (True, "cnipa", "close", ("--outcome", "confirmed"), "awaits hlj's answer"),
    (False, "cnipa", "transfer", ("--to", "mall", "--reason", "x"), "body.to"),
    (False, "hlj", "accept", (), "is not being transferred"),
], ids=["accept-by-another-regulator", "close-before-accepting", "close-while-transferring",
        "transfer-to-a-platform", "accept-untransferred"])
def test_refusals_name_their_rule(run: Run, loop: Protection, transferred: bool, who: str,
                                  verb: str, args: tuple[str, ...], message: str) -> None:
    case = opened(run, loop)
    if transferred:
        assert_verified(cases(run, loop.world.regulator, "transfer", case, "--to", "hlj",
                              "--reason", "theirs"), run.service, "case.transfer")
    actor = {"hlj-2": loop.hlj_2, "hlj": loop.hlj, "cnipa": loop.world.regulator}[who]
    size = run.service.log.size()
    result = cases(run, actor, verb, case, *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and run.service.log.size() == size


@pytest.mark.parametrize(("verb", "args", "message"), [
    ("close", ("--outcome", "confirmed", "--publish"), "--publish needs --summary"),
    ("close", ("--outcome", "maybe"), "'maybe' is not one of"),
    ("transfer", ("--reason", "x"), "Missing option '--to'"),
    ("return", (), "Missing option '--reason'"),
], ids=["publish-without-summary", "unknown-outcome", "transfer-to-nobody", "return-without-reason"])
def test_usage_errors_sign_nothing(run: Run, loop: Protection, verb: str, args: tuple[str, ...],
                                   message: str) -> None:
    size = run.service.log.size()
    result = cases(run, loop.hlj, verb, "C-x", *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert run.service.log.size() == size
    with run.service.engine.connect() as conn:
        assert conn.scalar(select(tables.cases.c.case).where(tables.cases.c.case == "C-x")) is None
