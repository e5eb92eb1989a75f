"""`gi-trace audit`: replay a whole log and check every signature, link and root (`verify`),
write it out for an auditor who has no access to the operator (`export`), and watch a
server for forks and rollbacks (`monitor`, in monitor.py)."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from gi_trace.cli.connect import log_key_text
from gi_trace.cli.errors import friendly
from gi_trace.cli.monitor import monitor
from gi_trace.client.auth import Authenticator
from gi_trace.client.http import Http
from gi_trace.ledger import keys
from gi_trace.ledger.audit import AuditResult, RecordSource
from gi_trace.ledger.bundle import BundleSource, export_bundle
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.genesis import load_genesis
from gi_trace.ledger.identity import TrustRoots
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.sources import DatabaseSource, HttpSource
from gi_trace.service import audit_log, operator_signer
from gi_trace.settings import Settings


@click.group(help="Check the log, trusting nothing you cannot verify: verify it whole, export "
                  "it as a bundle for offline audit, or monitor a server for forks and rollbacks.")
def audit() -> None:
    pass


def _log_key(value: str | None, source: RecordSource, settings: Settings) -> NoteVerifier:
    text = log_key_text(value)
    if text:
        return NoteVerifier.from_vkey(text)
    if isinstance(source, HttpSource):
        click.echo("warning: using the log key the server itself serves; pass --log-key to pin "
                   "the one you got out of band", err=True)
        return NoteVerifier.from_vkey(source.operator_key())
    if isinstance(source, BundleSource):
        click.echo("warning: using the log key the bundle itself holds; pass --log-key to pin "
                   "the one you got out of band", err=True)
        return NoteVerifier.from_vkey(source.log_key)
    return operator_signer(settings).verifier()


@contextmanager
def _progress(label: str = "auditing") -> Iterator[Callable[[int, int], None]]:
    """A progress line on a terminal; silence in scripts and CI logs."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
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
        if result.disclosed:
            click.echo("with disclosures: every confidential field's digest and every rule checked")
        else:
            click.echo(f"without disclosures: signatures, chain, tree, keys and the rules on public "
                       f"fields checked; {result.unchecked} confidential fields not checked (a "
                       "regulator's bundle, from `audit export`, has them)")
        return
    where = f"seq {result.failure.seq}" if result.failure.seq is not None else "the log"
    click.echo(f"FAILED at {where}: {result.failure.reason} ({result.failure.code})", err=True)
    sys.exit(1)


def _regulator(base_url: str, org: str | None, key_path: Path | None) -> Callable[[], str] | None:
    """The bearer header of a regulator signed in with its own key (which never leaves this
    machine), for the disclosures over HTTP; None without --org and --key."""
    if (org is None) != (key_path is None):
        raise click.UsageError("give both --org and --key (a regulator's), or neither")
    if org is None or key_path is None:
        return None
    signer = Authenticator(Http(base_url), org, keys.load_private_key(key_path))
    return lambda: f"Bearer {signer.token()}"


@contextmanager
def _source(db_url: str | None, base_url: str | None, *, public: bool = False,
            org: str | None = None, key_path: Path | None = None) -> Iterator[DatabaseSource | HttpSource]:
    """The log behind --db (one snapshot, with its disclosures unless `public`) or --url
    (with the disclosures when a regulator signs in); exactly one must be given."""
    if (db_url is None) == (base_url is None):
        raise click.UsageError("give exactly one of --db or --url")
    if base_url is not None:
        yield HttpSource(base_url, authorization=None if public else _regulator(base_url, org, key_path))
        return
    assert db_url is not None
    engine = make_engine(db_url)
    try:
        with DatabaseSource(engine, disclosed=not public) as db_source:
            yield db_source
    finally:
        engine.dispose()


def _verify_bundle(path: Path, regulators: str, log_key: str | None, settings: Settings) -> None:
    """The bundle's genesis must be the regulators given; then the audit; then the bundle's
    other files must agree with the records that verified."""
    bundle = BundleSource(path)
    trusted = load_genesis(regulators)
    mismatch = bundle.genesis_failure(TrustRoots.from_genesis(trusted))
    if mismatch is not None:
        _report(AuditResult(0, None, mismatch))  # exits
        return
    operator = _log_key(log_key, bundle, settings)
    with _progress() as progress:
        result = audit_log(bundle, operator, trusted, progress=progress)
    if result:
        result = replace(result, failure=bundle.contents_failure(result))
    _report(result)


