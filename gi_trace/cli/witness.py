"""`gi-trace witness`: keep your own view of the log and cosign it only while it only grows."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from time import sleep

import click

from gi_trace.cli.errors import describe, describe_client, friendly
from gi_trace.client.errors import ClientError, TransportError
from gi_trace.client.errors import VerificationError as ClientVerificationError
from gi_trace.client.witness import Cosigned, Witness
from gi_trace.ledger import keys
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.witness import WitnessState


@click.group(help="Run a witness: verify the log's consistency and cosign its checkpoints "
                  "(C2SP tlog-cosignature).")
def witness() -> None:
    pass


@witness.command(help="Make a witness key and state directory; prints the witness's vkey, "
                      "which the log's operator adds to GI_TRACE_WITNESSES.")
@click.option("--name", required=True, help="the witness name, a schema-less URL such as "
                                            "witness.example.org/w1")
@click.option("--key", "key", type=click.Path(path_type=Path), required=True,
              help="where to write the new private key (PEM, mode 0600); never overwritten")
@click.option("--state", "state", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="the witness's state directory")
@click.option("--log-key", help="the log operator's note verifier key (or a file holding it); "
                                "without it the first cosign pins the key the server serves")
@friendly
def init(name: str, key: Path, state: Path, log_key: str | None) -> None:
    if key.exists():
        raise click.ClickException(f"{key} exists; refusing to overwrite a key")
    pinned = None
    if log_key:
        pinned = NoteVerifier.from_vkey(Path(log_key).read_text() if Path(log_key).is_file()
                                        else log_key)
    keys.save_private_key(keys.generate(), key)
    created = WitnessState.create(state, name, key, pinned)
    click.echo(created.cosigner().vkey())


def _report(done: Cosigned, tofu: bool) -> None:
    if tofu:
        click.echo("warning: pinned the log key the server itself serves; pass --log-key to "
                   "`witness init` to pin one you got out of band", err=True)
    cp = done.checkpoint
    before = f"from {done.previous.size}" if done.previous else "first checkpoint"
    root = base64.b64encode(cp.root_hash).decode()
    click.echo(f"cosigned {cp.origin} at size {cp.size} ({before}), root {root}, "
               f"time {done.cosignature.timestamp}")


def _refused(error: LedgerError | ClientVerificationError) -> click.ClickException:
    text = describe(error) if isinstance(error, LedgerError) else describe_client(error)
    return click.ClickException(f"REFUSED to cosign, nothing was signed: {text}")


def cosign_round(runner: Witness) -> None:
    """One cosigning round; a refusal is an alarm and stops the witness."""
    try:
        done = runner.cosign()
    except (LedgerError, ClientVerificationError) as e:
        raise _refused(e) from e
    _report(done, runner.tofu)


@witness.command(help="Fetch the log's checkpoint, verify it and its consistency with the one "
                      "held, cosign it and post the cosignature. Exit non-zero, signing "
                      "nothing, on a fork, a rollback or a bad signature.")
@click.option("--url", "base_url", required=True, help="the gi-trace server")
@click.option("--state", "state", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="the witness's state directory")
@click.option("--once", is_flag=True, help="one round, then exit (the default)")
@click.option("--interval", type=click.FloatRange(min=1), metavar="SECONDS",
              help="keep cosigning every SECONDS; an unreachable server is retried")
@friendly
def cosign(base_url: str, state: Path, once: bool, interval: float | None) -> None:
    if once and interval is not None:
        raise click.UsageError("give --once or --interval, not both")
    runner = Witness(WitnessState(state), base_url)
    if interval is None:
        cosign_round(runner)
        return
    while True:
        try:
            cosign_round(runner)
        except ClientError as e:
            if not isinstance(e, TransportError):
                raise
            click.echo(f"warning: {e}; retrying in {interval:g} s", err=True)
        sys.stdout.flush()
        sleep(interval)


COMMANDS = [witness]
