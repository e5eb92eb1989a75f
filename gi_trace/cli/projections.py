"""`gi-trace projections rebuild`: re-derive every table the API reads from the log."""

from __future__ import annotations

import click

from gi_trace.cli.errors import friendly
from gi_trace.service import open_service, rebuild_projections
from gi_trace.settings import Settings


@click.group(help="The tables derived from the log (products, batches, holdings…).")
def projections() -> None:
    pass


@projections.command(help="Empty the projection tables and replay the whole log into them. "
                          "Appends wait meanwhile.")
@friendly
def rebuild() -> None:
    service = open_service(Settings.from_env())
    try:
        count = rebuild_projections(service, progress=lambda done: click.echo(
            f"  replayed {done} records", err=True))
    finally:
        service.engine.dispose()
    click.echo(f"projections rebuilt from {count} records")


COMMANDS = [projections]
