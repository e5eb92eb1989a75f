"""`gi-trace scans fold`: fold scans older than the retention into per-label daily counts."""

from __future__ import annotations

import time

import click

from gi_trace.cli.errors import friendly
from gi_trace.labels.scan_fold import cutoff, fold
from gi_trace.ledger.database import make_engine
from gi_trace.migrate import require_current
from gi_trace.settings import Settings


@click.group(help="The scans of issued labels kept beside the log.")
def scans() -> None:
    pass


@scans.command("fold", help="Fold scans older than the retention (GI_TRACE_SCAN_RETENTION_DAYS, "
                            "30) into per-label daily counts that copy detection still reads. "
                            "The service does this itself once an hour; safe beside it.")
@click.option("--retention-days", type=click.IntRange(min=1), default=None,
              help="Keep this many days of scans as rows (default: the setting).")
@friendly
def fold_command(retention_days: int | None) -> None:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        require_current(engine)
        days = settings.scan_retention_days if retention_days is None else retention_days
        done = fold(engine, before=cutoff(int(time.time()), days))
    finally:
        engine.dispose()
    click.echo(f"folded {done.scans} scans of {done.days} days (kept: the last {days} days)")


COMMANDS = [scans]
