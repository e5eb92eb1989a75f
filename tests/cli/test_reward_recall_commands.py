"""`gi-trace rewards grant` and `gi-trace recalls ack` against a live server: each signs on
this machine, submits, prints the verified checkpoint; a refusal of the rules is told."""

from __future__ import annotations

from click.testing import Result

from gi_trace.cli.main import cli
from gi_trace.domain import tables
from tests.cli.client_runs import Run, assert_verified
from tests.domain.protection import Protection
from tests.domain.world import recall
from tests.support import Actor


def invoke(run: Run, actor: Actor, group: str, verb: str, *args: str) -> Result:
    common = ["--url", run.url, "--key", str(run.key_file(actor)), "--org", actor.org,
              "--log-key", run.service.log.signer.vkey()]
    return run.runner.invoke(cli, [group, verb, *common, *args])


def test_a_holder_acknowledges_a_recall(run: Run) -> None:
    paddy = run.shared.harvest(run.world.coop_a, "40")
    run.service.log.append([recall(run.world.regulator, paddy)])
    result = invoke(run, run.world.coop_a, "recalls", "ack", paddy, "--withdrawn", "35",
                    "--note", "held at the coop's barn")
    assert_verified(result, run.service, "recall.ack")
    assert run.shared.row(tables.recall_acks, batch=paddy, org="coop-a").withdrawn == "35"
    again = invoke(run, run.world.coop_a, "recalls", "ack", paddy, "--withdrawn", "5")
    assert again.exit_code != 0 and "already-acknowledged" in again.output


def test_a_regulator_grants_a_reward(run: Run) -> None:
    p = Protection(run.world)
    case, report = run.shared.unique("C"), run.shared.unique("R")
    run.service.log.append([*p.setup(), p.open(case, reports=[report]),
                            p.transfer(case), p.accept(case), p.close(case)])
    result = invoke(run, p.hlj, "rewards", "grant", "--reward", run.shared.unique("W"),
                    "--report", report, "--case", case, "--amount", "500")
    assert_verified(result, run.service, "reward.grant")
    assert run.shared.row(tables.rewards, report=report).amount == "500"
    refused = invoke(run, p.mall, "rewards", "grant", "--reward", run.shared.unique("W"),
                     "--report", report, "--case", case, "--amount", "1")
    assert refused.exit_code != 0 and "regulator" in refused.output
