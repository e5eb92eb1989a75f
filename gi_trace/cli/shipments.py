"""`gi-trace ship`, `receive` and `reject`: goods changing hands, signed by both sides.

A shipment stays pending until the receiver signs its receipt (or rejects it,
which returns the goods to the sender), so custody is never claimed one-sidedly.
`ship --sscc` puts the delivery's GS1 SSCC in the statement (gi_trace.client.sscc), so the
receiver's desk finds it by scanning the label; without --shipment the SSCC is the id.
"""

from __future__ import annotations

from typing import Any

import click

from gi_trace.cli.connect import PORTION, report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.drafts import Quantity
from gi_trace.client.sscc import SsccError, read_sscc


class SsccType(click.ParamType):  # type: ignore[type-arg]
    """18 digits with a GS1 check digit; spaces and a leading (00) as printed are dropped."""

    name = "SSCC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return read_sscc(str(value))
        except SsccError as e:
            self.fail(str(e), param, ctx)


@click.command(help="Ship (part of) batches you hold to another organisation.")
@click.option("--shipment", help="new shipment id, e.g. minle-jinhe-2026-01 (default: the SSCC)")
@click.option("--sscc", type=SsccType(), help="the SSCC on the delivery's label (GS1 AI 00, 18 "
                                               "digits), for the receiver's desk to scan")
@click.option("--to", "to", required=True, help="the receiving organisation's id")
@click.option("--item", "items", type=PORTION, multiple=True, required=True,
              help="a batch and the quantity shipped, BATCH=QTY; repeat for each batch")
@friendly
@with_client
def ship(client: Client, shipment: str | None, sscc: str | None, to: str,
         items: tuple[tuple[str, Quantity], ...]) -> None:
    shipment = shipment or sscc
    if shipment is None:
        raise click.UsageError("give --shipment, --sscc or both")
    report(client, [client.ship(shipment, to, list(items), sscc=sscc)])


@click.command(help="Sign the receipt of a shipment addressed to you: you now hold its goods.")
@click.option("--shipment", required=True)
@click.option("--reason", help="optional note, e.g. what was checked on arrival")
@friendly
@with_client
def receive(client: Client, shipment: str, reason: str | None) -> None:
    report(client, [client.receive(shipment, reason=reason)])


@click.command(help="Reject a shipment addressed to you: the goods go back to the sender.")
@click.option("--shipment", required=True)
@click.option("--reason", required=True, help="why, e.g. seals broken, wrong quantity")
@friendly
@with_client
def reject(client: Client, shipment: str, reason: str) -> None:
    report(client, [client.reject(shipment, reason)])


COMMANDS = [ship, receive, reject]
