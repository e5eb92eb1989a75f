"""`gi-trace audit monitor`: watch a log server; alarm on a fork, a rollback or a rewrite.

Exit status: 0 when every check passed (or the loop was interrupted), 1 on an
alarm (the log misbehaved: the message says how, and the two signed checkpoints
that prove it follow), 3 when the server could not be checked with --once.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from gi_trace.cli.connect import log_key_text
from gi_trace.cli.errors import friendly
from gi_trace.client.errors import ProblemError, TransportError, VerificationError
from gi_trace.client.monitor import Alarm, Monitor, default_state_path

EXIT_ALARM, EXIT_UNCHECKED = 1, 3


def _alarm(error: Alarm) -> None:
    click.echo(f"ALARM ({error.code}): {error.message}", err=True)
    for label, note in zip(("held", "served"), error.evidence, strict=False):
        click.echo(f"--- checkpoint {label} ---\n{note}", err=True, nl=False)
    sys.exit(EXIT_ALARM)


@click.command(short_help="Watch a server; alarm on a fork, a rollback or a missing proof.",
               help="Watch a log server: keep the last checkpoint seen (in --state), verify "
                    "the operator's signature on each new one and a consistency proof from "
                    "the old size to the new, and alarm (exit 1, a clear message and the two "
                    "signed checkpoints as evidence) on a fork (same size, other root), a "
                    "rollback (a smaller tree) or a bad or missing proof. --once checks once "
                    "(exit 3 if the server cannot be reached); otherwise it loops until "
                    "interrupted.")
@click.option("--url", "base_url", required=True, help="a gi-trace server, e.g. "
                                                         "http://127.0.0.1:8000")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="the state file (replaced atomically); default "
                   "~/.gi-trace/monitor-<host and path of --url>.json")
@click.option("--operator-key", "--log-key", "operator_key",
              help="the operator's note verifier key (or a file holding it), pinned on the first "
                   "run; default: the key the server serves, trusted on first use")
@click.option("--interval", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="seconds between checks")
@click.option("--once", is_flag=True, help="check once and exit")
@friendly
def monitor(base_url: str, state: Path | None, operator_key: str | None, interval: float,
            once: bool) -> None:
    state_path = state or default_state_path(base_url)
    watcher = Monitor(base_url, state_path, operator_key=log_key_text(operator_key))
    try:
        while True:
            try:
                seen = watcher.check()
            except VerificationError as e:
                _alarm(e if isinstance(e, Alarm) else Alarm(e.message, code=e.code))
            except (ProblemError, TransportError) as e:
                click.echo(f"could not check {base_url}: {e}", err=True)
                if once:
                    sys.exit(EXIT_UNCHECKED)
            else:
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                click.echo(f"{stamp} OK: {seen.describe()} ({state_path})")
                if seen.tofu:
                    click.echo("warning: pinned the operator key the server serves (trust on "
                               f"first use): {watcher.client.log_key().vkey()}; pass "
                               "--operator-key to pin the one you got out of band", err=True)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("monitor stopped", err=True)
