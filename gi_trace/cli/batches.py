"""`gi-trace batch …` and `gi-trace recall`: a producer's and a holder's batch statements.

Each command signs one statement with --key on this machine, submits it, and
returns only once its inclusion in a signed checkpoint has been verified. Quantities,
plots and coordinates are sealed on this machine as confidential fields (the public log
holds their salted digests); batch ids, lots, lineage and the village stay public.
"""

from __future__ import annotations

from datetime import datetime

import click

from gi_trace.cli.connect import PORTION, report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.drafts import Quantity

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group(help="Register, split, merge and process batches of a GI product.")
def batch() -> None:
    pass


@batch.command("register", help="Register a harvest: a new batch of a GI product you are approved "
                                "for (counts against your yearly quota).")
@click.option("--batch", "batch_id", required=True, help="new batch id, e.g. minle-2026-001")
@click.option("--product", required=True, help="GI product id, e.g. wuchang-rice-paddy")
@click.option("--lot", required=True, help="lot number printed on labels (GS1 AI 10, ≤ 20 chars)")
@click.option("--quantity", required=True, help="exact decimal, in the product's unit")
@click.option("--harvested", required=True, type=DATE, help="harvest date, YYYY-MM-DD")
@click.option("--plot", help="field or plot name (confidential)")
@click.option("--lat", help="latitude, decimal degrees (confidential)")
@click.option("--lon", help="longitude, decimal degrees (confidential)")
@click.option("--plot-region", help="the plot's GB/T 2260 code, e.g. 230184; it must lie in the "
                                    "product's region (confidential)")
@click.option("--village", nargs=2, metavar="ZH EN", default=None,
              help="the village a shopper sees on the verdict page, in Chinese and English, "
                   "e.g. --village 红光村 'Hongguang village' (public)")
@friendly
@with_client
def register(client: Client, batch_id: str, product: str, lot: str, quantity: str,
             harvested: datetime, plot: str | None, lat: str | None, lon: str | None,
             plot_region: str | None, village: tuple[str, str] | None) -> None:
    report(client, [client.register_batch(
        batch_id, product, lot, quantity, harvested.date(), plot=plot, lat=lat, lon=lon,
        plot_region=plot_region, village={"zh": village[0], "en": village[1]} if village else None)])


@batch.command("split", help="Split a batch you hold into child batches (children sum to at "
                             "most the parent).")
@click.option("--from", "from_batch", required=True, help="the batch to split")
@click.option("--into", "into", type=PORTION, multiple=True, required=True,
              help="a child batch and its quantity, BATCH=QTY; repeat for each child")
@friendly
@with_client
def split(client: Client, from_batch: str, into: tuple[tuple[str, Quantity], ...]) -> None:
    report(client, [client.split_batch(from_batch, list(into))])


@batch.command("merge", help="Merge batches you hold of one GI product into a new batch.")
@click.option("--from", "from_batches", multiple=True, required=True,
              help="a batch to merge; repeat for each (at least two)")
@click.option("--into", required=True, help="the new batch id")
@click.option("--lot", required=True, help="the new batch's lot number")
@friendly
@with_client
def merge(client: Client, from_batches: tuple[str, ...], into: str, lot: str) -> None:
    report(client, [client.merge_batches(list(from_batches), into, lot)])


@batch.command("process", help="Process batches you hold (e.g. milling paddy into rice) into a "
                               "new batch, within the product's declared yield.")
@click.option("--process", required=True, help="the declared process, e.g. milling")
@click.option("--input", "inputs", type=PORTION, multiple=True, required=True,
              help="an input batch and the quantity used, BATCH=QTY; repeat for each")
@click.option("--output", required=True, help="the output batch id")
@click.option("--lot", required=True, help="the output batch's lot number")
@click.option("--quantity", required=True, help="output quantity, exact decimal")
@friendly
@with_client
def process(client: Client, process: str, inputs: tuple[tuple[str, Quantity], ...], output: str,
            lot: str, quantity: str) -> None:
    report(client, [client.process_batch(process, list(inputs), output, lot, quantity)])


@click.command(help="Recall a batch (regulator or its producer); every batch made from it is "
                    "recalled too.")
@click.option("--batch", "batch_id", required=True, help="the batch to recall")
@click.option("--reason", required=True, help="why, as it will show to whoever scans a label")
@friendly
@with_client
def recall(client: Client, batch_id: str, reason: str) -> None:
    report(client, [client.recall(batch_id, reason)])


COMMANDS = [batch, recall]