DB_HELP = "database URL, e.g. sqlite:///instance/gi-trace.db"
URL_HELP = "a gi-trace server, e.g. http://127.0.0.1:8000"
LOG_KEY_HELP = "the operator's note verifier key (or a file holding it)"
PUBLIC_HELP = ("leave the disclosures out, as the public sees the log (--db reads them by "
               "default: the database is the operator's)")


def _regulator_options(command: Callable[..., None]) -> Callable[..., None]:
    """--org and --key: a regulator signs in to read the disclosures over --url."""
    command = click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False,
                                                               path_type=Path),
                           help="with --url: a regulator's private key, to read the disclosures "
                                "(it never leaves this machine)")(command)
    return click.option("--org", help="with --url: the regulator's org id")(command)


@audit.command(short_help="Verify the whole log: a bundle, a database or a server.",
               help="Verify the whole log from a bundle (BUNDLE, made by `audit export`), its "
                    "database (--db) or a server (--url), trusting only the regulators file. "
                    "A bundle needs nothing else: no database, no server. Exit 0 only if "
                    "everything verifies; otherwise name the first bad seq and why.")
@click.argument("bundle", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--url", "base_url", help=URL_HELP)
@click.option("--regulators", type=click.Path(exists=True, dir_okay=False),
              help="the regulators (genesis) file you trust, obtained out of band; default "
                   "GI_TRACE_REGULATORS. A bundle's genesis must name exactly these regulators")
@click.option("--log-key", help=LOG_KEY_HELP + "; default: the bundle's or server's own, "
              "with a warning")
@click.option("--public", is_flag=True, help=PUBLIC_HELP)
@_regulator_options
@friendly
def verify(bundle: Path | None, db_url: str | None, base_url: str | None, regulators: str | None,
           log_key: str | None, public: bool, org: str | None, key_path: Path | None) -> None:
    settings = Settings.from_env()
    if bundle is not None:
        if db_url is not None or base_url is not None:
            raise click.UsageError("give a BUNDLE or one of --db and --url, not both")
        _verify_bundle(bundle, regulators or settings.regulators, log_key, settings)
        return
    genesis = load_genesis(regulators or settings.regulators)
    with _source(db_url, base_url, public=public, org=org, key_path=key_path) as source, \
            _progress() as progress:
        _report(audit_log(source, _log_key(log_key, source, settings), genesis,
                          progress=progress))


@audit.command(short_help="Write the log to a bundle directory for offline audit.",
               help="Write the log to a new directory (--out), a bundle that `gi-trace audit "
                    "verify BUNDLE` checks offline: every record (statement bytes as signed, "
                    "signature, prev, record_hash, seq; JSON lines), every checkpoint (signed "
                    "notes; a server serves only its latest), the genesis, an index of the "
                    "org keys, the operator's note verifier key and a manifest. From --db it "
                    "also holds every disclosure and the labels (sidecars.jsonl), for a "
                    "regulator's full audit; --public leaves them out. Streams: memory does "
                    "not grow with the log.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="the bundle directory to create (must not exist)")
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--url", "base_url", help=URL_HELP)
@click.option("--log-key", help=LOG_KEY_HELP + " to include; default: the server's own (--url) "
              "or GI_TRACE_OPERATOR_KEY's (--db)")
@click.option("--public", is_flag=True, help=PUBLIC_HELP)
@_regulator_options
@friendly
def export(out: Path, db_url: str | None, base_url: str | None, log_key: str | None,
           public: bool, org: str | None, key_path: Path | None) -> None:
    settings = Settings.from_env()
    with _source(db_url, base_url, public=public, org=org, key_path=key_path) as source, \
            _progress("exporting") as progress:
        manifest = export_bundle(source, out, _log_key(log_key, source, settings).vkey(),
                                 progress=progress)
        disclosed = source.sidecars() is not None
    click.echo(f"wrote {out}: {manifest.records} records, {manifest.checkpoints} checkpoints, "
               f"{manifest.keys} keys; tree size {manifest.tree_size}, root {manifest.root_hash}")
    if disclosed:
        click.echo("it holds every party's confidential fields and every label's serial: hand it "
                   "only to a regulator")
    click.echo(f"check it anywhere with: gi-trace audit verify {out} --regulators FILE "
               "--log-key VKEY")


audit.add_command(monitor)

COMMANDS = [audit]
