"""`gi-trace cases open|transfer|accept|return|close`: a regulator's cases across regions.

A regulator opens a case from reports, listings and notices; transfers it to another
region's regulator (a clue transfer), who accepts it (recognising the evidence) or returns
it; the regulator holding it closes it with an outcome, and may publish it as a typical
case. Each command signs one statement here (the working summary and the reasons sealed as
confidential fields) and returns once a signed checkpoint includes it.
"""

from __future__ import annotations

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.drafts import Draft
from gi_trace.client.protection_drafts import (
    case_accept,
    case_close,
    case_open,
    case_return,
    case_transfer,
)
from gi_trace.domain.bodies_protection import CASE_OUTCOMES


@click.group(help="Cases across regions: open, transfer, accept, return, close (regulators).")
def cases() -> None:
    pass


def _sign(client: Client, draft: Draft) -> None:
    report(client, [client.submit_draft(draft)])


@cases.command("open", help="Open a case on a GI product from reports, listings or notices.")
@click.argument("case")
@click.option("--product", required=True, help="the GI product id the case is about")
@click.option("--summary", required=True, help="the working summary (confidential)")
@click.option("--report", "reports", multiple=True, help="a counterfeit report id; repeat")
@click.option("--listing", "listings", multiple=True, help="a listing check id; repeat")
@click.option("--notice", "notices", multiple=True, help="a takedown notice id; repeat")
@friendly
@with_client
def open_(client: Client, case: str, product: str, summary: str, reports: tuple[str, ...],
          listings: tuple[str, ...], notices: tuple[str, ...]) -> None:
    sources = {kind: list(ids) for kind, ids in
               (("reports", reports), ("listings", listings), ("notices", notices)) if ids}
    _sign(client, case_open(case, product, summary, sources=sources))


@cases.command(help="Transfer a case you hold to another region's regulator.")
@click.argument("case")
@click.option("--to", "to", required=True, help="the receiving regulator's org id")
@click.option("--reason", required=True, help="why it is theirs (confidential)")
@friendly
@with_client
def transfer(client: Client, case: str, to: str, reason: str) -> None:
    _sign(client, case_transfer(case, to, reason))


@cases.command(help="Accept a case transferred to you: you recognise its evidence and hold it.")
@click.argument("case")
@friendly
@with_client
def accept(client: Client, case: str) -> None:
    _sign(client, case_accept(case))


@cases.command("return", help="Return a case transferred to you to the regulator holding it.")
@click.argument("case")
@click.option("--reason", required=True, help="why it is not yours (confidential)")
@friendly
@with_client
def return_(client: Client, case: str, reason: str) -> None:
    _sign(client, case_return(case, reason))


@cases.command(help="Close a case you hold with its outcome; --publish makes it a typical case.")
@click.argument("case")
@click.option("--outcome", required=True, type=click.Choice(CASE_OUTCOMES))
@click.option("--publish", is_flag=True, help="show it on the public typical cases page")
@click.option("--summary", help="what the public page says (required with --publish)")
@friendly
@with_client
def close(client: Client, case: str, outcome: str, publish: bool, summary: str | None) -> None:
    if publish and summary is None:
        raise click.UsageError("--publish needs --summary: what the public page says")
    _sign(client, case_close(case, outcome, publish=publish, summary=summary))


COMMANDS = [cases]
