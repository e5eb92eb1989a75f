"""`gi-trace import csv | epcis`: bulk intake, signed on this machine, appended in lists.

Every row is checked here first (gi_trace.client.intake): if any is wrong, nothing is sent
and each bad row is listed. Then lists of at most 1,000 statements go to the server, each
appended whole or not at all, under a progress bar; the report names each refused row
(row, field, the server's problem code) and the rows of its list left unappended, and the
exit code is 1 when any row was refused.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from gi_trace.cli.connect import with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client, intake
from gi_trace.client.csv_intake import SheetError, column, read_sheet
from gi_trace.client.epcis_intake import Reader, ServerLookup, events_of, load
from gi_trace.client.intake import FieldNames, Refusal, Row

SOURCE = click.Path(exists=True, dir_okay=False, path_type=Path)
LIST_SIZE = click.option("--list-size", type=click.IntRange(1, intake.MAX_LIST),
                         default=intake.MAX_LIST, show_default=True,
                         help="statements a list (one request, appended all or nothing)")


@click.group("import", help="Import many statements at once: a CSV of harvests, or EPCIS 2.0 "
                            "events. Rows are checked here, signed here, and appended in lists.")
def import_() -> None:
    pass


@import_.command("csv", help="Register one harvest (batch.register) per row of a CSV with the "
                             "columns batch,product,lot,quantity,harvested and optionally "
                             "plot,lat,lon,plot_region,village_zh,village_en.")
@click.argument("path", type=SOURCE)
@click.option("--product", help="the product of rows that leave `product` empty")
@LIST_SIZE
@friendly
@with_client
def import_csv(client: Client, path: Path, product: str | None, list_size: int) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            sheet = read_sheet(lines, product=product)
    except (SheetError, UnicodeDecodeError) as e:
        raise click.ClickException(f"{path}: {e}") from e
    _run(client, sheet.rows, sheet.refused, list_size, column)


@import_.command("epcis", help="Map EPCIS 2.0 JSON-LD events to statements: ObjectEvent ADD "
                               "commissioning → batch.register, TransformationEvent → "
                               "batch.process, ObjectEvent shipping → shipment.send, receiving → "
                               "shipment.receive (returned: reject).")
@click.argument("path", type=SOURCE)
@LIST_SIZE
@friendly
@with_client
def import_epcis(client: Client, path: Path, list_size: int) -> None:
    try:
        events = events_of(load(path.read_text(encoding="utf-8")))
    except ValueError as e:
        raise click.ClickException(f"{path}: {e}") from e
    rows, refused = Reader(ServerLookup(client)).read(events)
    _run(client, rows, refused, list_size, lambda field: field)


def _run(client: Client, rows: Sequence[Row], refused: list[Refusal], list_size: int,
         names: FieldNames) -> None:
    total = len(rows) + len(refused)
    refused = sorted(refused + intake.precheck(rows, names=names), key=lambda r: r.number)
    if refused:
        _refusals(refused)
        raise click.ClickException(f"{len(refused)} of {total} rows refused here; nothing was sent")
    if not rows:
        raise click.ClickException("nothing to import")
    with click.progressbar(length=len(rows), label="appending", file=sys.stderr) as bar:
        outcome = intake.submit(client, rows, size=list_size, names=names, progress=bar.update)
    if outcome.appended:
        click.echo(f"appended {len(outcome.appended)} statements, included in checkpoint of size "
                   f"{outcome.appended[-1].tree_size} (verified)")
    _refusals(outcome.refused)
    if outcome.not_appended:
        click.echo(f"not appended, their list was refused: rows {spans(outcome.not_appended)}")
    if not outcome.ok:
        raise click.ClickException(f"{len(outcome.refused)} rows refused; send the rows not "
                                   "appended again once they are fixed")


def _refusals(refused: Sequence[Refusal]) -> None:
    for refusal in refused:
        click.echo(f"refused {refusal}")


def spans(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 → "1-3, 5"."""
    parts: list[list[int]] = []
    for n in sorted(numbers):
        if parts and n == parts[-1][1] + 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)


COMMANDS = [import_]
