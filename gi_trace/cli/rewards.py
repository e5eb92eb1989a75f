"""`gi-trace rewards grant`: a regulator rewards a counterfeit report once the case built on it
closed confirmed (reward.grant). The reporter claims it with its receipt code, off the log."""

from __future__ import annotations

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.protection_drafts import reward_grant


@click.group(help="Reporter rewards.")
def rewards() -> None:
    pass


@rewards.command(help="Grant a reward for a counterfeit report (regulators; the case built on "
                      "it must have closed confirmed).")
@click.option("--reward", required=True, help="new reward id, e.g. W-2027-001")
@click.option("--report", "report_id", required=True, help="the report's id (GET /v1/reports)")
@click.option("--case", required=True, help="the confirmed case built on the report")
@click.option("--amount", required=True, help="yuan, exact decimal")
@friendly
@with_client
def grant(client: Client, reward: str, report_id: str, case: str, amount: str) -> None:
    report(client, [client.submit_draft(reward_grant(reward, report_id, case, amount))])


COMMANDS = [rewards]
