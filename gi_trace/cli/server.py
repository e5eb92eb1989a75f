"""`gi-trace init` and `gi-trace serve`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gi_trace.cli.errors import friendly
from gi_trace.service import initialize
from gi_trace.settings import Settings

GUNICORN_CONFIG = Path("config/gunicorn.conf.py")


@click.command(help="Create or upgrade the database, make the operator key if missing, "
                    "and write the genesis from GI_TRACE_REGULATORS.")
@friendly
def init() -> None:
    settings = Settings.from_env()
    report = initialize(settings)
    if report.created_operator_key:
        click.echo(f"created operator key {settings.operator_key}")
    if not Path(settings.regulators).exists():
        click.echo(f"warning: no regulators file at {settings.regulators}; the log refuses every "
                   "statement until one is configured (`gi-trace demo` writes one)", err=True)
    if report.genesis_appended:
        click.echo(f"genesis: {report.genesis_appended} regulator(s) registered")
    click.echo(f"database {settings.database_url} ready, log size {report.log_size}")


@click.command(help="Serve the API and pages with gunicorn (config/gunicorn.conf.py if present).")
@click.option("--bind", default=None, help="host:port, default 127.0.0.1:8000")
@click.option("--workers", type=int, default=None, help="worker processes, default 2")
def serve(bind: str | None, workers: int | None) -> None:
    args = [sys.executable, "-m", "gunicorn"]
    if GUNICORN_CONFIG.exists():
        args += ["--config", str(GUNICORN_CONFIG)]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    args.append("gi_trace.api:create_app()")
    os.execv(sys.executable, args)


COMMANDS = [init, serve]
