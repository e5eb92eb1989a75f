"""`gi-trace recalls ack`: a holder of recalled stock signs what it withdrew (recall.ack), so
the regulators' dashboard no longer lists it among those who have not acknowledged."""

from __future__ import annotations

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.protection_drafts import recall_ack


@click.group(help="Recalls that reach holders.")
def recalls() -> None:
    pass


@recalls.command(help="Acknowledge the recall of a batch you hold, with what you withdrew.")
@click.argument("batch")
@click.option("--withdrawn", required=True, help="what you withdrew, exact decimal in the "
                                                 "product's unit (confidential)")
@click.option("--note", help="optional, e.g. where the stock is held (confidential)")
@friendly
@with_client
def ack(client: Client, batch: str, withdrawn: str, note: str | None) -> None:
    report(client, [client.submit_draft(recall_ack(batch, withdrawn, note))])


COMMANDS = [recalls]
