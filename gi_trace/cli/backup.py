"""`gi-trace backup` and `gi-trace restore`: a checked copy of the service's database."""

from __future__ import annotations

from pathlib import Path

import click

from gi_trace.backup import BackupError, Manifest, backup, restore
from gi_trace.cli.connect import log_key_text
from gi_trace.cli.errors import friendly
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.note import NoteVerifier
from gi_trace.migrate import NotInitialised, require_current
from gi_trace.service import load_genesis_if_any, operator_signer
from gi_trace.settings import Settings

DB_HELP = "database URL; default GI_TRACE_DATABASE_URL"


def _progress(line: str) -> None:
    click.echo(line, err=True)


def _summary(manifest: Manifest) -> str:
    return (f"log size {manifest.log_size}, root {manifest.root_hash}, schema revision "
            f"{manifest.revision}")


@click.command(name="backup", help="Copy the database, live or not, into a new directory: a "
               "consistent snapshot (SQLite's online backup API, or pg_dump of an exported "
               "snapshot) and manifest.json with the log size, root, checkpoint and schema "
               "revision it holds. The operator key is not in it: keep that apart.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="the backup directory to create (new or empty)")
@click.option("--db", "db_url", help=DB_HELP)
@friendly
def backup_command(out: Path, db_url: str | None) -> None:
    settings = Settings.from_env()
    try:
        manifest = backup(db_url or settings.database_url, out, _progress)
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"backed up {_summary(manifest)} to {out}")


@click.command(name="restore", help="Restore a backup directory into an empty database (or, "
               "with --force, over a non-empty one), then check it: the restored log audits "
               "from its genesis and ends at the manifest's checkpoint. Exit 0 only then.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--force", is_flag=True, help="replace what a non-empty target holds (stop the "
              "service on it first)")
@click.option("--log-key", help="the operator's note verifier key (or a file holding it) the "
              "checkpoints must verify with; default GI_TRACE_OPERATOR_KEY's")
@friendly
def restore_command(directory: Path, db_url: str | None, force: bool, log_key: str | None) -> None:
    settings = Settings.from_env()
    url = db_url or settings.database_url
    text = log_key_text(log_key)
    operator = NoteVerifier.from_vkey(text) if text else operator_signer(settings).verifier()
    try:
        manifest = restore(url, directory, operator, load_genesis_if_any(settings), force=force,
                           progress=_progress)
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"restored and audited: {_summary(manifest)}")
    _warn_if_behind(url)


def _warn_if_behind(url: str) -> None:
    """A backup of an older release restores as it was: `gi-trace init` upgrades it."""
    engine = make_engine(url)
    try:
        require_current(engine)
    except NotInitialised as e:
        click.echo(f"warning: {e}", err=True)
    finally:
        engine.dispose()


COMMANDS = [backup_command, restore_command]
