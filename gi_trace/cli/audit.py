"""`gi-trace audit verify`: replay a whole log and check every signature, link and root."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from gi_trace.cli.errors import friendly
from gi_trace.ledger.audit import AuditResult, RecordSource
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.genesis import load_genesis
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.sources import DatabaseSource, HttpSource
from gi_trace.service import audit_log, operator_signer
from gi_trace.settings import Settings


@click.group(help="Check the log, trusting nothing you cannot verify.")
def audit() -> None:
    pass


def _log_key(value: str | None, source: RecordSource, settings: Settings) -> NoteVerifier:
    if value:
        text = Path(value).read_text().strip() if Path(value).is_file() else value
        return NoteVerifier.from_vkey(text)
    if isinstance(source, HttpSource):
        click.echo("warning: using the log key the server itself serves; pass --log-key to pin "
                   "the one you got out of band", err=True)
        return NoteVerifier.from_vkey(source.operator_key())
    return operator_signer(settings).verifier()


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A progress line on a terminal; silence in scripts and CI logs."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with click.progressbar(length=1, label="auditing", file=sys.stderr) as bar:
        def update(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)
        yield update


def _report(result: AuditResult) -> None:
    if result.failure is None:
        assert result.checkpoint is not None
        root = base64.b64encode(result.checkpoint.root_hash).decode()
        click.echo(f"OK: {result.size} records verified; root {root} matches the checkpoint "
                   f"signed by {result.checkpoint.origin}")
        return
    where = f"seq {result.failure.seq}" if result.failure.seq is not None else "the log"
    click.echo(f"FAILED at {where}: {result.failure.reason} ({result.failure.code})", err=True)
    sys.exit(1)


@audit.command(help="Verify the whole log from its database (--db) or from a server (--url). "
                    "Exit 0 only if everything verifies; otherwise name the first bad seq.")
@click.option("--db", "db_url", help="database URL, e.g. sqlite:///instance/gi-trace.db")
@click.option("--url", "base_url", help="a gi-trace server, e.g. http://127.0.0.1:8000")
@click.option("--regulators", type=click.Path(exists=True, dir_okay=False),
              help="the regulators (genesis) file you trust; default GI_TRACE_REGULATORS")
@click.option("--log-key", help="the operator's note verifier key (or a file holding it)")
@friendly
def verify(db_url: str | None, base_url: str | None, regulators: str | None,
           log_key: str | None) -> None:
    if (db_url is None) == (base_url is None):
        raise click.UsageError("give exactly one of --db or --url")
    settings = Settings.from_env()
    genesis = load_genesis(regulators or settings.regulators)
    if base_url is not None:
        source = HttpSource(base_url)
        with _progress() as progress:
            _report(audit_log(source, _log_key(log_key, source, settings), genesis,
                              progress=progress))
        return
    assert db_url is not None
    engine = make_engine(db_url)
    try:
        with DatabaseSource(engine) as db_source, _progress() as progress:
            _report(audit_log(db_source, _log_key(log_key, db_source, settings), genesis,
                              progress=progress))
    finally:
        engine.dispose()


COMMANDS = [audit]
