"""The `gi-trace` command: one group, one module per command group."""

from __future__ import annotations

import click

from gi_trace.cli import (
    audit,
    backup,
    batches,
    cases,
    demo,
    epcis,
    imports,
    keys,
    labels,
    listings,
    notices,
    profile,
    projections,
    recalls,
    rewards,
    scans,
    server,
    shipments,
    statements,
    witness,
)


@click.group(help="gi-trace: a signed, verifiable ledger of geographical-indication products.")
@click.version_option(package_name="gi-trace")
def cli() -> None:
    pass


for module in (server, keys, statements, batches, shipments, labels, listings, audit, demo, projections,
               epcis, witness, profile, backup, imports, scans, cases, rewards, recalls,
               notices):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="gi-trace")
